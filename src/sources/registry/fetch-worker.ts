/**
 * Blob bodies downloaded and hashed on a worker thread, handed to the main thread without a copy.
 *
 * Why: the main thread already inflates, hashes (diffID) and parses every layer; reading sockets,
 * parsing HTTP and hashing the compressed bytes there too made it the bottleneck of a pull (and
 * copying each chunk to a hashing worker cost as much as hashing it). The worker reads the socket,
 * hashes each byte once, batches ~1 MiB and transfers (moves) the batch's memory to the main
 * thread, which only pushes it on to the engine.
 *
 * The main thread keeps all the policy: auth, redirects (Authorization is only ever sent to the
 * registry's origin: client.ts decides the headers of each hop), retries and Range resumes. The
 * worker performs one HTTP exchange per request; 200/206 bodies are streamed (and hashed into the
 * blob's running digest, skipping what an earlier attempt already delivered when a server ignores
 * Range), any other status comes back whole (first 64 KiB) for error messages.
 *
 * If the worker cannot start, callers download on the main thread instead (see blob-stream.ts).
 */
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Worker } from 'node:worker_threads';
import { startEvalWorker } from '../eval-worker.js';
import type { HttpResponse } from './http.js';

/** How the worker builds its agent for a hop (mirrors RegistryClient.agentFor). */
export interface AgentSpec {
  https: boolean;
  /** Extra CA certificates (PEM), added to Node's bundled roots. */
  ca?: string[];
  cert?: string;
  key?: string;
  /** Skip certificate verification. */
  insecure?: boolean;
}

export interface OffThreadRequest {
  url: URL;
  headers: Record<string, string>;
  agent: AgentSpec;
  timeoutMs: number;
  /** The blob's running digest, fed with the body of a 200/206. */
  hash: RemoteHash;
  /** Bytes already delivered by earlier attempts (skipped from a 200 when Range was ignored). */
  offset: number;
}

// CommonJS source run with eval: no file to locate in src/ (tsx) or dist/ (build).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const tls = require('node:tls');
const { createHash } = require('node:crypto');
const BATCH = 1 << 20;
const FLUSH_MS = 20;
const SMALL_BODY = 64 * 1024;
const agents = new Map();
const hashes = new Map();
const reqs = new Map();

function agentFor(spec) {
  const key = JSON.stringify(spec);
  let a = agents.get(key);
  if (!a) {
    a = spec.https
      ? new https.Agent({ keepAlive: true, maxSockets: 16, ca: spec.ca && spec.ca.length ? [...tls.rootCertificates, ...spec.ca] : undefined, cert: spec.cert, key: spec.key, rejectUnauthorized: !spec.insecure })
      : new http.Agent({ keepAlive: true, maxSockets: 16 });
    agents.set(key, a);
  }
  return a;
}

// One terminal event per request; nothing is posted for it afterwards.
// Bytes already hashed are delivered before it, so a resume starts exactly where they end.
function end(id, msg) {
  const r = reqs.get(id);
  if (!r) return;
  if (r.flush) r.flush();
  reqs.delete(id);
  if (r.timer) clearTimeout(r.timer);
  parentPort.postMessage(msg);
}

function errorMessage(id, err) {
  return { t: 'error', id, message: String(err && err.message || err), code: err && err.code };
}

function start(m) {
  const url = new URL(m.url);
  const r = { req: null, res: null, timer: null, flush: null };
  reqs.set(m.id, r);
  const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers: m.headers, agent: agentFor(m.agent) });
  r.req = req;
  req.setTimeout(m.timeoutMs, () => {
    const e = new Error('no response from ' + url.host + ' for ' + m.timeoutMs / 1000 + 's');
    e.code = 'ETIMEDOUT';
    req.destroy(e);
  });
  req.on('error', (e) => end(m.id, errorMessage(m.id, e)));
  req.on('response', (res) => {
    r.res = res;
    if (res.socket) res.socket.setTimeout(m.timeoutMs);
    const status = res.statusCode || 0;
    res.on('error', (e) => end(m.id, errorMessage(m.id, e)));
    res.on('aborted', () => end(m.id, { t: 'aborted', id: m.id }));
    if (status !== 200 && status !== 206) {
      const chunks = [];
      let n = 0;
      res.on('data', (c) => {
        if (n < SMALL_BODY) chunks.push(c.subarray(0, SMALL_BODY - n));
        n += c.length;
      });
      res.on('end', () => end(m.id, { t: 'small', id: m.id, status, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }));
      return;
    }
    parentPort.postMessage({ t: 'head', id: m.id, status, headers: res.headers });
    const h = hashes.get(m.hash);
    let skip = status === 200 ? m.offset : 0;
    let pending = [];
    let n = 0;
    const flush = () => {
      if (r.timer) clearTimeout(r.timer);
      r.timer = null;
      if (!n || !reqs.has(m.id)) return;
      let b;
      if (pending.length === 1 && pending[0].byteOffset === 0 && pending[0].byteLength === pending[0].buffer.byteLength) b = pending[0];
      else {
        // Its own memory (never the shared pool), so it can be moved.
        b = Buffer.allocUnsafeSlow(n);
        let o = 0;
        for (const c of pending) o += c.copy(b, o);
      }
      pending = [];
      n = 0;
      parentPort.postMessage({ t: 'data', id: m.id, b }, [b.buffer]);
    };
    r.flush = flush;
    res.on('data', (c) => {
      if (skip > 0) {
        if (c.length <= skip) {
          skip -= c.length;
          return;
        }
        c = c.subarray(skip);
        skip = 0;
      }
      if (h) h.update(c);
      pending.push(c);
      n += c.length;
      if (n >= BATCH) flush();
      else if (!r.timer) r.timer = setTimeout(flush, FLUSH_MS);
    });
    res.on('end', () => {
      flush();
      end(m.id, { t: 'end', id: m.id, complete: res.complete });
    });
  });
  req.end();
}

parentPort.on('message', (m) => {
  switch (m.t) {
    case 'get': return start(m);
    case 'pause': { const r = reqs.get(m.id); if (r && r.res) r.res.pause(); return; }
    case 'resume': { const r = reqs.get(m.id); if (r && r.res) r.res.resume(); return; }
    case 'abort': {
      const r = reqs.get(m.id);
      reqs.delete(m.id);
      if (r) { if (r.timer) clearTimeout(r.timer); r.req.destroy(); }
      return;
    }
    case 'hopen': hashes.set(m.hash, createHash(m.alg)); return;
    case 'hdigest': {
      const h = hashes.get(m.hash);
      hashes.delete(m.hash);
      parentPort.postMessage({ t: 'hex', hash: m.hash, hex: h ? h.digest('hex') : '' });
      return;
    }
    case 'hdrop': hashes.delete(m.hash); return;
    case 'close': for (const k of m.agents) { const a = agents.get(k); agents.delete(k); if (a) a.destroy(); } return;
  }
});
`;

type FromWorker =
  | { t: 'head'; id: number; status: number; headers: http.IncomingHttpHeaders }
  | { t: 'small'; id: number; status: number; headers: http.IncomingHttpHeaders; body: Uint8Array; complete: boolean }
  | { t: 'data'; id: number; b: Uint8Array }
  | { t: 'end'; id: number; complete: boolean }
  | { t: 'aborted'; id: number }
  | { t: 'error'; id: number; message: string; code?: string }
  | { t: 'hex'; hash: number; hex: string };

let worker: Worker | null | undefined;
let nextId = 1;
/** Open hashes and requests: the worker keeps the process alive only while there are some. */
let holds = 0;
const pending = new Map<number, { resolve: (r: RemoteResponse) => void; reject: (e: Error) => void }>();
const responses = new Map<number, RemoteResponse>();
const digests = new Map<number, (hex: string) => void>();

/** The worker, started on first use; null when it cannot run here (callers fall back). */
function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  worker = startEvalWorker<FromWorker>(WORKER_SOURCE, onMessage, (err) => {
    worker = null;
    // Hash state died with it: what was in flight fails (new blobs download on this thread).
    const e = Object.assign(new Error(`blob download worker stopped: ${err.message}`), { code: 'EWORKER' });
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    for (const r of responses.values()) r.deliver('error', e);
    responses.clear();
    for (const resolve of digests.values()) resolve('');
    digests.clear();
  });
  return worker;
}

export function offThreadAvailable(): boolean {
  return getWorker() !== null;
}

/** Start the worker ahead of its first blob (its thread boots in parallel). */
export function prewarmFetchWorker(): void {
  getWorker();
}

function hold(w: Worker): void {
  if (holds++ === 0) w.ref();
}

function release(): void {
  if (--holds === 0) worker?.unref();
}

function onMessage(m: FromWorker): void {
  switch (m.t) {
    case 'hex': {
      const resolve = digests.get(m.hash);
      digests.delete(m.hash);
      resolve?.(m.hex);
      return;
    }
    case 'head': {
      const p = pending.get(m.id);
      pending.delete(m.id);
      const r = new RemoteResponse(m.id, m.status, m.headers);
      responses.set(m.id, r);
      p?.resolve(r);
      return;
    }
    case 'small': {
      const p = pending.get(m.id);
      pending.delete(m.id);
      release();
      const r = new RemoteResponse(undefined, m.status, m.headers);
      if (m.body.byteLength) r.deliver('data', Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
      r.deliver('end', m.complete);
      p?.resolve(r);
      return;
    }
    case 'error': {
      const e = Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
      const p = pending.get(m.id);
      if (p) {
        pending.delete(m.id);
        release();
        p.reject(e);
        return;
      }
      responses.get(m.id)?.deliver('error', e);
      return;
    }
    default:
      responses
        .get(m.id)
        ?.deliver(
          m.t,
          m.t === 'data'
            ? Buffer.from(m.b.buffer, m.b.byteOffset, m.b.byteLength)
            : m.t === 'end'
              ? m.complete
              : undefined,
        );
  }
}

/** A blob's digest computed in the worker across all the requests that deliver its bytes. */
export interface RemoteHash {
  readonly id: number;
  /** Hex digest of every body byte delivered so far; ends the hash. */
  digest(): Promise<string>;
  /** Forget it (blob abandoned). */
  drop(): void;
}

export function remoteHash(algorithm: string): RemoteHash {
  const w = getWorker();
  if (!w) throw new Error('blob download worker unavailable');
  const id = nextId++;
  let done = false;
  hold(w);
  w.postMessage({ t: 'hopen', hash: id, alg: algorithm });
  const finish = () => {
    if (done) return false;
    done = true;
    release();
    return true;
  };
  return {
    id,
    digest: () =>
      new Promise((resolve) => {
        if (!worker) {
          finish();
          return resolve('');
        }
        // Released once the answer is in: the worker stays referenced until then.
        digests.set(id, (hex) => {
          finish();
          resolve(hex);
        });
        worker.postMessage({ t: 'hdigest', hash: id });
      }),
    drop: () => {
      if (finish()) worker?.postMessage({ t: 'hdrop', hash: id });
    },
  };
}

/** One GET performed by the worker. Resolves with the response head; 200/206 bodies stream. */
export function sendOffThread(r: OffThreadRequest): Promise<RemoteResponse> {
  const w = getWorker();
  if (!w) return Promise.reject(Object.assign(new Error('blob download worker unavailable'), { code: 'EWORKER' }));
  const id = nextId++;
  hold(w);
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({
      t: 'get',
      id,
      url: r.url.href,
      headers: r.headers,
      agent: r.agent,
      timeoutMs: r.timeoutMs,
      hash: r.hash.id,
      offset: r.offset,
    });
  });
}

/** Close the worker's agents built for these specs (client.close()). */
export function closeOffThreadAgents(specs: AgentSpec[]): void {
  if (worker && specs.length) worker.postMessage({ t: 'close', agents: specs.map((s) => JSON.stringify(s)) });
}

type Queued =
  | { ev: 'data'; arg: Buffer }
  | { ev: 'end'; arg: boolean }
  | { ev: 'aborted' }
  | { ev: 'error'; arg: Error };

/**
 * A response whose body arrives from the worker: the IncomingMessage events blob-stream.ts uses
 * ('data', 'end', 'aborted', 'error', then 'close'), in order, held while paused. Pausing it
 * pauses the socket in the worker (a few batches may still be in flight; they wait here).
 */
export class RemoteResponse extends EventEmitter implements HttpResponse {
  complete = false;
  private queue: Queued[] = [];
  private flowing = false;
  private remotePaused = false;
  private closed = false;

  constructor(
    /** Worker request id while the body streams; undefined for a whole (small) response. */
    private id: number | undefined,
    readonly statusCode: number,
    readonly headers: http.IncomingHttpHeaders,
  ) {
    super();
    // Flow starts when someone listens for data, as with a Readable.
    this.on('newListener', (ev) => {
      if (ev === 'data') queueMicrotask(() => !this.flowing && !this.closed && this.resume());
    });
  }

  /** From the worker (or onMessage for a whole response). */
  deliver(ev: Queued['ev'], arg?: unknown): void {
    if (this.closed) return;
    // After a terminal event the worker has forgotten the request.
    if (ev !== 'data') this.detach();
    this.queue.push({ ev, arg } as Queued);
    this.drain();
  }

  private drain(): void {
    while (this.flowing && !this.closed && this.queue.length) {
      const q = this.queue.shift()!;
      if (q.ev === 'data') {
        this.emit('data', q.arg);
        continue;
      }
      if (q.ev === 'end') {
        this.complete = q.arg;
        this.emit('end');
      } else if (q.ev === 'aborted') this.emit('aborted');
      else if (this.listenerCount('error')) this.emit('error', q.arg);
      this.close();
    }
  }

  pause(): this {
    this.flowing = false;
    if (this.id !== undefined && !this.remotePaused) {
      this.remotePaused = true;
      worker?.postMessage({ t: 'pause', id: this.id });
    }
    return this;
  }

  resume(): this {
    this.flowing = true;
    this.drain();
    if (this.flowing && this.remotePaused && this.id !== undefined) {
      this.remotePaused = false;
      worker?.postMessage({ t: 'resume', id: this.id });
    }
    return this;
  }

  destroy(): this {
    if (this.closed) return this;
    if (this.id !== undefined) worker?.postMessage({ t: 'abort', id: this.id });
    this.detach();
    this.queue = [];
    this.close();
    return this;
  }

  private detach(): void {
    if (this.id === undefined) return;
    responses.delete(this.id);
    this.id = undefined;
    release();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}
