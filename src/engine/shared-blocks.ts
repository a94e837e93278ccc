/**
 * Blocks of shared memory (SharedArrayBuffer) that a host hands to its worker thread by number:
 * the stream-hashing thread's (stream-hash.ts) and the secret scan's (findings/secrets/remote.ts).
 *
 * A block's memory goes with the first message that names its slot (`toSend`), and the thread
 * keeps a view of it; later messages name the slot only. Made as needed and kept: a load reuses
 * the same few blocks, whose pages are touched once (fresh memory is slow here on its first use).
 *
 * A block is counted: `take` gives its taker one reference, `hold` adds one, `give` ends one, and
 * the block is free again at none. One holder is the usual case (a block filled, sent, named back
 * by the thread); a block a decoder inflates into (inflate-blocks.ts) is held by the decoder
 * while it writes, by each chunk of it not yet parsed, and by each range of it not yet hashed.
 * When the thread stops, `reset` frees every block and forgets which were sent: a thread started
 * later knows none (`forgetSent` only the second, for blocks other holders still have).
 */
export class SharedBlocks {
  private readonly blocks: Buffer[] = [];
  private free: number[] = [];
  private sent: boolean[] = [];
  /** Each block's holders (0: free). */
  private refs: number[] = [];
  /** Each block's slot by its memory (a chunk's `buffer` names the block it lies in). */
  private readonly slots = new Map<ArrayBufferLike, number>();

  constructor(private readonly size: number) {}

  /** A free block's slot (a new block when none is free), with one reference: the taker's. */
  take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) {
      this.refs[slot] = 1;
      return slot;
    }
    const block = Buffer.from(new SharedArrayBuffer(this.size));
    this.blocks.push(block);
    this.refs.push(1);
    this.slots.set(block.buffer, this.blocks.length - 1);
    return this.blocks.length - 1;
  }

  /** One more holder of `slot`. */
  hold(slot: number): void {
    this.refs[slot]++;
  }

  /** The slot of the block whose memory is `memory`; -1 when it is none of these. */
  slotOf(memory: ArrayBufferLike): number {
    return this.slots.get(memory) ?? -1;
  }

  /** Blocks not free. */
  get inUse(): number {
    return this.blocks.length - this.free.length;
  }

  /** The block of `slot`, to write into. */
  at(slot: number): Buffer {
    return this.blocks[slot];
  }

  /**
   * One holder of `slot` is done with it (the thread named it back, it was never sent, a chunk
   * of it was parsed); free at the last. A slot already free stays free once: a second `give`
   * after `reset` must not hand one block to two takers.
   */
  give(slot: number): void {
    if (this.refs[slot] <= 0) return;
    if (--this.refs[slot] === 0) this.free.push(slot);
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
    this.refs = this.blocks.map(() => 0);
    this.sent = [];
  }

  /** The thread stopped: none has been sent (the blocks' holders stay). */
  forgetSent(): void {
    this.sent = [];
  }
}
