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
