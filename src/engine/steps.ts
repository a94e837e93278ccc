/**
 * Work that yields between its steps: a generator whose `next()` does one step and whose return
 * value is the work's result. A long walk of a big tree is written once, as steps; a command runs
 * it to the end at once (`drain`), the explorer a slice of steps per turn of the event loop, so
 * that keys and frames are handled between slices (ui/background.ts).
 */
export type Steps<T = void> = Generator<void, T, void>;

/** Run `steps` to the end at once; their result. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
