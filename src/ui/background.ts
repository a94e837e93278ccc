/**
 * Work the explorer does a slice per turn of the event loop (`setImmediate`), so that keys and
 * frames are handled between slices: the walks of a big layer (a filter's, the changes view's),
 * the directory sizes of the layers as they land, the full checks once the image is in. One
 * runner per kind of work; starting it again while it is scheduled does nothing.
 */
import { resultFor, type Steps } from '../engine/steps.js';

export class Background {
  private scheduled = false;

  /**
   * `slice` does a slice and says whether the work is done; `done` is called when it is;
   * `stopped` says the explorer has closed (nothing more runs).
   */
  constructor(
    private readonly slice: () => boolean,
    private readonly done: () => void,
    private readonly stopped: () => boolean,
  ) {}

  start(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped()) return;
      if (this.slice()) this.done();
      else this.start();
    });
  }
}

/**
 * Run `steps` (work that yields between its steps) for about `budgetMs`, at least one step; true
 * once they are done. A slice of the work a `Background` runs.
 */
export function runFor(steps: Steps<unknown>, budgetMs: number): boolean {
  return resultFor(steps, budgetMs) !== undefined;
}

/** Whether `x` is work in steps (a generator) rather than its result. */
export function isSteps<T>(x: T | Steps<T>): x is Steps<T> {
  return typeof (x as Steps<T>)?.next === 'function';
}
