/**
 * Blob bodies downloaded and hashed on a worker thread (fetch-thread.ts), handed to the main
 * thread without a copy.
 *
 * Why: the main thread already inflates, hashes (diffID) and parses every layer; reading sockets,
 * parsing HTTP and hashing the compressed bytes there too made it the bottleneck of a pull (and
 * copying each chunk to a hashing worker cost as much as hashing it). The worker reads the socket,
 * hashes each byte once, batches ~1 MiB and transfers (moves) the batch's memory here, where it
 * is pushed on to the engine.
 *
 * The main thread keeps all the policy: auth, redirects, retries and Range resumes (client.ts,
 * blob-stream.ts). The worker performs one GET per request with the same send() and time-outs.
 *
 * Fallback: when no worker can start, `offThreadAvailable()` is false and blobs download here;
 * when the thread stops (it never loaded, or crashed), requests in flight fail with code
 * EWORKER and blob-stream.ts starts them over on this thread.
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import { comesBack, lend } from '../../engine/lent-chunks.js';
import { LazyWorker, type WorkerChannel } from '../../engine/worker-thread.js';
import { BATCH } from './body-batches.js';
import type { FromFetchThread, ToFetchThread, WireError } from './fetch-protocol.js';
import { FETCH_THREAD } from './fetch-thread-url.js';
import type { HttpResponse } from './send.js';
import { TransportError, type Timing } from './exchange-errors.js';
import type { AgentSpec } from './transport.js';

export interface OffThreadRequest {
  url: URL;
  headers: Record<string, string>;
  agent: AgentSpec;
  timing: Timing;
  /** The blob's running digest, fed with the body of a 200/206. */
  hash: RemoteHash;
  /** Bytes already delivered by earlier attempts (skipped from a 200 when Range was ignored). */
  offset: number;
}

type Channel = WorkerChannel<ToFetchThread, FromFetchThread>;

let nextId = 1;
const pending = new Map<number, { resolve: (r: RemoteResponse) => void; reject: (e: Error) => void }>();
const streaming = new Map<number, RemoteResponse>();
const digests = new Map<number, (hex: string) => void>();

function workerStopped(err: Error): Error {
  return Object.assign(new Error(`the blob download worker stopped (${err.message})`), { code: 'EWORKER' });
}

/** The worker, started on first use; null when it cannot run here (callers download on this thread). */
const worker = new LazyWorker<ToFetchThread, FromFetchThread>(FETCH_THREAD, {
  message: onMessage,
  stop: (err) => {
    // The hashes died with it: what was in flight fails and starts over on this thread.
    const e = workerStopped(err);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    for (const r of streaming.values()) r.fail(e);
    streaming.clear();
    for (const resolve of digests.values()) resolve('');
    digests.clear();
    givenBack = [];
    for (const resolve of statsWaiting) resolve(undefined);
    statsWaiting = [];
  },
});
const getChannel = (): Channel | null => worker.get();

/**
 * Batches the engine is done with (lent-chunks.ts), waiting to be moved back to the worker to be
 * written again. They go with the next report of the consumer's reads (`taken`) rather than in a
 * message each: the worker fills batches again only once a report opens its window, so they
 * arrive when it can use them, and a pull sends half as many messages to the worker (each one a
 * wake-up of its thread; docs/performance.md, second session of 2026-12-06). At most the batches
 * of the bodies still streaming wait here: once none streams they go at once.
 */
let givenBack: ArrayBuffer[] = [];

function giveBatchBack(chunk: Uint8Array): void {
  if (!worker.current?.alive) return;
  givenBack.push(chunk.buffer as ArrayBuffer);
  if (streaming.size === 0) sendGivenBack();
}

/** The batches given back, now (no report is coming to take them: no body streams). */
function sendGivenBack(): void {
  if (givenBack.length === 0) return;
  const buffers = givenBack;
  givenBack = [];
  worker.current?.post({ t: 'spare', buffers }, buffers);
}

/** Tell the worker that a consumer has read `bytes` of request `id`, with the batches given back since. */
function reportTaken(id: number, bytes: number): void {
  const spares = givenBack;
  if (spares.length) givenBack = [];
  worker.current?.post({ t: 'taken', id, bytes, spares }, spares);
}

export function offThreadAvailable(): boolean {
  return getChannel() !== null;
}

/** Start the worker ahead of its first blob (its thread boots in parallel). */
export function prewarmFetchWorker(): void {
  getChannel();
}

/** Resolves true once the worker's module has loaded, false if it cannot run (tests, diagnostics). */
export const fetchWorkerReady = (): Promise<boolean> => worker.ready();

/** For tests of the fallback: stop the thread as a crash would. */
export const stopFetchWorkerForTest = (): Promise<unknown> => worker.stopForTest();

function fromWire(w: WireError): Error {
  return w.host && w.step
    ? new TransportError(w.message, w.code ?? 'ERROR', w.host, w.step)
    : Object.assign(new Error(w.message), w.code ? { code: w.code } : {});
}

let statsWaiting: ((s: { made: number; reused: number } | undefined) => void)[] = [];

/**
 * How many body batches the worker has made new and written again since it started (tests,
 * diagnostics); undefined where no worker runs.
 */
export function fetchWorkerStats(): Promise<{ made: number; reused: number } | undefined> {
  const c = worker.current;
  if (!c?.alive) return Promise.resolve(undefined);
  c.hold();
  return new Promise((resolve) => {
    statsWaiting.push((s) => {
      c.release();
      resolve(s);
    });
    c.post({ t: 'stats' });
  });
}

function onMessage(m: FromFetchThread): void {
  switch (m.t) {
    case 'stats': {
      const w = statsWaiting;
      statsWaiting = [];
      for (const resolve of w) resolve({ made: m.made, reused: m.reused });
      return;
    }
    case 'digest': {
      const resolve = digests.get(m.hash);
      digests.delete(m.hash);
      return resolve?.(m.hex);
    }
    case 'head':
    case 'whole': {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.t === 'head') {
        const r = new RemoteResponse(m.id, m.status, m.headers);
        streaming.set(m.id, r);
        return p?.resolve(r);
      }
      worker.current?.release();
      const r = new RemoteResponse(undefined, m.status, m.headers);
      r.deliver(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
      r.finish();
      return p?.resolve(r);
    }
    case 'error': {
      const e = fromWire(m.error);
      const p = pending.get(m.id);
      if (p) {
        pending.delete(m.id);
        worker.current?.release();
        return p.reject(e);
      }
      return streaming.get(m.id)?.fail(e);
    }
    case 'data': {
      const r = streaming.get(m.id);
      if (!r) return;
      const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      // A whole batch's memory goes back to the worker once the engine is done with it: lent when
      // the body is a gzip blob's or a plain tar's (its first bytes say so; a resumed body's rarely
      // do, and is then simply not lent), see comesBack.
      r.lending ??= comesBack(bytes);
      if (r.lending && m.bytes.buffer.byteLength === BATCH) lend(bytes, giveBatchBack);
      return r.deliver(bytes);
    }
    case 'end':
      return streaming.get(m.id)?.finish();
  }
}

/** A blob's digest computed in the worker across all the requests that deliver its bytes. */
export interface RemoteHash {
  readonly id: number;
  /** Hex digest of every body byte delivered so far ('' if the worker stopped); ends the hash. */
  digest(): Promise<string>;
  /** Forget it (blob abandoned). */
  drop(): void;
}

export function remoteHash(algorithm: string): RemoteHash {
  const c = getChannel();
  if (!c) throw Object.assign(new Error('the blob download worker is not available'), { code: 'EWORKER' });
  const id = nextId++;
  let done = false;
  c.hold();
  c.post({ t: 'hash-open', hash: id, algorithm });
  const finish = () => {
    if (done) return false;
    done = true;
    c.release();
    return true;
  };
  return {
    id,
    digest: () =>
      new Promise((resolve) => {
        if (!worker.current?.alive) {
          finish();
          return resolve('');
        }
        // Released once the answer is in: the worker stays referenced until then.
        digests.set(id, (hex) => {
          finish();
          resolve(hex);
        });
        worker.current.post({ t: 'hash-digest', hash: id });
      }),
    drop: () => {
      if (finish()) worker.current?.post({ t: 'hash-drop', hash: id });
    },
  };
}

/** One GET performed by the worker. Resolves with the response head; 200/206 bodies stream. */
export function sendOffThread(r: OffThreadRequest): Promise<RemoteResponse> {
  const c = getChannel();
  if (!c) return Promise.reject(workerStopped(new Error('not available')));
  const id = nextId++;
  c.hold();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    c.post({
      t: 'get',
      id,
      url: r.url.href,
      headers: r.headers,
      agent: r.agent,
      timing: r.timing,
      remainingMs: Math.max(0, r.timing.deadlineAt - Date.now()),
      hash: r.hash.id,
      offset: r.offset,
    });
  });
}

/** Close the worker's agents built for these specs (client.close()). */
export function closeOffThreadAgents(specs: AgentSpec[]): void {
  if (specs.length) worker.current?.post({ t: 'close-agents', agents: specs });
}

/**
 * A response whose body arrives from the worker: a Readable like an IncomingMessage. It tells the
 * worker how many bytes its consumer has read: the worker posts at most IN_FLIGHT bytes ahead of
 * that (fetch-thread.ts), so what waits here and on the channel stays within it.
 */
export class RemoteResponse extends Readable implements HttpResponse {
  complete = false;
  /** Its batches are lent to the engine (decided by the first). */
  lending?: boolean;
  /** Body bytes delivered here, and those reported to the worker as read. */
  private delivered = 0;
  private reported = 0;

  constructor(
    /** Worker request id while the body streams; undefined for a whole (small) response. */
    private id: number | undefined,
    readonly statusCode: number,
    readonly headers: http.IncomingHttpHeaders,
  ) {
    super({ highWaterMark: 2 << 20 });
    // Errors reach the consumer's listeners; with none yet attached they must not crash the process.
    this.on('error', () => {});
  }

  deliver(bytes: Buffer): void {
    if (this.destroyed) return;
    this.delivered += bytes.length;
    this.push(bytes);
    this.report();
  }

  /** Tell the worker what the consumer has read since the last report (it may post as much more). */
  private report(): void {
    const read = this.delivered - this.readableLength - this.reported;
    if (read <= 0 || this.id === undefined) return;
    this.reported += read;
    reportTaken(this.id, read);
  }

  finish(): void {
    if (this.destroyed) return;
    this.detach();
    this.complete = true;
    this.push(null);
  }

  fail(err: Error): void {
    this.detach();
    this.destroy(err);
  }

  // Every read of the consumer's (flowing mode reads too) is reported. Not from _read(): a
  // Readable calls it once and then not again until the next push, and with the window full no
  // push comes; a report missed there would stop the body for good.
  override read(size?: number): Buffer | null {
    const chunk = super.read(size) as Buffer | null;
    this.report();
    return chunk;
  }

  override _read(): void {
    // Bytes arrive as the worker posts them (deliver).
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (this.id !== undefined) worker.current?.post({ t: 'abort', id: this.id });
    this.detach();
    cb(err);
  }

  /** The worker has forgotten the request (ended, failed or aborted). */
  private detach(): void {
    if (this.id === undefined) return;
    streaming.delete(this.id);
    this.id = undefined;
    if (streaming.size === 0) sendGivenBack();
    worker.current?.release();
  }
}
