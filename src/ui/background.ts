/**
 * Work the explorer does a slice per turn of the event loop (`setImmediate`), so that keys and
 * frames are handled between slices: the walks of a big layer (a filter's, the changes view's),
 * the directory sizes of the layers as they land. One runner per kind of work; starting it again
 * while it is scheduled does nothing.
 */
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
export function runFor(steps: Generator<void, void, void>, budgetMs: number): boolean {
  const end = performance.now() + budgetMs;
  do if (steps.next().done) return true;
  while (performance.now() < end);
  return false;
}
