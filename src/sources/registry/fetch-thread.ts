/**
 * The blob download worker thread (started by fetch-worker.ts): performs one GET per request with
 * the same send() as the main thread (so the same time-outs), hashes each body byte once into the
 * blob's running digest, batches ~1 MiB and transfers (moves) each batch's memory to the main
 * thread. Answers other than 200/206 come back whole (their first 64 KiB) for redirects and
 * error messages.
 */
import { createHash, type Hash } from 'node:crypto';
import type http from 'node:http';
import { workerPort } from '../../engine/worker-thread.js';
import type { FromFetchThread, ToFetchThread, WireError } from './fetch-protocol.js';
import { ERROR_BODY_LIMIT } from './limits.js';
import { send, TransportError } from './send.js';
import { agentFromSpec, type AgentSpec } from './transport.js';

const BATCH = 1 << 20;
/** A partial batch waits at most this long (a slow body still flows). */
const FLUSH_MS = 20;

interface Running {
  res?: http.IncomingMessage;
  abort(): void;
  flush?(): void;
  timer?: NodeJS.Timeout;
}

const agents = new Map<string, http.Agent>();
const hashes = new Map<number, Hash>();
const running = new Map<number, Running>();

const port = workerPort<ToFetchThread, FromFetchThread>((m) => {
  switch (m.t) {
    case 'get':
      return start(m);
    case 'pause':
      return void running.get(m.id)?.res?.pause();
    case 'resume':
      return void running.get(m.id)?.res?.resume();
    case 'abort': {
      const r = running.get(m.id);
      running.delete(m.id);
      clearTimeout(r?.timer);
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
    case 'close-agents':
      for (const spec of m.agents) {
        const key = JSON.stringify(spec);
        agents.get(key)?.destroy();
        agents.delete(key);
      }
  }
});

function agentFor(spec: AgentSpec): http.Agent {
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
  r.flush?.();
  running.delete(id);
  clearTimeout(r.timer);
  port.post(msg);
}

async function start(m: Extract<ToFetchThread, { t: 'get' }>): Promise<void> {
  // Aborted before its headers arrive, the request is cancelled too (its socket freed).
  const ac = new AbortController();
  const r: Running = { abort: () => (ac.abort(), r.res?.destroy()) };
  running.set(m.id, r);
  let res: http.IncomingMessage;
  try {
    // The deadline runs from here: time the request waited for this thread (booting, busy) is
    // not the server's.
    const timing = { ...m.timing, deadlineAt: Date.now() + m.remainingMs };
    res = await send({
      method: 'GET',
      url: new URL(m.url),
      headers: m.headers,
      agent: agentFor(m.agent),
      timing,
      signal: ac.signal,
    });
  } catch (err) {
    return end(m.id, { t: 'error', id: m.id, error: wire(err) });
  }
  if (!running.has(m.id)) return void res.destroy(); // aborted meanwhile
  r.res = res;
  const status = res.statusCode ?? 0;
  res.on('error', (err) => end(m.id, { t: 'error', id: m.id, error: wire(err) }));
  if (status !== 200 && status !== 206) {
    // Read for its error codes or its Location: the first ERROR_BODY_LIMIT bytes are enough.
    const chunks: Buffer[] = [];
    let n = 0;
    const whole = () => end(m.id, { t: 'whole', id: m.id, status, headers: res.headers, body: Buffer.concat(chunks) });
    res.on('data', (c: Buffer) => {
      chunks.push(c.subarray(0, ERROR_BODY_LIMIT - n));
      n += c.length;
      if (n >= ERROR_BODY_LIMIT) {
        whole();
        res.destroy();
      }
    });
    res.on('end', whole);
    return;
  }
  port.post({ t: 'head', id: m.id, status, headers: res.headers });
  const hash = hashes.get(m.hash);
  let skip = status === 200 ? m.offset : 0;
  let batch: Buffer[] = [];
  let n = 0;
  r.flush = () => {
    clearTimeout(r.timer);
    r.timer = undefined;
    if (!n) return;
    let bytes: Buffer;
    if (batch.length === 1 && batch[0].byteOffset === 0 && batch[0].byteLength === batch[0].buffer.byteLength)
      bytes = batch[0];
    else {
      // Its own memory (never the shared pool), so it can be moved.
      bytes = Buffer.allocUnsafeSlow(n);
      let o = 0;
      for (const c of batch) o += c.copy(bytes, o);
    }
    batch = [];
    n = 0;
    port.post({ t: 'data', id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
  };
  res.on('data', (chunk: Buffer) => {
    let c = chunk;
    if (skip > 0) {
      if (c.length <= skip) {
        skip -= c.length;
        return;
      }
      c = c.subarray(skip);
      skip = 0;
    }
    hash?.update(c);
    batch.push(c);
    n += c.length;
    if (n >= BATCH) r.flush!();
    else r.timer ??= setTimeout(() => r.flush!(), FLUSH_MS);
  });
  res.on('end', () => end(m.id, { t: 'end', id: m.id }));
}
