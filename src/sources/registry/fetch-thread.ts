/**
 * The blob download worker thread (started by fetch-worker.ts): performs one GET per request,
 * hashes each body byte once into the blob's running digest, batches ~1 MiB and transfers (moves)
 * each batch's memory to the main thread (body-batches.ts). Answers other than 200/206 come back
 * whole (their first 64 KiB) for redirects and error messages.
 *
 * Two ways to read a response, with the same time-outs and errors (send.ts' rules):
 * - raw-get.ts, by default: its own sockets reading into one reused buffer and its own HTTP/1.1
 *   parser (http1-response.ts), for HTTP and HTTPS. node:http's body path (a new buffer per
 *   socket read, a copy per body chunk) was most of this thread's time on a large pull.
 * - send.ts on node:http, for what raw-get leaves to it (a response it does not handle: 1xx,
 *   another transfer- or content-encoding, a body without a length; such a request is sent
 *   again there before anything was delivered), and for every request when
 *   LAYERLENS_NO_RAW_HTTP=1 (comparisons, and a way around a bug in the raw reader).
 */
import { createHash, type Hash } from 'node:crypto';
import type http from 'node:http';
import { workerPort } from '../../engine/worker-thread.js';
import { BodyBatches, sparePool } from './body-batches.js';
import { type FromFetchThread, IN_FLIGHT, type ToFetchThread, type WireError } from './fetch-protocol.js';
import { ERROR_BODY_LIMIT } from './limits.js';
import { closeConnections } from './raw-conn.js';
import { rawGet } from './raw-get.js';
import { TransportError, type Timing } from './exchange-errors.js';
import type { AgentSpec } from './transport.js';

type Get = Extract<ToFetchThread, { t: 'get' }>;

/** A request in flight, whichever path reads it. */
interface Running {
  /** The transport's own controls (a socket, or node:http's response). */
  pause(): void;
  resume(): void;
  abort(): void;
  batches?: BodyBatches;
  /** Bytes posted and not yet read by the main thread's consumer (see IN_FLIGHT). */
  posted: number;
  /** The transport is paused (the window is full). */
  stopped: boolean;
}

const newRunning = (): Running => ({ pause() {}, resume() {}, abort() {}, posted: 0, stopped: false });

/** Pause or resume the transport as the window says. */
function settle(r: Running): void {
  const stop = r.posted >= IN_FLIGHT;
  if (stop === r.stopped) return;
  r.stopped = stop;
  if (stop) r.pause();
  else r.resume();
}

const RAW = process.env.LAYERLENS_NO_RAW_HTTP !== '1';
const agents = new Map<string, http.Agent>();
const hashes = new Map<number, Hash>();
const running = new Map<number, Running>();
const spares = sparePool(() => running.size > 0);

const port = workerPort<ToFetchThread, FromFetchThread>((m) => {
  switch (m.t) {
    case 'get':
      return start(m);
    case 'taken': {
      for (const b of m.spares) spares.put(b);
      const r = running.get(m.id);
      if (!r) return;
      r.posted -= m.bytes;
      return settle(r);
    }
    case 'abort': {
      const r = running.get(m.id);
      running.delete(m.id);
      if (running.size === 0) spares.release();
      r?.batches?.drop();
      return r?.abort();
    }
    case 'hash-open':
      return void hashes.set(m.hash, createHash(m.algorithm));
    case 'hash-digest': {
      const h = hashes.get(m.hash);
      hashes.delete(m.hash);
      return port.post({ t: 'digest', hash: m.hash, hex: h ? h.digest('hex') : '' });
    }
    case 'hash-drop':
      return void hashes.delete(m.hash);
    case 'spare':
      for (const b of m.buffers) spares.put(b);
      return;
    case 'stats':
      return port.post({ t: 'stats', made: spares.made, reused: spares.reused });
    case 'close-agents':
      closeConnections(m.agents);
      for (const spec of m.agents) {
        const key = JSON.stringify(spec);
        agents.get(key)?.destroy();
        agents.delete(key);
      }
  }
});

/**
 * node:http's path (send.ts, transport.ts), loaded when a request first takes it: most pulls never
 * do, and loading it with this module made the thread start ~25 ms later (a pull waits for the
 * thread before its first blob byte).
 */
let nodeHttp: Promise<[typeof import('./send.js'), typeof import('./transport.js')]> | undefined;
const loadNodeHttp = () => (nodeHttp ??= Promise.all([import('./send.js'), import('./transport.js')]));

function agentFor(spec: AgentSpec, agentFromSpec: (spec: AgentSpec) => http.Agent): http.Agent {
  const key = JSON.stringify(spec);
  let a = agents.get(key);
  if (!a) agents.set(key, (a = agentFromSpec(spec)));
  return a;
}

function wire(err: unknown): WireError {
  if (err instanceof TransportError) return { message: err.message, code: err.code, host: err.host, step: err.step };
  const e = err as NodeJS.ErrnoException;
  return { message: String(e?.message ?? err), code: e?.code };
}

/** The one terminal message of a request; bytes already hashed are delivered before it. */
function end(id: number, msg: FromFetchThread): void {
  const r = running.get(id);
  if (!r) return;
  r.batches?.flush();
  running.delete(id);
  if (running.size === 0) spares.release();
  port.post(msg);
}

/**
 * What both paths do with a response: a 200/206 streams (hashed, batched), any other status is
 * read up to ERROR_BODY_LIMIT and sent whole. `stop` ends the transport early.
 */
function receiver(m: Get, r: Running) {
  let whole: { status: number; headers: http.IncomingHttpHeaders; chunks: Buffer[]; n: number } | undefined;
  const sendWhole = () => {
    if (!whole) return;
    const w = whole;
    whole = undefined;
    end(m.id, { t: 'whole', id: m.id, status: w.status, headers: w.headers, body: Buffer.concat(w.chunks) });
  };
  return {
    head(status: number, headers: http.IncomingHttpHeaders): void {
      if (status !== 200 && status !== 206) {
        whole = { status, headers, chunks: [], n: 0 };
        return;
      }
      port.post({ t: 'head', id: m.id, status, headers });
      r.batches = new BodyBatches(
        status === 200 ? m.offset : 0,
        hashes.get(m.hash),
        (bytes) => {
          r.posted += bytes.length;
          port.post({ t: 'data', id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
          settle(r);
        },
        spares,
      );
    },
    body(chunk: Buffer, stop: () => void): void {
      if (r.batches) return r.batches.write(chunk);
      if (!whole) return;
      // Copied: a raw reader's chunk is a view of its read buffer.
      whole.chunks.push(Buffer.from(chunk.subarray(0, ERROR_BODY_LIMIT - whole.n)));
      whole.n += chunk.length;
      if (whole.n >= ERROR_BODY_LIMIT) {
        sendWhole();
        stop();
      }
    },
    end(): void {
      if (whole) sendWhole();
      else end(m.id, { t: 'end', id: m.id });
    },
    error(err: unknown): void {
      end(m.id, { t: 'error', id: m.id, error: wire(err) });
    },
  };
}

function start(m: Get): void {
  // The deadline runs from here: time the request waited for this thread (booting, busy) is not
  // the server's.
  const timing: Timing = { ...m.timing, deadlineAt: Date.now() + m.remainingMs };
  if (!RAW) return void startNode(m, timing);
  const r = newRunning();
  running.set(m.id, r);
  const rx = receiver(m, r);
  const g = rawGet(
    { url: new URL(m.url), headers: m.headers, spec: m.agent, timing },
    {
      head: (status, headers) => rx.head(status, headers),
      body: (chunk) => rx.body(chunk, () => g.abort()),
      end: () => rx.end(),
      error: (err) => rx.error(err),
      // Nothing was delivered: the same request, on node:http.
      unsupported: () => {
        if (running.get(m.id) === r) void startNode(m, timing);
      },
    },
  );
  r.pause = g.pause;
  r.resume = g.resume;
  r.abort = g.abort;
}

/** The request on node:http (send.ts): the fall-back path. */
async function startNode(m: Get, timing: Timing): Promise<void> {
  // Aborted before its headers arrive, the request is cancelled too (its socket freed).
  const ac = new AbortController();
  let res: http.IncomingMessage | undefined;
  const r = newRunning();
  r.pause = () => res?.pause();
  r.resume = () => res?.resume();
  r.abort = () => (ac.abort(), res?.destroy());
  running.set(m.id, r);
  try {
    const [{ send }, { agentFromSpec }] = await loadNodeHttp();
    // (Aborted while the modules loaded: not sent.)
    if (ac.signal.aborted) return;
    res = await send({
      method: 'GET',
      url: new URL(m.url),
      headers: m.headers,
      agent: agentFor(m.agent, agentFromSpec),
      timing,
      signal: ac.signal,
    });
  } catch (err) {
    return end(m.id, { t: 'error', id: m.id, error: wire(err) });
  }
  if (running.get(m.id) !== r) return void res.destroy(); // aborted meanwhile
  const got = res;
  const rx = receiver(m, r);
  got.on('error', (err) => rx.error(err));
  rx.head(got.statusCode ?? 0, got.headers);
  got.on('data', (c: Buffer) => rx.body(c, () => got.destroy()));
  got.on('end', () => rx.end());
}
