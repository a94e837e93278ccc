/**
 * What an exchange's failures and time limits are, as plain data and words: shared by node:http's
 * path (send.ts) and the download worker's raw body reader (raw-get.ts, fetch-thread.ts).
 *
 * A module of its own so that the worker loads neither node:http nor node:https unless a response
 * needs them (send.ts re-exports all of it): they were ~25 ms of the worker's start-up, which a
 * pull waits for before its first blob byte (docs/performance.md, second session of 2026-12-06).
 */
import { LayerlensError } from '../../errors/index.js';

export type Step = 'connect' | 'tls' | 'headers' | 'body';

/** When an exchange must be done by, as plain data (it crosses to the download worker). */
export interface Timing {
  /** Epoch ms by which the headers (and small bodies) must be in: the request's deadline. */
  deadlineAt: number;
  /** The whole request's time-out, for messages ("within 30 s"). */
  timeoutMs: number;
  /** Connection set-up (TCP and TLS) of this attempt. */
  connectMs: number;
  /** Body stall window. */
  stallMs: number;
  /** The deadline covers the body too (small bodies); else only stalls end it (blobs). */
  bodyInDeadline: boolean;
}

/** A network failure of one exchange: host, step, and a reason in plain words. */
export class TransportError extends Error {
  constructor(
    message: string,
    /** ETIMEDOUT for our time-outs; node's code (ECONNRESET, ECONNREFUSED, HPE_…) otherwise. */
    readonly code: string,
    readonly host: string,
    readonly step: Step,
    /** The message without the host, where the caller names it already. */
    readonly reason = message,
  ) {
    super(message);
    this.name = 'TransportError';
  }

  get timedOut(): boolean {
    return this.code === 'ETIMEDOUT';
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * The message of a connect or TLS-handshake time-out (`left`: what the deadline left when the
 * connection started); the raw body reader (raw-get.ts) says the same.
 */
export function connectTimeoutMessage(host: string, step: Step, timing: Timing, left: number): string {
  const within = timing.connectMs < left ? formatMs(timing.connectMs) : `the ${formatMs(timing.timeoutMs)} time-out`;
  return step === 'tls'
    ? `${host} accepted the connection but did not complete the TLS handshake within ${within}`
    : `${host} did not accept a connection within ${within}`;
}

/** "connection refused", "host not found", …: a node network error in plain words. */
export function networkReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (err instanceof TransportError || err instanceof LayerlensError) return e.message;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'EAI_AGAIN') return 'DNS lookup failed (temporary)';
  if (code === 'ECONNRESET' || /socket hang up/i.test(e?.message ?? '')) return 'connection reset';
  if (code === 'EPIPE') return 'connection closed while sending';
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return 'network unreachable';
  if (code === 'HPE_HEADER_OVERFLOW') return 'the response headers are larger than 16 KiB';
  if (code.startsWith('HPE_')) return `not a valid HTTP response (${code})`;
  // TLS and certificate errors are worded by transport.ts; others keep node's one-line message.
  return (e?.message ?? String(err)).split('\n')[0].slice(0, 200);
}
