/**
 * Runs the secret scan on a worker thread. Scanning text is the most expensive check (one pass
 * over every byte of every text file); on the main thread it competed with hashing and tar
 * parsing, and added ~50% to a load. Here the main thread only copies each file's bytes into ~1 MiB
 * batches that are transferred to one worker; results come back per file and are filled into the
 * objects the content sinks already returned, before `flush()` resolves.
 */
import { Worker } from 'node:worker_threads';
import type { InspectedContent } from './content.js';
import type { BatchMessage, BatchOp, ResultMessage } from './remote-protocol.js';
import { looksBinary, type ScanOptions } from './secrets/scanner.js';

const BATCH = 1 << 20;
/** Bytes sent but not yet scanned before the loader is asked to wait. */
const IN_FLIGHT_LIMIT = 32 << 20;
/** A binary file's first bytes still go over (the scanner recognises keystores by name). */
const BINARY_HEAD = 8192;

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import('tsx/esm/api')).register();
  await import(workerData.entry);
})().catch((err) => { throw err; });
`;

export interface RemoteFile {
  write(chunk: Buffer): void;
  end(): void;
}

export class RemoteScanPool {
  private ops: BatchOp[] = [];
  private buf: Buffer = Buffer.allocUnsafeSlow(BATCH);
  private used = 0;
  private nextId = 1;
  private inFlight = 0;
  private readonly targets = new Map<number, InspectedContent>();
  private flushSeq = 0;
  private readonly flushWaiters = new Map<number, () => void>();
  private drainWaiters: Array<() => void> = [];
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly maxBytes: number,
  ) {
    worker.on('message', (m: ResultMessage | { t: 'flushed'; seq: number }) => {
      if (m.t === 'flushed') {
        this.flushWaiters.get(m.seq)?.();
        this.flushWaiters.delete(m.seq);
        return;
      }
      for (const r of m.results) {
        const target = this.targets.get(r.id);
        if (!target) continue;
        if (r.secrets) target.secrets = r.secrets;
        if (r.truncated) target.truncated = true;
      }
      this.inFlight -= m.bytes;
      if (this.inFlight < IN_FLIGHT_LIMIT / 2) this.releaseDrainWaiters();
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`secret scan worker exited with code ${code}`));
    });
    worker.unref();
  }

  /** A pool, or null when a worker thread cannot start here (the caller scans in-thread). */
  static start(opts: ScanOptions & { maxBytes: number }): RemoteScanPool | null {
    try {
      const here = import.meta.url;
      // Built JS next to built JS; under tsx (tests, benchmarks) the TypeScript source.
      const fromSource = here.endsWith('.ts');
      const url = new URL(fromSource ? './scan-worker.ts' : './scan-worker.js', here);
      // Under tsx (tests, benchmarks) the worker must register tsx itself before importing the
      // TypeScript entry: loader hooks from --import do not reach worker threads on Node 20.
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...opts, entry: url.href, tsx: fromSource } });
      return new RemoteScanPool(worker, opts.maxBytes);
    } catch {
      return null;
    }
  }

  /** Stream one file to the worker; results are written into `target` before flush() resolves. */
  open(path: string, target: InspectedContent): RemoteFile {
    const id = this.nextId++;
    this.targets.set(id, target);
    let first = true;
    let sent = 0;
    let binary = false;
    // maxBytes + 1 lets the worker's scanner notice that the file was longer than it reads.
    const cap = this.maxBytes + 1;
    return {
      write: (chunk) => {
        if (binary || sent >= cap) return;
        if (first && looksBinary(chunk)) {
          binary = true;
          chunk = chunk.subarray(0, BINARY_HEAD);
        }
        if (sent + chunk.length > cap) chunk = chunk.subarray(0, cap - sent);
        this.append(id, first ? path : undefined, chunk, false);
        first = false;
        sent += chunk.length;
      },
      end: () => {
        this.append(id, first ? path : undefined, undefined, true);
      },
    };
  }

  private append(id: number, path: string | undefined, chunk: Buffer | undefined, end: boolean): void {
    const len = chunk?.length ?? 0;
    if (len > this.buf.length - this.used) {
      this.post();
      if (len > this.buf.length) this.buf = Buffer.allocUnsafeSlow(len);
    }
    if (chunk) chunk.copy(this.buf, this.used);
    this.ops.push({ id, path, off: this.used, len, end });
    this.used += len;
  }

  private post(): void {
    if (this.ops.length === 0) return;
    const ab = this.buf.buffer.slice(this.buf.byteOffset, this.buf.byteOffset + this.used) as ArrayBuffer;
    const msg: BatchMessage = { t: 'batch', ops: this.ops, buf: ab };
    this.inFlight += ab.byteLength;
    this.worker.ref();
    this.worker.postMessage(msg, [ab]);
    this.ops = [];
    this.buf = Buffer.allocUnsafeSlow(BATCH);
    this.used = 0;
  }

  /** A promise to wait on when the worker is behind (the loader holds the decoder back). */
  pressure(): Promise<void> | undefined {
    if (this.failure || this.inFlight < IN_FLIGHT_LIMIT) return undefined;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Everything sent so far is scanned and its results filled in. */
  async flush(): Promise<void> {
    this.post();
    if (this.failure) throw this.failure;
    const seq = ++this.flushSeq;
    this.worker.ref();
    await new Promise<void>((resolve) => {
      this.flushWaiters.set(seq, resolve);
      this.worker.postMessage({ t: 'flush', seq });
    });
    this.worker.unref();
    this.targets.clear();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.flushWaiters.values()) w();
    this.flushWaiters.clear();
    this.releaseDrainWaiters();
  }

  private releaseDrainWaiters(): void {
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w();
  }
}
