/**
 * How long a registry may take (`--timeout`, default 30 s): one time-out T sets every wait.
 *
 * - A request (its connection, the wait for its headers, every retry, redirect and token fetch
 *   it needs, and the body of a manifest, config, token or list) has a deadline T from its start.
 * - Connecting (TCP and TLS) takes at most min(T, 10 s) per attempt.
 * - A blob's body may take as long as it needs while it moves: it fails when fewer than 1 KiB
 *   arrive within T (a stall), and a resumed download is a new request with a new deadline.
 */
import { DEFAULT_TIMEOUT_MS, MAX_CONNECT_MS } from './limits.js';
import type { Timing } from './exchange-errors.js';

export class Deadline {
  readonly at: number;

  constructor(readonly timeoutMs: number) {
    this.at = Date.now() + timeoutMs;
  }

  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** The timing of one exchange under this deadline. */
  timing(bodyInDeadline: boolean): Timing {
    return {
      deadlineAt: this.at,
      timeoutMs: this.timeoutMs,
      connectMs: Math.min(this.timeoutMs, MAX_CONNECT_MS),
      stallMs: this.timeoutMs,
      bodyInDeadline,
    };
  }
}

/** The time-out to use: the caller's, or the default. */
export function requestTimeout(ms: number | undefined): number {
  return ms !== undefined && ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
}
