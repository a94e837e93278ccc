/**
 * Bearer tokens from a registry's token service (the Docker token protocol and its OAuth2 form),
 * and their cache.
 *
 * - The realm must be an https URL, or plain http only when the registry itself is plain HTTP or
 *   the realm is on a loopback host: an HTTPS registry whose token service is plain HTTP is
 *   refused, since credentials (and the tokens) would cross the network in clear.
 * - Basic credentials go to the realm with a GET (`account`, `service`, `scope`); an identity
 *   token is an OAuth2 refresh-token grant (POST), as Docker does.
 * - The answer's shape is checked: a JSON object whose `token` or `access_token` is a string of
 *   header-safe characters and bounded length; `expires_in` (seconds) defaults to 60 as the spec
 *   says; `issued_at` anchors it when it is sane.
 * - One token per set of scopes, reused until 10 s before it expires; concurrent requests for the
 *   same scopes share one fetch.
 */
import { LayerlensError } from '../../errors/index.js';
import type { Credential } from './credentials.js';
import { distributionErrors } from './distribution.js';
import { MAX_TOKEN_LENGTH } from './limits.js';
import { isLoopbackHost } from './transport.js';
import type { Challenge } from './www-authenticate.js';

export interface Token {
  token: string;
  expiresAt: number;
}

/** A whole small exchange with the token service (retries, redirects, time-outs: the client's). */
export type TokenFetch = (x: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}) => Promise<{ status: number; body: Buffer }>;

export interface TokenRequest {
  challenge: Challenge;
  credential?: Credential;
  scopes: string[];
  /** The registry's host (messages) and scheme. */
  registryHost: string;
  registryScheme: 'https' | 'http';
  fetch: TokenFetch;
}

/** Tokens are renewed this long before they expire. */
const RENEW_MARGIN_MS = 10_000;
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** The realm of a Bearer challenge as a URL we may send credentials to. */
export function tokenRealm(challenge: Challenge, registryHost: string, registryScheme: 'https' | 'http'): URL {
  let realm: URL;
  try {
    realm = new URL(challenge.params.realm ?? '');
  } catch {
    throw new LayerlensError(`${registryHost} asked for a token but its challenge has no valid realm URL`, 'AUTH');
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:')
    throw new LayerlensError(`${registryHost}: the token realm is not an http(s) URL`, 'AUTH');
  if (realm.protocol === 'http:' && registryScheme === 'https' && !isLoopbackHost(realm.host))
    throw new LayerlensError(
      `the token service of ${registryHost} (${realm.host}) is plain HTTP: refusing to send credentials or take tokens over it in clear`,
      'AUTH',
    );
  return realm;
}

export async function fetchToken(q: TokenRequest): Promise<Token> {
  const realm = tokenRealm(q.challenge, q.registryHost, q.registryScheme);
  const cred = q.credential;
  const service = q.challenge.params.service;
  const headers: Record<string, string> = { accept: 'application/json' };
  let method = 'GET';
  let body: string | undefined;
  if (cred?.identityToken) {
    method = 'POST';
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: cred.identityToken,
      client_id: 'layerlens',
      access_type: 'offline',
    });
    if (service) form.set('service', service);
    if (q.scopes.length) form.set('scope', q.scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (service) realm.searchParams.set('service', service);
    for (const s of q.scopes) realm.searchParams.append('scope', s);
    if (cred && cred.username !== undefined) {
      realm.searchParams.set('account', cred.username);
      headers.authorization = 'Basic ' + Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64');
    }
  }
  const res = await q.fetch({ method, url: realm, headers, body });
  if (res.status === 401 || res.status === 403) {
    throw cred
      ? new LayerlensError(
          `login to ${q.registryHost} failed: the token service rejected the credentials from ${cred.source} (${res.status})`,
          'AUTH',
        )
      : new LayerlensError(
          `${q.registryHost} requires authentication: run docker login ${q.registryHost}, or pass --username with --password-stdin`,
          'AUTH',
        );
  }
  if (res.status !== 200) {
    const codes = distributionErrors(res.body);
    throw new LayerlensError(
      `token service ${realm.host} answered HTTP ${res.status}${codes ? ` (${codes})` : ''}`,
      'AUTH',
    );
  }
  return parseTokenResponse(res.body, realm.host);
}

/** The token service's JSON, checked at the boundary. */
export function parseTokenResponse(body: Buffer, host: string, now = Date.now()): Token {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    throw new LayerlensError(`token service ${host} did not answer JSON`, 'AUTH');
  }
  if (!j || typeof j !== 'object' || Array.isArray(j))
    throw new LayerlensError(`token service ${host} did not answer a JSON object`, 'AUTH');
  const o = j as Record<string, unknown>;
  const raw = o.token !== undefined && o.token !== '' ? o.token : o.access_token;
  if (raw === undefined || raw === '')
    throw new LayerlensError(`token service ${host} answered without a token`, 'AUTH');
  if (typeof raw !== 'string')
    throw new LayerlensError(`token service ${host} answered a token that is not a string`, 'AUTH');
  if (raw.length > MAX_TOKEN_LENGTH)
    throw new LayerlensError(
      `token service ${host} answered a token longer than ${MAX_TOKEN_LENGTH} characters`,
      'AUTH',
    );
  if (!HEADER_SAFE.test(raw))
    throw new LayerlensError(`token service ${host} answered a token with characters a header cannot carry`, 'AUTH');
  const seconds =
    typeof o.expires_in === 'number' && Number.isFinite(o.expires_in) && o.expires_in > 0 ? o.expires_in : 60;
  const issued = typeof o.issued_at === 'string' ? Date.parse(o.issued_at) : Number.NaN;
  const start = Number.isFinite(issued) && Math.abs(issued - now) < 5 * 60_000 ? issued : now;
  return { token: raw, expiresAt: start + Math.min(seconds, 86_400) * 1000 };
}

/** One token per set of scopes; one fetch at a time per set. */
export class TokenCache {
  private tokens = new Map<string, Token>();
  private pending = new Map<string, Promise<Token>>();

  static key(scopes: string[]): string {
    return [...new Set(scopes)].sort().join(' ');
  }

  async get(scopes: string[], forceRefresh: boolean, fetch: (scopes: string[]) => Promise<Token>): Promise<Token> {
    const key = TokenCache.key(scopes);
    const cached = this.tokens.get(key);
    if (cached && !forceRefresh && Date.now() < cached.expiresAt - RENEW_MARGIN_MS) return cached;
    let p = this.pending.get(key);
    if (!p || forceRefresh) {
      p = fetch(key ? key.split(' ') : []).finally(() => {
        if (this.pending.get(key) === p) this.pending.delete(key);
      });
      this.pending.set(key, p);
    }
    const t = await p;
    this.tokens.set(key, t);
    return t;
  }
}
