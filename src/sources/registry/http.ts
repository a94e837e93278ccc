/**
 * One HTTP exchange on node:http/https, plus the retry policy shared by the registry client:
 * 5xx and connection resets are retried with exponential backoff (plus jitter); 429 is not
 * (it is reported with the rate-limit headers instead).
 */
import http from 'node:http';
import https from 'node:https';
import { LayerlensError } from '../../errors/index.js';

export interface SendOptions {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  agent?: http.Agent;
  body?: Buffer | string;
  /** Idle socket timeout (no bytes for this long). */
  timeoutMs?: number;
}

export const USER_AGENT = 'layerlens (+registry client)';

/**
 * What the client needs of a response: an IncomingMessage read on this thread, or a blob body
 * streamed from the download worker (fetch-worker.ts).
 */
export interface HttpResponse extends NodeJS.EventEmitter {
  statusCode?: number;
  headers: http.IncomingHttpHeaders;
  /** The whole body arrived (false after 'end' of a cut connection). */
  complete: boolean;
  pause(): this;
  resume(): this;
  destroy(): this;
}

export function send(o: SendOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = o.url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...o.headers };
    if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
    const req = mod.request(o.url, {
      method: o.method,
      headers,
      agent: o.agent ?? (o.url.protocol === 'https:' ? https.globalAgent : http.globalAgent),
    });
    const timeout = o.timeoutMs ?? 60_000;
    req.setTimeout(timeout, () => {
      const err = new Error(`no response from ${o.url.host} for ${timeout / 1000}s`) as NodeJS.ErrnoException;
      err.code = 'ETIMEDOUT';
      req.destroy(err);
    });
    req.on('response', (res) => {
      // The same idle timeout applies while the body streams.
      res.socket?.setTimeout(timeout);
      resolve(res);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Read a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: http.IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    res.destroy();
    throw new LayerlensError(`${what} is too large (${declared} bytes; limit ${limit})`, 'TOO_LARGE');
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.destroy();
      throw new LayerlensError(`${what} is too large (more than ${limit} bytes)`, 'TOO_LARGE');
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Read a whole (small) body of either kind of response, keeping at most `limit` bytes. */
export function collectBody(res: HttpResponse, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    let done = false;
    res.on('data', (c: Buffer) => {
      if (n < limit) chunks.push(c.subarray(0, limit - n));
      n += c.length;
    });
    res.on('end', () => {
      done = true;
      resolve(Buffer.concat(chunks));
    });
    res.on('error', (e: Error) => {
      if (!done) reject(e);
      done = true;
    });
    res.on('close', () => {
      if (!done) reject(new Error('aborted'));
      done = true;
    });
  });
}

/** Drain and discard a body so the keep-alive socket can be reused. */
export function discard(res: HttpResponse): void {
  res.resume();
  res.on('error', () => {});
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function isRetryableError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof LayerlensError) return false;
  return RETRYABLE_CODES.has(e?.code ?? '') || /socket hang up|aborted/i.test(e?.message ?? '');
}

export function isRetryableStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504 || status === 408;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | string[]): number {
  const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const seconds = ra !== undefined && /^\d+$/.test(ra) ? Number(ra) : undefined;
  if (seconds !== undefined && seconds * 1000 <= policy.maxDelayMs) return seconds * 1000;
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A 429 as a user-facing error: the rate-limit headers and the advice to log in. */
export function rateLimitError(
  host: string,
  res: { headers: http.IncomingHttpHeaders },
  authenticated: boolean,
): LayerlensError {
  const keep = [
    'ratelimit-limit',
    'ratelimit-remaining',
    'ratelimit-reset',
    'retry-after',
    'docker-ratelimit-source',
    'x-ratelimit-limit',
    'x-ratelimit-remaining',
    'x-ratelimit-reset',
  ];
  const parts: string[] = [];
  for (const k of keep) {
    const v = res.headers[k];
    if (v !== undefined) parts.push(`${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  }
  const advice = authenticated
    ? 'wait and try again later, or use an account with a higher limit'
    : `log in (docker login ${host}, or --username with --password-stdin) for a higher limit, or wait and try again later`;
  return new LayerlensError(
    `${host} answered 429 Too Many Requests (rate limit reached${parts.length ? '; ' + parts.join('; ') : ''}): ${advice}`,
    'RATE_LIMITED',
  );
}

/** The `errors` of a Distribution error body, as "CODE: message" (best effort). */
export function distributionErrors(body: Buffer): string | undefined {
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    if (!Array.isArray(j.errors) || j.errors.length === 0) return undefined;
    return j.errors
      .map((e) => [e.code, e.message].filter(Boolean).join(': '))
      .join('; ')
      .slice(0, 300);
  } catch {
    return undefined;
  }
}

/** The URL of `rel="next"` in a Link header (RFC 8288), resolved against `base`. */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  const re = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2])) {
      try {
        return new URL(m[1], base);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
