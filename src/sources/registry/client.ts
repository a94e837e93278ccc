/**
 * A Distribution API client for one registry host: transport choice (see transport.ts), the auth
 * dance (Bearer token per scope — anonymous, Basic to the token endpoint, or an identity token as
 * OAuth2 refresh token — refreshed on expiry or on a fresh 401; Basic registries), retries, and
 * redirects followed by hand so Authorization never leaves the registry's origin.
 */
import type http from 'node:http';
import { LayerlensError } from '../../errors/index.js';
import type { Credential } from './credentials.js';
import {
  DEFAULT_RETRY,
  backoffDelay,
  discard,
  distributionErrors,
  isRetryableError,
  isRetryableStatus,
  rateLimitError,
  readBody,
  send,
  sleep,
  USER_AGENT,
  type HttpResponse,
  type RetryPolicy,
} from './http.js';
import {
  closeOffThreadAgents,
  sendOffThread,
  type AgentSpec,
  type RemoteHash,
  type RemoteResponse,
} from './fetch-worker.js';
import {
  describeCertificateError,
  hostOnly,
  httpAgent,
  httpsAgent,
  isCertificateError,
  isLoopbackHost,
  isTlsProtocolError,
  loadTlsMaterial,
  type Endpoint,
  type TlsMaterial,
  type TransportOptions,
} from './transport.js';
import { findChallenge, parseWwwAuthenticate, type Challenge } from './www-authenticate.js';

export interface ClientOptions extends TransportOptions {
  credential?: Credential;
  log?: (line: string) => void;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface RequestOptions {
  method?: string;
  /** Path under the registry (/v2/…) or an absolute URL (Link pages, upload locations). */
  path: string | URL;
  /** Token scopes this request needs, e.g. ['repository:library/nginx:pull']. */
  scopes?: string[];
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Follow 3xx by hand (default true for GET/HEAD). */
  followRedirects?: boolean;
  /** Retry 5xx and resets (default: GET/HEAD only). */
  retry?: boolean;
  /** Send no credentials at all (audit probes). */
  anonymous?: boolean;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** One HTTP exchange of a logical request (one hop of a redirect chain). */
interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | string;
  sameOrigin: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
/** Tokens are renewed this long before they expire. */
const TOKEN_MARGIN_MS = 10_000;

export class RegistryClient {
  endpoint!: Endpoint;
  /** What the registry asked for at /v2/ (undefined: no auth). */
  challenge?: Challenge;
  /** Status of the anonymous GET /v2/ ping. */
  pingStatus = 0;
  /** How requests were authenticated, for notes: 'anonymous', 'anonymous token', 'token (credentials from …)'. */
  authUsed = 'anonymous';
  /** Every redirect hop taken for blobs: origin changes, for tests and notes. */
  readonly redirectHosts = new Set<string>();
  private tokens = new Map<string, CachedToken>();
  private pendingTokens = new Map<string, Promise<CachedToken>>();
  private material?: TlsMaterial;
  private foreignHttps?: http.Agent;
  private foreignHttp?: http.Agent;
  private readonly retryPolicy: RetryPolicy;
  /** Agent specs the download worker built for this client (closed with it). */
  private readonly offThreadAgents = new Map<string, AgentSpec>();

  private constructor(
    /** API host[:port] (registry-1.docker.io for docker.io). */
    readonly host: string,
    readonly opts: ClientOptions,
  ) {
    this.retryPolicy = opts.retry ?? DEFAULT_RETRY;
  }

  /** Pick the transport by pinging /v2/ and learn the auth challenge. */
  static async connect(host: string, opts: ClientOptions): Promise<RegistryClient> {
    const c = new RegistryClient(host, opts);
    await c.chooseTransport();
    return c;
  }

  get origin(): string {
    return `${this.endpoint.scheme}://${this.endpoint.host}`;
  }

  get credential(): Credential | undefined {
    return this.opts.credential;
  }

  close(): void {
    this.endpoint?.agent.destroy();
    this.foreignHttps?.destroy();
    this.foreignHttp?.destroy();
    this.insecureAgent?.destroy();
    closeOffThreadAgents([...this.offThreadAgents.values()]);
  }

  private async chooseTransport(): Promise<void> {
    const host = this.host;
    const loopback = isLoopbackHost(host);
    if (this.opts.plainHttp) {
      this.endpoint = {
        host,
        scheme: 'http',
        agent: httpAgent(),
        verified: false,
        description: `plain HTTP to ${host} (--plain-http): traffic is not encrypted`,
      };
      await this.ping();
      return;
    }
    this.material = loadTlsMaterial(host, this.opts);
    const insecure = !!this.opts.insecure;
    const extra = this.material.files.length ? ` (extra CA/certificates: ${this.material.files.join(', ')})` : '';
    this.endpoint = {
      host,
      scheme: 'https',
      agent: httpsAgent(this.material, insecure),
      verified: !insecure,
      description: insecure
        ? `HTTPS to ${host} WITHOUT certificate verification (--insecure)`
        : `HTTPS to ${host}, certificate verified${extra}`,
    };
    try {
      await this.ping();
    } catch (err) {
      if (isCertificateError(err) && !insecure) throw describeCertificateError(host, err);
      if (loopback && isTlsProtocolError(err)) {
        this.endpoint.agent.destroy();
        this.endpoint = {
          host,
          scheme: 'http',
          agent: httpAgent(),
          verified: false,
          description: `plain HTTP to ${host} (loopback registry without TLS, as Docker allows)`,
        };
        await this.ping();
        return;
      }
      throw err;
    }
  }

  private async ping(): Promise<void> {
    let res: http.IncomingMessage;
    try {
      res = await this.withRetries('GET', () =>
        send({
          method: 'GET',
          url: new URL('/v2/', this.origin),
          agent: this.endpoint.agent,
          timeoutMs: this.opts.timeoutMs,
        }),
      );
    } catch (err) {
      if (err instanceof LayerlensError || isCertificateError(err) || isTlsProtocolError(err)) throw err;
      throw new LayerlensError(
        `cannot reach registry ${this.host} over ${this.endpoint.scheme.toUpperCase()}: ${describeNetError(err)}`,
        'NETWORK',
      );
    }
    this.pingStatus = res.statusCode ?? 0;
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
    discard(res);
    if (res.statusCode === 401) {
      this.challenge = findChallenge(challenges, 'bearer') ?? findChallenge(challenges, 'basic') ?? challenges[0];
    } else if (res.statusCode === 429) {
      throw rateLimitError(this.host, res, !!this.opts.credential);
    } else if (res.statusCode !== 200 && res.statusCode !== 403) {
      throw new LayerlensError(
        `${this.host} does not look like a container registry (GET /v2/ answered ${res.statusCode})`,
        'NOT_REGISTRY',
      );
    }
  }

  /**
   * One logical request: auth (retried once on a fresh 401 with a new token), 5xx/reset retries
   * with backoff, redirects by hand. Resolves with the final response whatever its status, except
   * 429 which rejects with the rate-limit error.
   */
  request(o: RequestOptions): Promise<http.IncomingMessage> {
    return this.requestWith(o, (x) =>
      send({
        method: x.method,
        url: x.url,
        headers: x.headers,
        agent: this.agentFor(x.url, x.sameOrigin),
        body: x.body,
        timeoutMs: this.opts.timeoutMs,
      }),
    );
  }

  /**
   * A blob GET whose body the download worker reads and hashes into `blob.hash` (fetch-worker.ts);
   * the same auth, redirect and retry handling as request(). `blob.offset`: bytes already delivered.
   */
  requestBlob(o: RequestOptions, blob: { hash: RemoteHash; offset: number }): Promise<RemoteResponse> {
    return this.requestWith(o, (x) => {
      const agent = this.agentSpecFor(x.url, x.sameOrigin);
      this.offThreadAgents.set(JSON.stringify(agent), agent);
      return sendOffThread({
        url: x.url,
        headers: { 'user-agent': USER_AGENT, ...x.headers },
        agent,
        timeoutMs: this.opts.timeoutMs ?? 60_000,
        hash: blob.hash,
        offset: blob.offset,
      });
    });
  }

  private async requestWith<R extends HttpResponse>(
    o: RequestOptions,
    sender: (x: Exchange) => Promise<R>,
  ): Promise<R> {
    const method = o.method ?? 'GET';
    const idempotent = method === 'GET' || method === 'HEAD';
    const doRetry = o.retry ?? idempotent;
    const run = () => this.requestOnce(o, method, sender);
    const res = doRetry ? await this.withRetries(method, run) : await run();
    if (res.statusCode === 429) {
      discard(res);
      throw rateLimitError(this.host, res, !o.anonymous && !!this.opts.credential);
    }
    return res;
  }

  private async requestOnce<R extends HttpResponse>(
    o: RequestOptions,
    method: string,
    sender: (x: Exchange) => Promise<R>,
  ): Promise<R> {
    let scopes = o.scopes ?? [];
    let res = await this.followRedirects(
      o,
      method,
      o.anonymous ? undefined : await this.authorization(scopes, false),
      sender,
    );
    if (res.statusCode === 401 && !o.anonymous && this.isRegistryResponse(res)) {
      const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
      const fresh = findChallenge(challenges, 'bearer') ?? findChallenge(challenges, 'basic');
      if (fresh) {
        const hadAuth = !!this.challenge;
        this.challenge = fresh;
        const wanted = fresh.params.scope ? fresh.params.scope.split(' ').filter(Boolean) : [];
        scopes = [...new Set([...scopes, ...wanted])];
        // Retry once: a new challenge, an expired token, or scopes we did not know we needed.
        if (fresh.scheme === 'bearer' || (fresh.scheme === 'basic' && this.opts.credential && !hadAuth)) {
          discard(res);
          res = await this.followRedirects(o, method, await this.authorization(scopes, true), sender);
        }
      }
    }
    return res;
  }

  /** Registry responses carry a marker we set: the final hop of followRedirects was the registry. */
  private isRegistryResponse(res: HttpResponse): boolean {
    return (res as HttpResponse & { layerlensSameOrigin?: boolean }).layerlensSameOrigin !== false;
  }

  private async followRedirects<R extends HttpResponse>(
    o: RequestOptions,
    method: string,
    authorization: string | undefined,
    sender: (x: Exchange) => Promise<R>,
  ): Promise<R> {
    let url = typeof o.path === 'string' ? new URL(o.path, this.origin) : o.path;
    let m = method;
    let body = o.body;
    const follow = o.followRedirects ?? (method === 'GET' || method === 'HEAD');
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === this.origin;
      const headers: Record<string, string> = { ...o.headers };
      // Never forward credentials to another origin (CDNs and presigned URLs reject them, and
      // they must not leak to a third party).
      if (sameOrigin && authorization) headers.authorization = authorization;
      if (!sameOrigin) {
        delete headers.authorization;
        this.redirectHosts.add(url.host);
      }
      const res = await sender({ method: m, url, headers, body, sameOrigin });
      (res as HttpResponse & { layerlensSameOrigin?: boolean }).layerlensSameOrigin = sameOrigin;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (!follow || !REDIRECTS.has(status) || !location) return res;
      discard(res);
      if (hop >= MAX_REDIRECTS)
        throw new LayerlensError(`too many redirects from ${this.host} (last: ${url.host})`, 'NETWORK');
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new LayerlensError(`${this.host} redirected to an invalid URL`, 'NETWORK');
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:')
        throw new LayerlensError(`${this.host} redirected to an unsupported URL scheme ${next.protocol}`, 'NETWORK');
      if (status === 303) {
        m = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  private agentFor(url: URL, sameOrigin: boolean): http.Agent {
    if (sameOrigin) return this.endpoint.agent;
    if (url.protocol === 'https:') {
      // Another host (CDN, storage, token server): verified with the system roots plus any CA the
      // user gave for this registry; --insecure only covers the registry's own host name.
      this.foreignHttps ??= httpsAgent(this.material ?? { ca: [], files: [] }, false);
      if (this.opts.insecure && hostOnly(url.host) === hostOnly(this.host))
        return this.endpoint.scheme === 'https' ? this.insecureSameHostAgent() : this.foreignHttps;
      return this.foreignHttps;
    }
    this.foreignHttp ??= httpAgent();
    return this.foreignHttp;
  }

  private insecureAgent?: http.Agent;
  private insecureSameHostAgent(): http.Agent {
    this.insecureAgent ??= httpsAgent(this.material ?? { ca: [], files: [] }, true);
    return this.insecureAgent;
  }

  /** What agentFor() would use, as data the download worker builds its own agent from. */
  private agentSpecFor(url: URL, sameOrigin: boolean): AgentSpec {
    if (url.protocol !== 'https:') return { https: false };
    const m = this.material ?? { ca: [], files: [] };
    const spec = (insecure: boolean): AgentSpec => ({
      https: true,
      ca: m.ca.map((b) => b.toString('utf8')),
      cert: m.cert?.toString('utf8'),
      key: m.key?.toString('utf8'),
      insecure,
    });
    if (sameOrigin) return spec(!!this.opts.insecure);
    if (this.opts.insecure && hostOnly(url.host) === hostOnly(this.host)) return spec(this.endpoint.scheme === 'https');
    return spec(false);
  }

  /** Retry `fn` on 5xx responses and connection resets, with backoff. */
  private async withRetries<R extends HttpResponse>(method: string, fn: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      let res: R;
      try {
        res = await fn();
      } catch (err) {
        if (attempt < this.retryPolicy.retries && isRetryableError(err)) {
          const d = backoffDelay(this.retryPolicy, attempt);
          this.opts.log?.(`${this.host}: ${describeNetError(err)}; retrying ${method} in ${Math.round(d)} ms`);
          await sleep(d);
          continue;
        }
        throw err;
      }
      const status = res.statusCode ?? 0;
      if (isRetryableStatus(status) && attempt < this.retryPolicy.retries) {
        discard(res);
        const d = backoffDelay(this.retryPolicy, attempt, res.headers['retry-after']);
        this.opts.log?.(`${this.host}: HTTP ${status}; retrying ${method} in ${Math.round(d)} ms`);
        await sleep(d);
        continue;
      }
      return res;
    }
  }

  // ---- authentication ----

  /** The Authorization header for these scopes, fetching a token when needed. */
  async authorization(scopes: string[], forceRefresh: boolean): Promise<string | undefined> {
    const cred = this.opts.credential;
    if (cred?.registryToken) {
      this.authUsed = `registry token (${cred.source})`;
      return `Bearer ${cred.registryToken}`;
    }
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') {
      if (!cred || cred.username === undefined) return undefined;
      this.authUsed = `Basic (credentials from ${cred.source})`;
      return 'Basic ' + Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64');
    }
    if (ch.scheme === 'bearer') {
      const t = await this.token(scopes, forceRefresh);
      this.authUsed = cred ? `token (credentials from ${cred.source})` : 'anonymous token';
      return `Bearer ${t.token}`;
    }
    return undefined;
  }

  private async token(scopes: string[], forceRefresh: boolean): Promise<CachedToken> {
    const key = [...new Set(scopes)].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && !forceRefresh && Date.now() < cached.expiresAt - TOKEN_MARGIN_MS) return cached;
    let pending = this.pendingTokens.get(key);
    if (!pending || forceRefresh) {
      pending = this.fetchToken(key ? key.split(' ') : []).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    const t = await pending;
    this.tokens.set(key, t);
    return t;
  }

  private async fetchToken(scopes: string[]): Promise<CachedToken> {
    const ch = this.challenge!;
    const cred = this.opts.credential;
    let realm: URL;
    try {
      realm = new URL(ch.params.realm ?? '');
    } catch {
      throw new LayerlensError(
        `${this.host} asked for a token but gave no valid realm (WWW-Authenticate realm="${ch.params.realm ?? ''}")`,
        'AUTH',
      );
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:')
      throw new LayerlensError(`${this.host}: unsupported token realm scheme ${realm.protocol}`, 'AUTH');
    const sendsSecret = !!(cred && (cred.username !== undefined || cred.identityToken));
    if (sendsSecret && realm.protocol === 'http:' && this.endpoint.scheme === 'https' && !isLoopbackHost(realm.host)) {
      throw new LayerlensError(
        `the token service of ${this.host} (${realm.origin}) is plain HTTP; refusing to send credentials in clear`,
        'AUTH',
      );
    }
    const sameOrigin = realm.origin === this.origin;
    const agent = this.agentFor(realm, sameOrigin);
    const headers: Record<string, string> = { accept: 'application/json' };
    let method = 'GET';
    let body: string | undefined;
    if (cred?.identityToken) {
      // OAuth2 refresh-token grant, as Docker does with identity tokens.
      method = 'POST';
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: cred.identityToken,
        client_id: 'layerlens',
        access_type: 'offline',
      });
      if (ch.params.service) form.set('service', ch.params.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (ch.params.service) realm.searchParams.set('service', ch.params.service);
      for (const s of scopes) realm.searchParams.append('scope', s);
      if (cred && cred.username !== undefined) {
        realm.searchParams.set('account', cred.username);
        headers.authorization = 'Basic ' + Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64');
      }
    }
    const res = await this.withRetries(method, () =>
      send({ method, url: realm, headers, agent, body, timeoutMs: this.opts.timeoutMs }),
    );
    if (res.statusCode === 429) {
      discard(res);
      throw rateLimitError(realm.host, res, !!cred);
    }
    const raw = await readBody(res, 1 << 20, 'token response');
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw cred
        ? new LayerlensError(
            `login to ${this.host} failed: the token service rejected the credentials from ${cred.source} (${res.statusCode})`,
            'AUTH',
          )
        : new LayerlensError(
            `${this.host} requires authentication: run docker login ${this.host}, or pass --username with --password-stdin`,
            'AUTH',
          );
    }
    if (res.statusCode !== 200) {
      throw new LayerlensError(
        `token service ${realm.host} answered ${res.statusCode}${distributionErrors(raw) ? ': ' + distributionErrors(raw) : ''}`,
        'AUTH',
      );
    }
    let j: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      j = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new LayerlensError(`token service ${realm.host} did not answer JSON`, 'AUTH');
    }
    const token = j.token || j.access_token;
    if (!token) throw new LayerlensError(`token service ${realm.host} answered without a token`, 'AUTH');
    // The spec's default lifetime is 60 s; issued_at (when sane) anchors it.
    const lifetime = (typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 60) * 1000;
    const issued = j.issued_at ? Date.parse(j.issued_at) : NaN;
    const start = Number.isFinite(issued) && Math.abs(issued - Date.now()) < 5 * 60_000 ? issued : Date.now();
    return { token, expiresAt: start + lifetime };
  }

  // ---- typed helpers ----

  /** GET/HEAD a small JSON/manifest body; non-2xx becomes a LayerlensError naming `what`. */
  async fetchSmall(
    o: RequestOptions & { limit: number; what: string },
  ): Promise<{ res: http.IncomingMessage; body: Buffer }> {
    const res = await this.request(o);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readBody(res, 64 * 1024, o.what).catch(() => Buffer.alloc(0));
      throw this.statusError(status, o.what, body);
    }
    const body = o.method === 'HEAD' ? (discard(res), Buffer.alloc(0)) : await readBody(res, o.limit, o.what);
    return { res, body };
  }

  statusError(status: number, what: string, body?: Buffer): LayerlensError {
    const detail = body ? distributionErrors(body) : undefined;
    const suffix = detail ? ` (${detail})` : '';
    const cred = this.opts.credential;
    if (status === 401) {
      return cred
        ? new LayerlensError(
            `${what}: ${this.host} did not accept the credentials from ${cred.source}${suffix}`,
            'AUTH',
          )
        : new LayerlensError(
            `${what}: ${this.host} requires authentication: run docker login ${this.host}, or pass --username with --password-stdin${suffix}`,
            'AUTH',
          );
    }
    if (status === 403) return new LayerlensError(`${what}: access denied by ${this.host}${suffix}`, 'DENIED');
    if (status === 404) return new LayerlensError(`${what}: not found on ${this.host}${suffix}`, 'NOT_FOUND');
    return new LayerlensError(`${what}: ${this.host} answered HTTP ${status}${suffix}`, 'HTTP');
  }
}

export function describeNetError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND') return 'host not found';
  if (e?.code === 'EAI_AGAIN') return 'DNS lookup failed (temporary)';
  if (e?.code === 'ETIMEDOUT') return e.message || 'timed out';
  if (e?.code === 'ECONNRESET') return 'connection reset';
  return e?.message ?? String(err);
}
