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

/** The properties of Node's zlib streams this works through. */
interface Inflating {
  _outBuffer: Buffer;
  _outOffset: number;
  _chunkSize: number;
}

/**
 * When zlib fills its buffer it first makes a fresh one (`Buffer.allocUnsafe(self._chunkSize)`)
 * and only then sets it, so a block given in its place leaves that 1 MiB made for nothing: 361 of
 * them on the realistic Debian image, counted by V8 as external memory, which started a full
 * collection every ~64 MB inflated (7 in a `scan` of it, ~0.1 s of CPU on two threads). Its three
 * statements, in Node's lib/zlib.js `processCallback` from Node 10 to 24:
 *   handle.availOutBefore = self._chunkSize; self._outOffset = 0;
 *   self._outBuffer = Buffer.allocUnsafe(self._chunkSize);
 * So `_chunkSize` reads as 0 once, right after `_outOffset` is set to 0 (zlib then makes an empty
 * buffer), and `_outBuffer`'s setter makes the 1 MiB itself when no block is free. Were a Node to
 * read `_chunkSize` in another order there, zlib would fail the layer (an assertion, or one pass
 * that writes nothing and is made again), never inflate wrongly, and the diffID checks every byte:
 * still, only the Node majors whose order is known do this (ZERO_ALLOC_NODE_MAX). Measured:
 * realistic `scan` 0.946× wall, 0.95× CPU; ML-shaped image 0.936× (3 pairs), its peak RSS
 * 688–768 MB against 673–686 (fewer collections: ≤ 345 B a path, under the 400 B target; the
 * same with this kept to heaps under 256 MiB, so it is not) (docs/performance.md, sixth session
 * of 2026-12-07).
 */
const ZERO_ALLOC_NODE_MAX = 24;
const zeroAlloc = Number(process.versions.node.split('.')[0]) <= ZERO_ALLOC_NODE_MAX;

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
    const z = inflate as unknown as Inflating;
    this.writing = outputBlocks.take();
    let out: Buffer = this.writing >= 0 ? outputBlocks.at(this.writing) : z._outBuffer;
    let size = z._chunkSize;
    let offset = z._outOffset;
    /** `_outOffset` was just set to 0: the next read of `_chunkSize` is the fresh buffer's size. */
    let zeroNext = false;
    Object.defineProperty(inflate, '_outBuffer', {
      configurable: true,
      get: () => out,
      set: (fresh: Buffer) => {
        zeroNext = false;
        // zlib filled `out` and moves on.
        if (this.writing >= 0) this.leave(this.writing);
        this.writing = outputBlocks.take();
        if (this.writing >= 0) out = outputBlocks.at(this.writing);
        else out = fresh.length === size ? fresh : Buffer.allocUnsafe(size); // (the one zlib did not make)
      },
    });
    if (!zeroAlloc) return;
    Object.defineProperty(inflate, '_outOffset', {
      configurable: true,
      get: () => offset,
      set: (v: number) => {
        offset = v;
        zeroNext = v === 0;
      },
    });
    Object.defineProperty(inflate, '_chunkSize', {
      configurable: true,
      get: () => {
        if (!zeroNext) return size;
        zeroNext = false;
        return 0;
      },
      set: (v: number) => {
        size = v;
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
