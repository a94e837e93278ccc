/**
 * Read buffers written again instead of allocated fresh: the chunks a source lends to the engine
 * (engine/lent-chunks.ts) come back here once the engine is done with them.
 *
 * Why: a fresh 1 MiB buffer is fresh memory, and on this machine its first use costs more than the
 * bytes it carries. The registry's download worker spent more CPU faulting in fresh batches than
 * downloading and hashing their bytes (438–614 ms against 195–214 ms for a 151 MiB pull), and a
 * file read into fresh buffers took 270–306 ms per 360 MB against 61 ms into one reused buffer,
 * the bytes then copying out 5–10× slower (docs/performance.md).
 *
 * Bounded: at most `max` buffers are kept, and none once no reader is open.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers `take` made new, and those it gave again (tests, diagnostics). */
  made = 0;
  reused = 0;

  constructor(
    /** Bytes of each buffer; buffers of another length are not kept. */
    readonly size: number,
    private readonly max: number,
    /** Whether a reader that takes from the pool is open: buffers come back after the last closed are not kept. */
    private readonly reading: () => boolean,
  ) {}

  /** A buffer of `size` bytes: one given back, else a new one. */
  take(): Buffer {
    const b = this.free.pop();
    if (b) {
      this.reused++;
      return Buffer.from(b);
    }
    this.made++;
    return Buffer.allocUnsafeSlow(this.size);
  }

  /** Memory to write again (a whole buffer `take` gave, or one of the same length). */
  put(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size && this.free.length < this.max && this.reading()) this.free.push(buffer);
  }

  /**
   * The last reader closed: the buffers go now. A load's end is followed by its heaviest work
   * (the checks over the whole tree), where the peak memory is; the pool must not add to it.
   */
  release(): void {
    this.free.length = 0;
  }

  /** Buffers held (tests). */
  get held(): number {
    return this.free.length;
  }
}
