/**
 * The sha256 of a layer's decompressed stream (its diffID), computed on a worker thread
 * (stream-hash-thread.ts) while the main thread parses the same bytes.
 *
 * Why: the main thread is the bottleneck of a load. It decodes tar headers, builds the tree and
 * runs the content checks, while the thread pool inflates; hashing every decompressed byte there
 * too (~0.6 ms a megabyte) was a third of its work on a large image. The copy that hands a block
 * to the thread costs ~3% of hashing it: each chunk is copied (memcpy: shared-copy.ts) into a
 * 1 MiB block of shared memory, the message names the block, and the thread names it back once
 * hashed, for reuse. A gzip layer's bytes are not copied at all: its decoder inflates into these
 * blocks (`outputBlocks`, inflate-blocks.ts), and a chunk that lies in one is sent as a range of
 * it (the copy was ~0.8 s of the main thread on the 11 GB ML-shaped image). (A worker that was
 * sent each chunk as a clone cost as much as the hash: see sources/file-hash-worker.ts. Blocks
 * that were transferred, ArrayBuffers detached here and made anew on each return, cost ~0.5 ms a
 * send on a load of a million tiny files, where the collector runs often: 0.57 s of its main
 * thread.)
 *
 * Bounded: the blocks sent and not yet hashed (over every layer being read) are counted, and
 * above BACKLOG_LIMIT the caller holds its input back (`congested`, `whenDrained`) — and with it
 * the decoder — until the thread catches up.
 *
 * One thread for every layer, started early (cli/early-work.ts `startEarlyWork`) or on first
 * use; it holds the process open only while a block or a digest is outstanding. A layer is
 * hashed on the thread only when the thread has loaded by the time the layer starts; else, or
 * with LAYERLENS_NO_HASH_WORKER=1, or where no thread can start, here. When the thread stops
 * while a layer is being hashed there (a crash), that layer's bytes are gone: its digest rejects
 * with a one-line error, and later layers are hashed here.
 */
import { createHash, type Hash } from 'node:crypto';
import { LayerlensError } from '../errors/index.js';
import { lend } from './lent-chunks.js';
import { SharedBlocks } from './shared-blocks.js';
import { copyInto } from './shared-copy.js';
import { STREAM_HASH_THREAD } from './stream-hash-thread-url.js';
import { LazyWorker, type WorkerChannel } from './worker-thread.js';

/**
 * To the thread: `length` bytes of block `slot` from `offset` for the job's hash (`block`: the
 * slot's memory, sent with its first use only), or the job's end (`end` false: dropped).
 */
export type HashIn =
  | { job: number; slot: number; offset: number; length: number; block?: SharedArrayBuffer }
  | { job: number; end: boolean };
/** From the thread: a block hashed (free again), or a job's hex digest. */
export type HashOut = { slot: number; length: number } | { job: number; hex: string };

/** The size of a block handed to the thread (and of a block a decoder inflates into). */
export const HASH_BLOCK = 1 << 20;
/**
 * Blocks in use above which a decoder gets none to inflate into (it then inflates into memory of
 * its own, copied as any chunk): a bound on this shared memory, whatever a decoder fails to give back.
 */
const OUTPUT_BLOCKS_LIMIT = 64;
/** Bytes sent to the thread and not yet hashed, over every job, above which input is held back. */
export const BACKLOG_LIMIT = 8 << 20;

/** The sha256 of a stream fed in order, with the means to hold the stream back. */
export interface StreamHash {
  /** Hashed on the worker thread (else on this one). */
  readonly onThread: boolean;
  update(bytes: Uint8Array): void;
  /** The hashing thread is behind by more than BACKLOG_LIMIT: feed nothing more until `whenDrained`. */
  readonly congested: boolean;
  /** Call `resume` once the thread has caught up (at once when it is not behind). */
  whenDrained(resume: () => void): void;
  /** The hex digest of everything fed; rejects (one line) when the thread stopped first. */
  digest(): Promise<string>;
  /** The stream failed: forget it. */
  abort(): void;
}

/** Hashing on this thread. */
class HereHash implements StreamHash {
  private readonly hash: Hash;
  constructor(alg: string) {
    this.hash = createHash(alg);
    streamHashStats.hashedHere++;
  }
  readonly onThread = false;
  readonly congested = false;
  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }
  whenDrained(resume: () => void): void {
    resume();
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  abort(): void {}
}

/** Bumped when the thread stops: a job of an earlier generation lost its bytes. */
let generation = 0;
let backlog = 0;
/** The blocks (made as needed: about BACKLOG_LIMIT / HASH_BLOCK + 2 of them). */
const blocks = new SharedBlocks(HASH_BLOCK);
/** Messages naming each slot that the thread has not answered (each one holds its block). */
let unanswered: number[] = [];
let waiting: (() => void)[] = [];
const pending = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void }>();
let nextJob = 1;
/**
 * How many times a stream was held back for the thread to catch up, how many were hashed here,
 * how many bytes were sent where a decoder inflated them (no copy) (tests, diagnostics).
 */
export const streamHashStats = { heldBack: 0, hashedHere: 0, inPlace: 0 };

/** A layer whose bytes went down with the thread (they cannot be read again). */
const lostError = () => new LayerlensError('a layer could not be hashed: the hashing thread stopped', 'ERROR');

function wake(): void {
  const w = waiting;
  waiting = [];
  for (const resume of w) resume();
}

const worker = new LazyWorker<HashIn, HashOut>(STREAM_HASH_THREAD, {
  message: (m) => {
    worker.current?.release();
    if ('slot' in m) {
      backlog -= m.length;
      unanswered[m.slot]--;
      blocks.give(m.slot);
      if (backlog <= BACKLOG_LIMIT / 2) wake();
      return;
    }
    const p = pending.get(m.job);
    pending.delete(m.job);
    p?.resolve(m.hex);
  },
  stop: () => {
    generation++;
    backlog = 0;
    // Nothing is being hashed any more, and a thread started later knows no block. (A block
    // still filled, or inflated into, or parsed, keeps its other holders.)
    unanswered.forEach((n, slot) => {
      for (let i = 0; i < n; i++) blocks.give(slot);
    });
    unanswered = [];
    blocks.forgetSent();
    const lost = lostError();
    for (const p of pending.values()) p.reject(lost);
    pending.clear();
    wake();
  },
});

/** Hashing on the thread, in blocks. */
class ThreadHash implements StreamHash {
  private slot = -1;
  private used = 0;
  /** Bytes of a block a decoder inflated into, to be sent as one range: [rangeStart, rangeEnd) of rangeSlot. */
  private rangeSlot = -1;
  private rangeStart = 0;
  private rangeEnd = 0;
  private readonly job = nextJob++;
  private readonly generation = generation;
  readonly onThread = true;

  constructor(private readonly channel: WorkerChannel<HashIn, HashOut>) {}

  private get lost(): boolean {
    return this.generation !== generation;
  }

  get congested(): boolean {
    return backlog > BACKLOG_LIMIT && !this.lost;
  }

  update(bytes: Uint8Array): void {
    // (`buffer` is asked once a chunk: a gzip layer's chunks are up to 1 MiB.)
    const memory = bytes.buffer;
    const inBlock = memory instanceof SharedArrayBuffer ? blocks.slotOf(memory) : -1;
    if (inBlock >= 0) return this.inPlace(inBlock, bytes.byteOffset, bytes.length);
    // In order: what was given before this chunk is sent before it.
    if (this.rangeSlot >= 0) this.sendRange();
    for (let at = 0; at < bytes.length; ) {
      if (this.slot < 0) this.slot = blocks.take();
      const n = Math.min(bytes.length - at, HASH_BLOCK - this.used);
      copyInto(blocks.at(this.slot), this.used, n === bytes.length ? bytes : bytes.subarray(at, at + n));
      this.used += n;
      at += n;
      if (this.used === HASH_BLOCK) this.send();
    }
  }

  /**
   * Bytes that lie in block `slot` (a decoder inflated into it): no copy. A decoder's chunks of a
   * block follow one another, so they are gathered into one range and sent as one message, at
   * the block's end or before anything else of the stream.
   */
  private inPlace(slot: number, offset: number, length: number): void {
    if (this.slot >= 0) this.send();
    if (this.rangeSlot === slot && this.rangeEnd === offset) this.rangeEnd += length;
    else {
      if (this.rangeSlot >= 0) this.sendRange();
      blocks.hold(slot);
      this.rangeSlot = slot;
      this.rangeStart = offset;
      this.rangeEnd = offset + length;
    }
    if (this.rangeEnd === HASH_BLOCK) this.sendRange();
  }

  private sendRange(): void {
    streamHashStats.inPlace += this.rangeEnd - this.rangeStart;
    this.post(this.rangeSlot, this.rangeStart, this.rangeEnd - this.rangeStart);
    this.rangeSlot = -1;
  }

  /** Name `length` bytes of `slot` from `offset` to the thread (the message holds the block until answered). */
  private post(slot: number, offset: number, length: number): void {
    if (this.lost) return blocks.give(slot);
    backlog += length;
    unanswered[slot] = (unanswered[slot] ?? 0) + 1;
    this.channel.hold();
    this.channel.post({ job: this.job, slot, offset, length, block: blocks.toSend(slot) });
  }

  private send(): void {
    this.post(this.slot, 0, this.used);
    this.slot = -1;
    this.used = 0;
  }

  whenDrained(resume: () => void): void {
    if (!this.congested) return resume();
    streamHashStats.heldBack++;
    waiting.push(resume);
  }

  digest(): Promise<string> {
    if (this.slot >= 0) this.send();
    if (this.rangeSlot >= 0) this.sendRange();
    if (this.lost) return Promise.reject(lostError());
    const done = new Promise<string>((resolve, reject) => pending.set(this.job, { resolve, reject }));
    this.channel.hold();
    this.channel.post({ job: this.job, end: true });
    return done;
  }

  abort(): void {
    if (this.slot >= 0) blocks.give(this.slot);
    if (this.rangeSlot >= 0) blocks.give(this.rangeSlot);
    this.rangeSlot = -1;
    this.slot = -1;
    this.used = 0;
    if (!this.lost) this.channel.post({ job: this.job, end: false });
  }
}

/** A new stream's hash (sha256 unless `alg` says otherwise): on the thread when it has loaded, else here. */
export function streamHash(alg = 'sha256'): StreamHash {
  // (The thread hashes sha256 only: any other algorithm is hashed here.)
  const c = alg === 'sha256' ? worker.get() : null;
  return c?.ready ? new ThreadHash(c) : new HereHash(alg);
}

/** How long a layer that starts while the thread is still loading waits for it. */
const LOAD_WAIT_MS = 2000;

/**
 * Resolves once the thread has loaded, or cannot run, or after LOAD_WAIT_MS: call before
 * `streamHash()` at a layer's start. A layer that started while the thread was still loading was
 * hashed here, all of it: on a busy machine the thread takes 50–300 ms to load, and the first
 * layers of an OCI layout start sooner (bench/engine-child.mjs on the million-tiny-files image
 * hashed both its layers here: 0.8 s of its main thread). Waiting costs the load at most the
 * thread's remaining start-up, which the layer's own first megabytes would have taken here.
 */
export function streamHashLoaded(): Promise<unknown> {
  const c = worker.get();
  if (!c || c.ready) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, LOAD_WAIT_MS);
    timer.unref();
  });
  return Promise.race([c.whenReady(), late]).finally(() => clearTimeout(timer));
}

/**
 * A chunk of a block handed on with a reference of its own (`lendBlock`) that is never given back
 * — left in a stream's buffer when a layer failed, a shared layer's copy read through and dropped
 * — ends that reference once the collector has taken the chunk: nothing can read it any more.
 */
const unreturned = new FinalizationRegistry<number>((slot) => blocks.give(slot));

/**
 * The blocks a decoder may inflate into, so that the thread hashes its output where it lies
 * (inflate-blocks.ts): `take` gives a block's slot with one reference, the decoder's (-1 when the
 * thread is not running, as the layer is then hashed here from any memory, or when
 * OUTPUT_BLOCKS_LIMIT are in use), `hold` and `give` add and end references (one for each chunk
 * of the block handed on).
 */
export const outputBlocks = {
  take: (): number => (worker.current?.ready && blocks.inUse < OUTPUT_BLOCKS_LIMIT ? blocks.take() : -1),
  at: (slot: number): Buffer => blocks.at(slot),
  /** The slot of the block whose memory is `memory` (-1: none). */
  slotOf: (memory: ArrayBufferLike): number => blocks.slotOf(memory),
  hold: (slot: number): void => blocks.hold(slot),
  give: (slot: number): void => blocks.give(slot),
  /**
   * Lend `chunk`, which lies in `slot` and carries a reference of its own (its taker's, or one
   * held for it), to the engine (lent-chunks.ts): the reference ends when the chunk is given
   * back, or else once it is collected.
   */
  lendBlock(chunk: Uint8Array, slot: number): void {
    unreturned.register(chunk, slot, chunk);
    lend(chunk, () => {
      unreturned.unregister(chunk);
      blocks.give(slot);
    });
  },
  /** Blocks not free, whoever holds them (tests: every block comes back). */
  get inUse(): number {
    return blocks.inUse;
  },
};

/** Start the thread now, so that it has loaded by the time the first layer starts. */
export const prewarmStreamHash = (): void => void worker.get();
/** Resolves true once the thread has loaded, false when it cannot run (tests, diagnostics). */
export const streamHashReady = (): Promise<boolean> => worker.ready();
/** For tests: stop the thread as a crash would. */
export const stopStreamHashForTest = (): Promise<unknown> => worker.stopForTest();
/** Let the process exit even while a digest is outstanding (the command is over). */
export const releaseStreamHash = (): void => worker.release();
