/**
 * One blob GET on a connection of the download worker's own (raw-conn.ts), its response read by
 * http1-response.ts: the body path without node:http's per-chunk copies and allocations.
 *
 * It keeps send.ts' rules, so the main thread sees the same answers and errors whichever path
 * read them:
 * - connecting (TCP, then TLS) may take `connectMs`, the headers must arrive by the deadline, a
 *   body stalls when fewer than STALL_MIN_BYTES arrive within `stallMs` while it is not paused;
 * - failures are TransportErrors naming the host and the step ('connect', 'tls', 'headers',
 *   'body') in send.ts' words; a broken response is "not a valid HTTP response (…)", with
 *   llhttp's codes (not retried, as on node:http).
 *
 * A response the parser does not handle, or a request it should not write (a header value with
 * a line break), is reported as `unsupported` before anything was delivered: the caller sends the
 * request through node:http instead. A kept-alive connection that turns out closed before the
 * first byte of the answer is replaced by a new one once (the server's idle close racing us).
 */
import type http from 'node:http';
import { Http1ResponseParser, ParseError } from './http1-response.js';
import { STALL_MIN_BYTES } from './limits.js';
import { connection, type Conn } from './raw-conn.js';
import {
  connectTimeoutMessage,
  formatMs,
  networkReason,
  type Step,
  type Timing,
  TransportError,
} from './exchange-errors.js';
import type { AgentSpec } from './transport.js';

export interface RawGetOptions {
  url: URL;
  headers: Record<string, string>;
  spec: AgentSpec;
  timing: Timing;
}

export interface RawGetEvents {
  head(status: number, headers: http.IncomingHttpHeaders): void;
  /** Body bytes, valid only during the call (the connection's read buffer). */
  body(chunk: Buffer): void;
  end(): void;
  error(err: TransportError): void;
  /** Not for this reader (why: for debugging); nothing was delivered. */
  unsupported(why: string): void;
}

export interface RawGet {
  pause(): void;
  resume(): void;
  abort(): void;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The request head, or undefined when node:http should judge it (it refuses such headers). */
function requestHead(url: URL, headers: Record<string, string>): Buffer | undefined {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name) || !VALUE.test(value) || lower === 'host' || lower === 'connection') return undefined;
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

export function rawGet(o: RawGetOptions, ev: RawGetEvents): RawGet {
  const { url, timing } = o;
  const host = url.host;
  const total = formatMs(timing.timeoutMs);
  const head = requestHead(url, o.headers);
  let conn: Conn | undefined;
  let parser: Http1ResponseParser;
  let step: Step = 'connect';
  let timer: NodeJS.Timeout | undefined;
  let stall: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let finished = false;
  let paused = false;
  let received = 0;
  let lastCheck = 0;
  let retried = false;

  const clear = () => {
    clearTimeout(timer);
    clearInterval(stall);
    clearTimeout(deadline);
  };
  const stop = () => {
    finished = true;
    clear();
    parser?.stop();
    conn?.destroy();
  };
  const fail = (err: TransportError) => {
    if (finished) return;
    stop();
    ev.error(err);
  };
  const remaining = () => Math.max(0, timing.deadlineAt - Date.now());
  const arm = (ms: number, why: () => string) => {
    clearTimeout(timer);
    timer = setTimeout(() => fail(new TransportError(why(), 'ETIMEDOUT', host, step)), ms);
  };
  const waitHeaders = () => {
    step = 'headers';
    arm(remaining(), () => `${host} sent no response headers within the ${total} time-out`);
  };
  const broken = (err: unknown) => {
    const reason = networkReason(err);
    return new TransportError(
      `${host}: ${reason}`,
      (err as NodeJS.ErrnoException)?.code ?? 'ERROR',
      host,
      step,
      reason,
    );
  };

  const startBody = () => {
    clearTimeout(timer);
    step = 'body';
    lastCheck = received;
    stall = setInterval(() => {
      const progress = received - lastCheck;
      lastCheck = received;
      // Paused by the consumer (the worker's window of what the main thread has not read is
      // full: fetch-protocol.ts IN_FLIGHT): not the server stalling.
      if (!paused && progress < STALL_MIN_BYTES)
        fail(
          new TransportError(
            `${host} stalled while sending the body (less than 1 KiB in ${formatMs(timing.stallMs)})`,
            'ETIMEDOUT',
            host,
            'body',
          ),
        );
    }, timing.stallMs);
    if (timing.bodyInDeadline)
      deadline = setTimeout(
        () =>
          fail(
            new TransportError(
              `${host} did not finish sending the body within the ${total} time-out`,
              'ETIMEDOUT',
              host,
              'body',
            ),
          ),
        remaining(),
      );
  };

  const attempt = (fresh: boolean) => {
    received = 0;
    parser = new Http1ResponseParser({
      head: (h) => {
        startBody();
        ev.head(h.status, h.headers);
      },
      body: (chunk) => ev.body(chunk),
      end: () => {
        finished = true;
        clear();
        ev.end();
      },
      unsupported: (why) => {
        stop();
        ev.unsupported(why);
      },
    });
    let c: Conn;
    try {
      c = conn = connection(o.spec, url, fresh);
    } catch (err) {
      // A bad client key or certificate: node's words, as https.Agent would give them.
      return fail(broken(err));
    }
    c.handler = {
      connected: () => {
        if (o.spec.https) step = 'tls';
      },
      ready: waitHeaders,
      data: (buf, n) => {
        received += n;
        try {
          parser.feed(buf, 0, n);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
          const reason = `not a valid HTTP response (${err.reason})`;
          return fail(new TransportError(`${host}: ${reason}`, err.code, host, step, reason));
        }
        if (!parser.done || conn !== c) return;
        // The whole response is in: the connection carries the next request, or closes.
        if (parser.keepAlive && !parser.extra) c.release();
        else c.destroy();
        conn = undefined;
      },
      closed: (err) => {
        if (finished) return;
        if (c.reused && received === 0 && !retried) {
          // A kept-alive connection the server closed while it idled: once more on a new one.
          retried = true;
          clear();
          c.destroy();
          return attempt(true);
        }
        if (parser.inBody)
          return fail(
            new TransportError(`${host} closed the connection before the end of the body`, 'ECONNRESET', host, 'body'),
          );
        fail(broken(err ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      },
    };
    if (c.reused) waitHeaders();
    else {
      step = 'connect';
      const left = remaining();
      arm(Math.min(timing.connectMs, left), () => connectTimeoutMessage(host, step, timing, left));
    }
    c.socket.write(head!);
  };

  if (!head) queueMicrotask(() => ev.unsupported('a request header node:http must judge'));
  else attempt(false);

  return {
    pause: () => {
      paused = true;
      conn?.socket.pause();
    },
    resume: () => {
      paused = false;
      lastCheck = received;
      conn?.socket.resume();
    },
    abort: () => {
      if (!finished) stop();
    },
  };
}
