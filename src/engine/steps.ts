/**
 * Work that yields between its steps: a generator whose `next()` does one step and whose return
 * value is the work's result. A long walk of a big tree is written once, as steps; it runs to the
 * end at once (`drain`), or a slice of steps per turn of the event loop (`inSlices`): the explorer
 * handles keys and frames between slices (ui/background.ts), and every command that works over a
 * loaded image after its load (the checks, a comparison) has its heap checked between them.
 */
import { checkHeap } from './memory-guard.js';

export type Steps<T = void> = Generator<void, T, void>;

/**
 * How long one slice of work runs by default: a key pressed meanwhile waits at most about this
 * long (plus the step that crosses it) before the explorer handles it.
 */
export const SLICE_MS = 5;

/** Run `steps` to the end at once; their result. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Run `steps` for about `budgetMs`, at least one step; their result once they are done
 * (undefined while they are not).
 */
export function resultFor<T>(steps: Steps<T>, budgetMs: number): IteratorReturnResult<T> | undefined {
  const end = performance.now() + budgetMs;
  do {
    const r = steps.next();
    if (r.done) return r;
  } while (performance.now() < end);
  return undefined;
}

/**
 * Run `steps` a slice of `sliceMs` (default SLICE_MS) per turn of the event loop (`setImmediate`)
 * until they are done; their result. Before each slice the heap is checked (memory-guard.ts;
 * `where` names the work in the error): its bound is measured after full collections, which it hears of only
 * between turns of the event loop, so work drained at once after a load would run past the bound
 * unseen, into V8's own abort ("heap out of memory", a native stack trace).
 */
export function inSlices<T>(steps: Steps<T>, opts: { sliceMs?: number; where?: string } = {}): Promise<T> {
  const { sliceMs = SLICE_MS, where = 'working through the image' } = opts;
  return new Promise((resolve, reject) => {
    const slice = () => {
      try {
        checkHeap(where);
        const r = resultFor(steps, sliceMs);
        if (r) resolve(r.value);
        else setImmediate(slice);
      } catch (err) {
        reject(err);
      }
    };
    setImmediate(slice);
  });
}

/** Items sorted by the platform's sort per step, then merged a step at a time (sortSteps). */
const SORT_RUN = 2048;
const MERGE_STEP = 8192;

/**
 * A sorted copy of `items`, stable (ties keep their order), as steps: runs of SORT_RUN sorted by
 * the platform's stable sort, then merged pairwise, a step every MERGE_STEP items placed. The same
 * order as one `[...items].sort(compare)` when `compare` is consistent; a sort of 135,724 findings
 * was ~0.4 s in one task of the explorer.
 */
export function* sortSteps<T>(items: readonly T[], compare: (a: T, b: T) => number): Steps<T[]> {
  const n = items.length;
  let a = items.slice();
  for (let i = 0; i < n; i += SORT_RUN) {
    const run = a.slice(i, i + SORT_RUN).sort(compare);
    for (let j = 0; j < run.length; j++) a[i + j] = run[j];
    if (n > SORT_RUN) yield;
  }
  let b = new Array<T>(n);
  let placed = 0;
  for (let width = SORT_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // (The left one on a tie: stable.)
        b[k++] = compare(a[j], a[i]) < 0 ? a[j++] : a[i++];
        if (++placed % MERGE_STEP === 0) yield;
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    [a, b] = [b, a];
  }
  return a;
}
