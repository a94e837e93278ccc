/**
 * The redirect policy: 3xx answers are followed by hand, so that credentials never leave the
 * origin they were meant for. Blob GETs redirect to CDNs and presigned storage URLs, which reject
 * a foreign Authorization and must never see the registry's token.
 *
 * - Authorization (and Cookie) go only to the origin of the original request: dropped on a hop to
 *   another origin, sent again if the chain comes back.
 * - At most MAX_REDIRECTS hops; only http(s) targets; never from HTTPS down to plain HTTP (a
 *   private layer would cross the network in clear), except to a loopback host.
 * - 303 turns the request into a GET without a body; other codes keep method and body.
 */
import { LayerlensError } from '../../errors/index.js';
import { MAX_REDIRECTS } from './limits.js';
import { discard, type HttpResponse } from './send.js';
import type { Timing } from './exchange-errors.js';
import { isLoopbackHost } from './transport.js';

/** One HTTP request as the layers pass it down. */
export interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | string;
  timing: Timing;
}

/** A response and the URL that finally gave it. */
export interface Routed<R> {
  res: R;
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie'];

export async function followRedirects<R extends HttpResponse>(
  x: Exchange,
  hop: (x: Exchange) => Promise<R>,
  onHop?: (to: URL) => void,
): Promise<Routed<R>> {
  const origin = x.url.origin;
  let cur: Exchange = x;
  for (let n = 0; ; n++) {
    const res = await hop(cur);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECTS.has(status) || !location) return { res, url: cur.url };
    discard(res);
    if (n >= MAX_REDIRECTS)
      throw new LayerlensError(
        `${x.url.host} redirected more than ${MAX_REDIRECTS} times (last: ${cur.url.host})`,
        'NETWORK',
      );
    const next = target(location, cur.url);
    onHop?.(next);
    const headers = { ...x.headers };
    if (next.origin !== origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
    const toGet = status === 303 && cur.method !== 'HEAD';
    cur = { ...cur, url: next, headers, method: toGet ? 'GET' : cur.method, body: toGet ? undefined : cur.body };
  }
}

function target(location: string, from: URL): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new LayerlensError(`${from.host} redirected to an invalid URL`, 'NETWORK');
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:')
    throw new LayerlensError(`${from.host} redirected to an unsupported URL scheme`, 'NETWORK');
  if (from.protocol === 'https:' && next.protocol === 'http:' && !isLoopbackHost(next.host))
    throw new LayerlensError(
      `${from.host} redirected to plain HTTP (${next.host}): refusing to leave HTTPS for a download`,
      'NETWORK',
    );
  return next;
}
