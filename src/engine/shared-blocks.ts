/**
 * Blocks of shared memory (SharedArrayBuffer) that a host hands to its worker thread by number:
 * the stream-hashing thread's (stream-hash.ts) and the secret scan's (findings/secrets/remote.ts).
 *
 * A block's memory goes with the first message that names its slot (`toSend`), and the thread
 * keeps a view of it; later messages name the slot only, and the thread names it back once it is
 * done with it, for reuse (`give`). Made as needed and kept: a load reuses the same few blocks,
 * whose pages are touched once (fresh memory is slow here on its first use). When the thread
 * stops, `reset` frees every block and forgets which were sent: a thread started later knows none.
 */
export class SharedBlocks {
  private readonly blocks: Buffer[] = [];
  private free: number[] = [];
  private sent: boolean[] = [];

  constructor(private readonly size: number) {}

  /** A free block's slot (a new block when none is free). */
  take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    this.blocks.push(Buffer.from(new SharedArrayBuffer(this.size)));
    return this.blocks.length - 1;
  }

  /** The block of `slot`, to write into. */
  at(slot: number): Buffer {
    return this.blocks[slot];
  }

  /** `slot` is free again (the thread named it back, or it was never sent). */
  give(slot: number): void {
    this.free.push(slot);
  }

  /** What a message naming `slot` carries: the block's memory the first time, then nothing. */
  toSend(slot: number): SharedArrayBuffer | undefined {
    if (this.sent[slot]) return undefined;
    this.sent[slot] = true;
    return this.blocks[slot].buffer as SharedArrayBuffer;
  }

  /** The thread stopped: every block is free, and none has been sent. */
  reset(): void {
    this.free = this.blocks.map((_, i) => i);
    this.sent = [];
  }
}
