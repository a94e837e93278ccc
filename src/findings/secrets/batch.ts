/**
 * Small files scanned for secrets in batches. Most files of an image are small, arrive whole in
 * one chunk and hold no rule keyword at all; scanning each with its own FileSecretScanner cost a
 * scanner, a call into WebAssembly and its setup per file, more than the scan of its bytes. Here
 * their bytes are staged one after another and the keyword prefilter runs once per ~256 KiB; only
 * the files with a keyword hit (one that what follows it allows: follow.ts) then go through a
 * FileSecretScanner, given those hits, which finds what scanning them alone finds (a file
 * without such a hit has no match: rules run only on lines that hold one). Their results are
 * set on the entries they belong to (`later.content`) when the batch runs: when it is full, and
 * at the latest in `run()`, which the engine calls before it applies a layer
 * (ContentInspector.flush).
 */
import type { InspectedContent } from '../content.js';
import { keywordWasmUsable, loadStagedKeywordScan, type StagedKeywordScan } from './keyword-wasm.js';
import { FileSecretScanner, type ScanOptions } from './scanner.js';

/** Files up to this size can be batched (when they arrive in one chunk). */
export const BATCH_FILE_MAX = 256 * 1024;
/**
 * Staged bytes that start a batch run. Small enough that the staging area's pages, touched first
 * in a fresh process (slow here: sources/buffer-pool.ts), are few, and that what was staged is
 * still in the cache when it is scanned; a run costs a call into WebAssembly and a walk of its
 * files, not more.
 */
const BATCH_BYTES = 256 * 1024;
/**
 * Staged files that start a batch run, however few bytes they hold. A queued file's path (its
 * components) waits here until its batch runs; a megabyte of 30-byte files is ~30,000 of them,
 * enough to outlive two young-generation collections and be copied into the old one, there to die
 * (issue 16: on a million tiny files, more old-generation garbage than the tree's own growth).
 */
const BATCH_FILES = 2048;

// Staging areas (WebAssembly instances) between batch runs, for the next batch to take: a new
// one costs its tables and the pages of its keyword table it writes (~3 ms), once per image load.
const idle: StagedKeywordScan[] = [];
const IDLE_MAX = 2;
const newStaging = () => idle.pop() ?? loadStagedKeywordScan(BATCH_BYTES + BATCH_FILE_MAX);

export class SecretBatch {
  // The queued files, `count` of them, in lists made once at their full length: lists emptied
  // after each run grew again by copies for every batch (issue 16: ~130 bytes of garbage a file,
  // a sixth of what a million tiny files made while they streamed).
  private readonly offsets = new Int32Array(BATCH_FILES);
  private readonly lengths = new Int32Array(BATCH_FILES);
  private readonly paths = new Array<readonly string[] | undefined>(BATCH_FILES).fill(undefined);
  private readonly targets = new Array<{ content?: unknown } | undefined>(BATCH_FILES).fill(undefined);
  private count = 0;
  /** A file staged and not queued yet: its offset and length (stage() is always followed by queue()). */
  private stagedAt = 0;
  private stagedLength = 0;

  private constructor(
    /** Taken when the first file is staged, given back when a run leaves nothing staged. */
    private staging: StagedKeywordScan | undefined,
    private readonly opts: ScanOptions,
  ) {}

  /**
   * A batch, or undefined where the WebAssembly prefilter cannot load (scan file by file). Its
   * staging area is taken when the first file is staged: in a fresh process that is the first
   * instance of the module, whose tables (~5-10 ms) are then filled during the load, beside the
   * thread that hashes the layers, rather than before it starts.
   */
  static create(opts: ScanOptions): SecretBatch | undefined {
    return keywordWasmUsable() ? new SecretBatch(undefined, opts) : undefined;
  }

  private take(): StagedKeywordScan {
    if (this.staging) return this.staging;
    const staging = newStaging();
    // (create() found the module usable: only a failure to allocate its memory gets here.)
    if (!staging) throw new Error('the keyword prefilter could not be instantiated');
    return (this.staging = staging);
  }

  /**
   * Stage a whole file given as `buf[start, end)` (no slice of it made); false (nothing staged)
   * when it looks binary. A staged file must be `queue`d next, before anything else is staged.
   */
  stage(buf: Buffer, start: number, end: number): boolean {
    const at = this.take().stage(buf, start, end);
    const stats = this.opts.stats;
    if (at < 0) {
      if (stats) stats.binary++;
      return false;
    }
    if (stats) {
      stats.files++;
      stats.bytes += end - start;
    }
    this.stagedAt = at;
    this.stagedLength = end - start;
    return true;
  }

  /**
   * Queue the file last staged (its path as components: joined only if it has a hit); its
   * result, if any, is set on `later.content` when the batch runs.
   */
  queue(parts: readonly string[], later: { content?: unknown }): void {
    const f = this.count++;
    this.offsets[f] = this.stagedAt;
    this.lengths[f] = this.stagedLength;
    this.paths[f] = parts;
    this.targets[f] = later;
    if (this.staging!.staged >= BATCH_BYTES || this.count >= BATCH_FILES) this.run();
  }

  /** Scan what is queued and deliver the results; the staging area is given back. */
  run(): void {
    const staging = this.staging;
    if (!staging) return;
    this.staging = undefined;
    const n = this.count;
    if (n > 0) this.deliver(staging, n);
    staging.reset();
    if (idle.length < IDLE_MAX) idle.push(staging);
  }

  private deliver(staging: StagedKeywordScan, n: number): void {
    const { positions, keywords } = staging.scan();
    // Hits and files are both in offset order: one walk gives each file its hits.
    let h = 0;
    for (let f = 0; f < n && h < positions.length; f++) {
      const start = this.offsets[f];
      const end = start + this.lengths[f];
      while (h < positions.length && positions[h] < start) h++; // (separators: none start a keyword)
      if (h === positions.length || positions[h] >= end) continue;
      const mine = { positions: [] as number[], keywords: [] as number[] };
      for (; h < positions.length && positions[h] < end; h++) {
        mine.positions.push(positions[h] - start);
        mine.keywords.push(keywords[h]);
      }
      const secrets = new FileSecretScanner('/' + this.paths[f]!.join('/'), this.opts, true).scanWhole(
        staging.view(start, this.lengths[f]),
        mine,
      );
      if (secrets) this.targets[f]!.content = { secrets } satisfies InspectedContent;
    }
    // (Emptied, so the run's paths and entries are not kept alive until the next overwrites them.)
    this.paths.fill(undefined, 0, n);
    this.targets.fill(undefined, 0, n);
    this.count = 0;
  }
}
