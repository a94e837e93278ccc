/**
 * zlib's inflate writing its output into the hashing thread's shared blocks (stream-hash.ts
 * `outputBlocks`), so that a layer's decompressed bytes are hashed where zlib wrote them instead
 * of being copied there first (~0.8 s of the main thread on the 11 GB ML-shaped image).
 *
 * How: a zlib stream keeps the buffer it inflates into in its `_outBuffer` property, reads it at
 * each write and sets a fresh one when it is full (Node's lib/zlib.js, unchanged from Node 10 to
 * 22). An accessor in its place hands zlib a block instead, and takes the fresh buffer only when
 * no block is free. Should a Node stop reading that property, zlib inflates into its own memory
 * and every chunk is copied as before: slower, never wrong, because the hash sends a chunk in
 * place only when its memory is one of the blocks (`slotOf`).
 *
 * A block is reused once nothing reads it any more (shared-blocks.ts counts its holders): zlib,
 * until the block is full and every byte of it has been handed on; each chunk of it, until the
 * layer's parser gives it back (lent-chunks.ts: the tar reader and every sink copy what they
 * keep past a call, the rule plain-tar chunks already follow), or the collector takes it (a
 * failed layer's chunks left in a stream's buffer: `outputBlocks.lendBlock`, as a file reader's
 * chunks); each range the hash sent, until the thread has hashed it. Chunks are counted when zlib emits them, not when it slices them:
 * a paused stream emits a block's last chunk after zlib has moved on to the next block.
 *
 * A decoder destroyed while zlib inflates (the layer failed elsewhere) may still be written into
 * by the thread pool: the blocks zlib had are given back once its stream is collected (Node keeps
 * a zlib stream alive while a write of it runs). `outputBlocks` hands out a bounded number
 * whatever is held (past it, zlib keeps its own memory).
 */
import type zlib from 'node:zlib';
import { HASH_BLOCK, outputBlocks } from './stream-hash.js';

/** The property of Node's zlib streams this works through. */
interface Inflating {
  _outBuffer: Buffer;
}

/** zlib's references of a stream destroyed mid-inflate: ended once the stream is collected. */
const abandoned = new FinalizationRegistry<number[]>((slots) => {
  for (const slot of slots) outputBlocks.give(slot);
});

export class InflateBlocks {
  /** The slot zlib writes into now (-1: its own memory). */
  private writing = -1;
  /** Bytes emitted so far from each block zlib wrote or writes. */
  private readonly emitted = new Map<number, number>();
  /** Blocks zlib filled and left: its reference ends once all their bytes are emitted. */
  private readonly left = new Set<number>();

  /**
   * Make `inflate` (chunks of HASH_BLOCK bytes) write into blocks: from its first output when one
   * is free, else from the first time it fills its own buffer (a layer whose first bytes come
   * before the hashing thread has loaded: a registry's, often).
   */
  attach(inflate: zlib.InflateRaw | zlib.Gunzip, chunkSize: number): void {
    if (chunkSize !== HASH_BLOCK) return;
    this.writing = outputBlocks.take();
    let out: Buffer = this.writing >= 0 ? outputBlocks.at(this.writing) : (inflate as unknown as Inflating)._outBuffer;
    Object.defineProperty(inflate, '_outBuffer', {
      configurable: true,
      get: () => out,
      set: (fresh: Buffer) => {
        // zlib filled `out` and moves on.
        if (this.writing >= 0) this.leave(this.writing);
        this.writing = outputBlocks.take();
        out = this.writing >= 0 ? outputBlocks.at(this.writing) : fresh;
      },
    });
  }

  /** A chunk the inflate emitted: lent to the parser when it lies in a block. */
  emit(chunk: Uint8Array): void {
    const slot = outputBlocks.slotOf(chunk.buffer);
    if (slot < 0) return;
    // The chunk's own reference, lent with it.
    outputBlocks.hold(slot);
    outputBlocks.lendBlock(chunk, slot);
    const n = (this.emitted.get(slot) ?? 0) + chunk.length;
    this.emitted.set(slot, n);
    if (n === HASH_BLOCK && this.left.has(slot)) this.release(slot);
  }

  /** The inflate ended (every byte emitted) or failed: zlib writes into no block any more. */
  end(): void {
    if (this.writing >= 0) this.release(this.writing);
    this.writing = -1;
    for (const slot of this.left) this.release(slot);
  }

  /**
   * The decoder was destroyed before `inflate` ended: zlib may still be writing, so its blocks
   * are given back once `inflate` is collected.
   */
  abandon(inflate: object): void {
    const slots = [...this.left];
    if (this.writing >= 0) slots.push(this.writing);
    this.left.clear();
    this.emitted.clear();
    this.writing = -1;
    if (slots.length) abandoned.register(inflate, slots);
  }

  private leave(slot: number): void {
    if (this.emitted.get(slot) === HASH_BLOCK) this.release(slot);
    else this.left.add(slot);
  }

  /** zlib's reference to `slot` ends. */
  private release(slot: number): void {
    this.left.delete(slot);
    this.emitted.delete(slot);
    outputBlocks.give(slot);
  }
}
