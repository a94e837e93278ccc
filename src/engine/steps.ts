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
