/**
 * One HTTP exchange on node:http/https with every wait bounded, on the main thread and in the
 * download worker alike (fetch-thread.ts):
 *
 * - connecting (TCP, then the TLS handshake) may take `connectMs`;
 * - the response headers must arrive before the request's deadline (`deadlineAt`, which its
 *   retries and redirects share: see timeouts.ts);
 * - a body stalls when fewer than STALL_MIN_BYTES arrive within `stallMs` while someone is
 *   reading it (a consumer that pauses the body is not the server stalling);
 * - small bodies (manifests, configs, tokens, lists) must also end before the deadline.
 *
 * Failures are TransportErrors naming the host and the step that failed ('connect', 'tls',
 * 'headers', 'body'), in words a user can act on; the registry client adds what was being fetched.
 * No error quotes the bytes a server sent.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { LayerlensError } from '../../errors/index.js';
import { STALL_MIN_BYTES } from './limits.js';
import {
  connectTimeoutMessage,
  formatMs,
  networkReason,
  type Step,
  type Timing,
  TransportError,
} from './exchange-errors.js';

export const USER_AGENT = 'layerlens (+registry client)';

export interface SendOptions {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  agent?: http.Agent;
  body?: Buffer | string;
  timing: Timing;
  /** Cancels the request (the download worker, when the main thread gives up on it). */
  signal?: AbortSignal;
}

/** What the client needs of a response: an IncomingMessage here, or a RemoteResponse from the worker. */
export interface HttpResponse extends Readable {
  statusCode?: number;
  headers: http.IncomingHttpHeaders;
  /** The whole body arrived. */
  complete: boolean;
}

function isTlsSocket(s: Socket): boolean {
  return 'encrypted' in s;
}

export function send(o: SendOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { url, timing } = o;
    const host = url.host;
    const mod = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...o.headers };
    if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
    const req = mod.request(url, {
      method: o.method,
      headers,
      agent: o.agent ?? (url.protocol === 'https:' ? https.globalAgent : http.globalAgent),
      signal: o.signal,
    });
    const remaining = () => Math.max(0, timing.deadlineAt - Date.now());
    const total = formatMs(timing.timeoutMs);
    let step: Step = 'connect';
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, why: () => string) => {
      clearTimeout(timer);
      timer = setTimeout(() => req.destroy(new TransportError(why(), 'ETIMEDOUT', host, step)), ms);
    };
    const waitHeaders = () => {
      step = 'headers';
      arm(remaining(), () => `${host} sent no response headers within the ${total} time-out`);
    };
    // Until a socket is assigned (a busy agent queues requests), the deadline alone applies.
    arm(remaining(), () => `${host} did not accept a connection within the ${total} time-out`);
    req.on('socket', (socket: Socket) => {
      if (!socket.connecting) return waitHeaders(); // a kept-alive connection
      const left = remaining();
      arm(Math.min(timing.connectMs, left), () => connectTimeoutMessage(host, step, timing, left));
      socket.once('connect', () => {
        if (isTlsSocket(socket)) step = 'tls';
        else waitHeaders();
      });
      if (isTlsSocket(socket)) socket.once('secureConnect', waitHeaders);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      if (err instanceof TransportError) return reject(err);
      const reason = networkReason(err);
      reject(new TransportError(`${host}: ${reason}`, codeOf(err), host, step, reason));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      watchBody(res, host, timing);
      resolve(res);
    });
    req.end(o.body);
  });
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'ERROR';
}

/**
 * The body's time limits: the stall window (checked on the socket's byte count, so reading the
 * body is left to the consumer) and, for small bodies, the deadline. A cut connection becomes a
 * TransportError too ("closed the connection before the end of the body").
 */
function watchBody(res: http.IncomingMessage, host: string, timing: Timing): void {
  const socket = res.socket;
  let last = socket?.bytesRead ?? 0;
  const fail = (why: string) => res.destroy(new TransportError(why, 'ETIMEDOUT', host, 'body'));
  const stall = setInterval(() => {
    if (res.complete) return done(); // every byte is in, read or not
    const now = socket?.bytesRead ?? 0;
    const progress = now - last;
    last = now;
    // A consumer whose buffer is full holds the server back (node stops reading the socket
    // then): not a stall. Below that, bytes the server sends arrive whether or not it reads.
    const held = res.readableLength >= res.readableHighWaterMark;
    if (!held && progress < STALL_MIN_BYTES)
      fail(`${host} stalled while sending the body (less than 1 KiB in ${formatMs(timing.stallMs)})`);
  }, timing.stallMs);
  const deadline = timing.bodyInDeadline
    ? setTimeout(
        () => fail(`${host} did not finish sending the body within the ${formatMs(timing.timeoutMs)} time-out`),
        Math.max(0, timing.deadlineAt - Date.now()),
      )
    : undefined;
  // Errors reach the consumer's listeners; with none attached yet they must not crash the process.
  res.on('error', () => {});
  const done = () => {
    clearInterval(stall);
    clearTimeout(deadline);
  };
  res.once('end', done);
  res.once('close', done);
  // Node ends a body cut short with a bare "aborted" error (ECONNRESET): every consumer (small
  // bodies, blob streams, the download worker) gets this one instead, saying what happened.
  const destroy = res.destroy.bind(res);
  res.destroy = (err?: Error) =>
    destroy(
      err && !(err instanceof TransportError) && err.message === 'aborted'
        ? new TransportError(`${host} closed the connection before the end of the body`, 'ECONNRESET', host, 'body')
        : err,
    );
}

/**
 * Read a whole small body, refusing more than `limit` bytes (TOO_LARGE names `what`). A body cut
 * short rejects with the TransportError, saying how much of the declared length arrived.
 */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    res.destroy();
    throw new LayerlensError(`${what} is too large (${declared} bytes; the limit is ${limit})`, 'TOO_LARGE');
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > limit) {
        res.destroy();
        throw new LayerlensError(`${what} is too large (more than ${limit} bytes)`, 'TOO_LARGE');
      }
      chunks.push(c);
    }
  } catch (err) {
    if (err instanceof TransportError && err.code === 'ECONNRESET' && Number.isFinite(declared))
      throw new TransportError(
        `${err.message} (${n} of the ${declared} bytes it announced)`,
        err.code,
        err.host,
        err.step,
      );
    throw err;
  }
  return Buffer.concat(chunks);
}

/** The first `limit` bytes of a body (an error answer, read for its codes); the rest is not read. */
export async function readPrefix(res: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      chunks.push(c.subarray(0, limit - n));
      n += c.length;
      if (n >= limit) {
        res.destroy();
        break;
      }
    }
  } catch {
    // What arrived is enough for an error message.
  }
  return Buffer.concat(chunks);
}

/** Drain and discard a body so the kept-alive connection can be reused. */
export function discard(res: HttpResponse): void {
  res.on('error', () => {});
  res.resume();
}
