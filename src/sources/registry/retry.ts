/**
 * The retry layer: 5xx, 408 and broken connections are retried with exponential backoff (plus
 * jitter), never past the request's deadline; a 429 is retried only when the registry asks for a
 * short wait (Retry-After within the backoff cap and the deadline), and otherwise reported at once
 * with its rate-limit headers and the advice to log in. A retry starts only with a quarter of the
 * time-out still ahead of it; one that runs out of time reports what made it retry.
 */
import type http from 'node:http';
import { LayerlensError } from '../../errors/index.js';
import { networkReason, TransportError } from './exchange-errors.js';
import type { Deadline } from './timeouts.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

/** What the retry layer looks at in an answer (a response, or a response with its body read). */
export interface Reply {
  statusCode?: number;
  headers: http.IncomingHttpHeaders;
}

export interface RetryOptions<T> {
  policy: RetryPolicy;
  deadline: Deadline;
  /** Retry failures and 5xx at all (idempotent requests only). */
  enabled: boolean;
  /** For log lines and the rate-limit error. */
  host: string;
  method: string;
  /** Credentials were sent (changes the rate-limit advice). */
  authenticated: boolean;
  /** Let go of an answer that is not returned (drain its body). */
  drop: (t: T) => void;
  log?: (line: string) => void;
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
  if (err instanceof LayerlensError) return false;
  const e = err as NodeJS.ErrnoException;
  return RETRYABLE_CODES.has(e?.code ?? '') || /socket hang up/i.test(e?.message ?? '');
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Retry-After in ms (seconds or an HTTP date), when given. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!v) return undefined;
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | string[]): number {
  const asked = retryAfterMs(retryAfter);
  if (asked !== undefined && asked <= policy.maxDelayMs) return asked;
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Run `attempt` until it gives an answer worth returning, within the policy and the deadline. */
export async function withRetries<T extends Reply>(attempt: () => Promise<T>, o: RetryOptions<T>): Promise<T> {
  const { policy, deadline } = o;
  // Another attempt only when it has a real chance: a quarter of the time-out left after the wait.
  const worthIt = (delay: number) => deadline.remaining() - delay >= deadline.timeoutMs / 4;
  // What made us retry: when a retry then runs out of time, that is the failure to report.
  let cause: unknown;
  for (let n = 0; ; n++) {
    const more = o.enabled && n < policy.retries;
    let r: T;
    try {
      r = await attempt();
    } catch (err) {
      const delay = backoffDelay(policy, n);
      if (!more || !isRetryableError(err) || !worthIt(delay)) {
        throw cause !== undefined && err instanceof TransportError && err.timedOut ? cause : err;
      }
      cause = err;
      const why = networkReason(err);
      o.log?.(`${why.startsWith(o.host) ? why : `${o.host}: ${why}`}; retrying ${o.method} in ${Math.round(delay)} ms`);
      await sleep(delay);
      continue;
    }
    const status = r.statusCode ?? 0;
    if (status === 429) {
      const asked = retryAfterMs(r.headers['retry-after']);
      o.drop(r);
      if (more && asked !== undefined && asked <= policy.maxDelayMs && worthIt(asked)) {
        o.log?.(`${o.host}: HTTP 429; retrying ${o.method} in ${asked} ms as Retry-After asks`);
        await sleep(asked);
        continue;
      }
      throw rateLimitError(o.host, r, o.authenticated);
    }
    if (more && isRetryableStatus(status)) {
      const delay = backoffDelay(policy, n, r.headers['retry-after']);
      if (worthIt(delay)) {
        o.drop(r);
        o.log?.(`${o.host}: HTTP ${status}; retrying ${o.method} in ${Math.round(delay)} ms`);
        await sleep(delay);
        continue;
      }
    }
    return r;
  }
}

const RATE_LIMIT_HEADERS = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'docker-ratelimit-source',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

/** A 429 as a user-facing error: the rate-limit headers (short, printable ones) and the advice to log in. */
export function rateLimitError(host: string, res: Reply, authenticated: boolean): LayerlensError {
  const parts: string[] = [];
  for (const k of RATE_LIMIT_HEADERS) {
    const raw = res.headers[k];
    const v = Array.isArray(raw) ? raw.join(', ') : raw;
    if (v !== undefined && v.length <= 100 && /^[\x20-\x7e]*$/.test(v)) parts.push(`${k}: ${v}`);
  }
  const advice = authenticated
    ? 'wait and try again later, or use an account with a higher limit'
    : `log in (docker login ${host}, or --username with --password-stdin) for a higher limit, or wait and try again later`;
  return new LayerlensError(
    `${host} answered 429 Too Many Requests (rate limit reached${parts.length ? '; ' + parts.join('; ') : ''}): ${advice}`,
    'RATE_LIMITED',
  );
}
