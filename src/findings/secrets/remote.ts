/**
 * The secret scan of a large image on a worker thread (secret-scan-thread.ts), beside the main
 * thread that parses the layers.
 *
 * Why: on a tree of packages the scan is most of the main thread's work (the precision image:
 * the keyword prefilter, the windows' strings and the rules were ~1.7 s of its ~3.6 s), and the
 * main thread is what a load waits for; the second core meanwhile only hashes. Here the main
 * thread copies each text file's bytes into a block of shared memory (a record: remote-records.ts)
 * and the thread scans them as the main thread would (the same batch, the same scanners, the
 * same options), sends back the few files' matches and its counts, and names the block back for
 * reuse.
 *
 * When the thread is behind (BLOCKS_AHEAD blocks in flight), a small file is scanned on the main
 * thread instead (`whole` returns false): the two threads share the work without either waiting.
 * A file that streams in pieces goes to the thread only while it is not behind, and then all of
 * it does (its blocks may go past the limit by at most a file's scan limit).
 *
 * The matches are set on the file's entry (`later.content`, merged with what the main thread's
 * collectors kept there) by the time `flush()` resolves: the engine awaits it before it applies
 * a layer (ContentInspector.flush). The thread is started by the first load whose text passes
 * the inspector's threshold, and used once it has loaded (a small image never starts it: a
 * thread's start costs more than its scan would save), on machines with a core for it
 * (CORES_MIN). LAYERLENS_NO_SECRET_WORKER=1 keeps the scan on the main thread, and
 * LAYERLENS_SECRET_WORKER=1 uses the thread whatever the cores (tests, comparisons). When the
 * thread stops while files are in flight (a crash), their results are gone: the layer fails with
 * one line, and later files are scanned on the main thread.
 */
import { availableParallelism } from 'node:os';
import { SharedBlocks } from '../../engine/shared-blocks.js';
import { LazyWorker } from '../../engine/worker-thread.js';
import { LayerlensError } from '../../errors/index.js';
import type { InspectedContent } from '../content.js';
import {
  DATA_HEAD,
  END_SIZE,
  FLAG_BATCH,
  openSize,
  wholeSize,
  writeData,
  writeEnd,
  writeOpen,
  writeWhole,
} from './remote-records.js';
import type { SecretMatch } from './scanner.js';
import { moveStats, type SecretScanStats } from './stats.js';

/** What a job's scans run with (ScanOptions without their counts, which the thread keeps). */
export interface RemoteScanOptions {
  reveal?: boolean;
  maxBytes: number;
}

/** To the thread. */
export type ScanIn =
  | { job: number; start: RemoteScanOptions }
  | { job: number; slot: number; length: number; block?: SharedArrayBuffer }
  | { job: number; flush: number };
/** A file's secret scan, when it found something (or read the file in part). */
export interface RemoteResult {
  id: number;
  secrets?: SecretMatch[];
  truncated?: boolean;
}
/**
 * From the thread: a block scanned (`slot`, free again) or a flush done (`flushed`), with the
 * results and the counts since its last message.
 */
export interface ScanOut {
  job: number;
  slot?: number;
  flushed?: number;
  results?: RemoteResult[];
  stats?: SecretScanStats;
}

/**
 * The processors below which the thread is not used. A load already keeps work for two beside
 * the main thread's parse (the hashing thread, node's thread pool inflating a gzip layer), and
 * where the thread finds no core of its own its costs (its copies, its messages, a second
 * warm-up of the scanner: +11-15% CPU) outweigh what it takes off the main thread: on two vCPUs
 * the precision image's scan 0.95x, a tree of npm packages in a gzip layer 0.99x, but the large
 * generated image's checks +27% where they were +11%. Given a core of its own, the precision
 * image's scan takes 0.81x the time, the main thread's CPU 3.1 -> 2.2 s (docs/performance.md,
 * first session of 2026-12-07).
 */
const CORES_MIN = 4;

/**
 * LAYERLENS_SECRET_WORKER=1: the thread is used whatever the cores and however little text an
 * image holds (tests and comparisons of the installed command).
 */
export const secretThreadForced = (): boolean => process.env.LAYERLENS_SECRET_WORKER === '1';

/** The thread is used: when forced, else `force`, else on CORES_MIN processors or more. */
function threadWanted(force: boolean | undefined): boolean {
  return secretThreadForced() || (force ?? availableParallelism() >= CORES_MIN);
}

/** The size of a block of records. */
const BLOCK = 1 << 20;
/** Blocks sent and not yet scanned above which small files are scanned on the main thread. */
export const BLOCKS_AHEAD = 8;

const blocks = new SharedBlocks(BLOCK);
let inFlight = 0;
/** Bumped when the thread stops: a job that sent records before that lost them. */
let generation = 0;
const jobs = new Map<number, SecretRemote>();
/** Files sent to the thread (tests, diagnostics). */
export const secretRemoteStats = { files: 0 };
let nextJob = 1;

const worker = new LazyWorker<ScanIn, ScanOut>(
  { url: new URL('./secret-scan-thread.js', import.meta.url), offSwitch: 'LAYERLENS_NO_SECRET_WORKER' },
  {
    message: (m) => {
      worker.current?.release();
      if (m.slot !== undefined) {
        inFlight--;
        blocks.give(m.slot);
      }
      jobs.get(m.job)?.receive(m);
    },
    stop: () => {
      generation++;
      inFlight = 0;
      blocks.reset();
      for (const job of jobs.values()) job.lost();
    },
  },
);

/** A scan that lost files in flight to a stopped thread. */
const lostError = () => new LayerlensError('the secret scan could not finish: its worker thread stopped', 'ERROR');

/** One content inspector's scans on the thread (a job: its options, its counts). */
export class SecretRemote {
  private readonly job = nextJob++;
  private slot = -1;
  private used = 0;
  private nextId = 1;
  /*
   * The entries of the files sent, for their results. A file's result comes at the latest with
   * the answer to the first flush sent after its last record was written: at that answer its
   * entry is forgotten, result or not.
   * - A whole file's one record is written when it gets its id: its entry is kept in `wholes`,
   *   at `id - wholesFrom` (a pointer a file: a layer of two million small files is ~16 MB
   *   here until its flush, where a Map was ~80 bytes a file), and a flush's answer forgets those
   *   below the first id after the flush (`upTo`).
   * - A file that streams keeps the id of its first record, and another layer's flush may be
   *   sent while it is open: its entry is kept from its last record on in `streamed`, sealed with
   *   the next flush sent (`sealed`, by flush number) and forgotten at that flush's answer. At
   *   most a few are open at once.
   */
  private wholes: Array<{ content?: unknown } | undefined> = [];
  private wholesFrom = 1;
  private streamed = new Map<number, { content?: unknown }>();
  private readonly sealed = new Map<number, Map<number, { content?: unknown }>>();
  /** The flushes awaited, by number, with the first id sent after each. */
  private readonly flushes = new Map<number, { upTo: number; done: () => void; fail: (e: Error) => void }>();
  private flushCount = 0;
  /** Records were sent since the last flush. */
  private sent = false;
  private readonly generation = generation;
  private failed = false;

  private constructor(
    opts: RemoteScanOptions,
    private readonly stats: SecretScanStats,
  ) {
    jobs.set(this.job, this);
    worker.get()?.post({ job: this.job, start: opts });
  }

  /**
   * The thread for a job (started now if it was not), or undefined where none can run or it is
   * not wanted (see threadWanted; `force`: wanted whatever the cores).
   */
  static start(opts: RemoteScanOptions, stats: SecretScanStats, force?: boolean): SecretRemote | undefined {
    return threadWanted(force) && worker.get() ? new SecretRemote(opts, stats) : undefined;
  }

  /** Files can go to the thread now: it has loaded, and runs. */
  get usable(): boolean {
    return !this.failed && this.generation === generation && worker.current?.ready === true;
  }

  /**
   * A file given whole, `buf[start, end)`, for the thread's batch (`batch`) or a scanner of its
   * own. False when the thread is behind or the file does not fit a block: scan it here.
   */
  whole(
    path: string,
    batch: boolean,
    buf: Uint8Array,
    start: number,
    end: number,
    later: { content?: unknown },
  ): boolean {
    const need = wholeSize(path, end - start);
    if (need > BLOCK || !this.room(need, true)) return false;
    const id = this.nextId++;
    this.used = writeWhole(blocks.at(this.slot), this.used, id, batch ? FLAG_BATCH : 0, path, buf, start, end);
    this.wholes[id - this.wholesFrom] = later;
    secretRemoteStats.files++;
    return true;
  }

  /** A file that streams in pieces: its id for `write` and `end`, or undefined when the thread is behind. */
  open(path: string): number | undefined {
    // (Its data will take blocks past the current one, whatever room that one has left.)
    if (this.behind || openSize(path) > BLOCK || !this.room(openSize(path), true)) return undefined;
    const id = this.nextId++;
    this.used = writeOpen(blocks.at(this.slot), this.used, id, path);
    secretRemoteStats.files++;
    return id;
  }

  write(id: number, chunk: Uint8Array): void {
    for (let at = 0; at < chunk.length; ) {
      // A chunk that fits a block is not cut in two (the thread's scanner would join the pieces
      // again, a copy): it starts the next block when the current one lacks the room.
      this.room(DATA_HEAD + Math.min(chunk.length - at, BLOCK - DATA_HEAD), false);
      const n = Math.min(chunk.length - at, BLOCK - this.used - DATA_HEAD);
      this.used = writeData(blocks.at(this.slot), this.used, id, chunk.subarray(at, at + n));
      at += n;
    }
  }

  end(id: number, later: { content?: unknown }): void {
    this.room(END_SIZE, false);
    this.used = writeEnd(blocks.at(this.slot), this.used, id);
    this.streamed.set(id, later);
  }

  /** BLOCKS_AHEAD blocks sent and not scanned yet, or as many with the one being filled. */
  private get behind(): boolean {
    return inFlight + (this.slot >= 0 ? 1 : 0) >= BLOCKS_AHEAD;
  }

  /**
   * Room for `need` bytes in the current block: else it is sent and another taken. `strict`:
   * not past BLOCKS_AHEAD (false returned instead).
   */
  private room(need: number, strict: boolean): boolean {
    if (this.slot >= 0 && this.used + need <= BLOCK) return true;
    if (strict && this.behind) return false;
    this.send();
    this.slot = blocks.take();
    return true;
  }

  private send(): void {
    if (this.slot < 0) return;
    const channel = worker.current;
    if (!channel || this.generation !== generation) {
      blocks.give(this.slot);
      this.failed = true;
    } else {
      inFlight++;
      channel.hold();
      channel.post({ job: this.job, slot: this.slot, length: this.used, block: blocks.toSend(this.slot) });
      this.sent = true;
    }
    this.slot = -1;
    this.used = 0;
  }

  /** Every file sent so far scanned and its results set on its entry; rejects when they were lost. */
  flush(): Promise<void> {
    if (this.slot >= 0 && this.used > 0) this.send();
    if (this.failed) return Promise.reject(lostError());
    if (!this.sent) return Promise.resolve();
    this.sent = false;
    const n = ++this.flushCount;
    const done = new Promise<void>((resolve, reject) =>
      this.flushes.set(n, { upTo: this.nextId, done: resolve, fail: reject }),
    );
    if (this.streamed.size) {
      this.sealed.set(n, this.streamed);
      this.streamed = new Map();
    }
    const channel = worker.current!;
    channel.hold();
    channel.post({ job: this.job, flush: n });
    return done;
  }

  /** A message of the thread for this job. */
  receive(m: ScanOut): void {
    if (m.stats) moveStats(m.stats, this.stats);
    for (const r of m.results ?? []) {
      const later = this.take(r.id);
      if (!later) continue;
      // Merged with what the main thread's collectors kept (an OS or package file's data), as
      // the file's own scanner's result would have been (index.ts FileSink.end).
      let content = later.content as InspectedContent | undefined;
      if (r.secrets) later.content = content = { ...content, secrets: r.secrets };
      if (r.truncated && content) content.truncated = true;
    }
    if (m.flushed === undefined) return;
    const f = this.flushes.get(m.flushed)!;
    this.flushes.delete(m.flushed);
    // Files without a result are done too: their entries are forgotten. (Flushes are answered
    // in the order they were sent: `upTo` only grows.)
    this.sealed.delete(m.flushed);
    const drop = f.upTo - this.wholesFrom;
    if (drop > 0) {
      this.wholes = drop >= this.wholes.length ? [] : this.wholes.slice(drop);
      this.wholesFrom = f.upTo;
    }
    f.done();
  }

  /** File entries held for results still to come (tests: none once every flush is answered). */
  get held(): number {
    let n = this.wholes.filter(Boolean).length + this.streamed.size;
    for (const m of this.sealed.values()) n += m.size;
    return n;
  }

  /** A file's entry, forgotten here (its result has come). */
  private take(id: number): { content?: unknown } | undefined {
    const at = id - this.wholesFrom;
    const whole = at >= 0 ? this.wholes[at] : undefined;
    if (whole) {
      this.wholes[at] = undefined;
      return whole;
    }
    for (const laters of this.sealed.values()) {
      const later = laters.get(id);
      if (later) {
        laters.delete(id);
        return later;
      }
    }
    const later = this.streamed.get(id);
    this.streamed.delete(id);
    return later;
  }

  /** The thread stopped: what was in flight is gone. */
  lost(): void {
    // (A job with nothing in flight lost nothing: its later files are scanned on the main thread.)
    if (this.sent || this.used > 0 || this.flushes.size > 0) this.failed = true;
    this.slot = -1;
    this.used = 0;
    for (const f of this.flushes.values()) f.fail(lostError());
    this.flushes.clear();
    this.wholes = [];
    this.streamed.clear();
    this.sealed.clear();
  }
}

/** For tests of the fallback: stop the thread as a crash would. */
export const stopSecretWorkerForTest = (): Promise<unknown> => worker.stopForTest();
/** Resolves true once the thread has loaded (tests). */
export const secretWorkerReady = (): Promise<boolean> => worker.ready();
