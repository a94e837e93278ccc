/**
 * A Distribution API client for one registry host, built from small layers (as
 * go-containerregistry's transport is), outermost first:
 *
 *   retry.ts     5xx, 408, broken connections and short 429 waits, within the request's deadline
 *   auth.ts      Authorization for the registry's origin only, token per scope, one more try on a 401
 *   redirect.ts  3xx by hand; Authorization never goes to another origin
 *   send.ts      one exchange with connect, header, stall and deadline time-outs
 *                (or fetch-worker.ts: the same exchange on the download worker, for blob bodies)
 *
 * ping.ts picks the transport and learns the challenge first; timeouts.ts says how long each
 * request may take. This file composes them and words their failures: every error names what
 * was being fetched and the host, in one line.
 */
import type http from 'node:http';
import { LayerlensError } from '../../errors/index.js';
import { Authenticator } from './auth.js';
import type { Credential } from './credentials.js';
import { distributionErrors } from './distribution.js';
import { closeOffThreadAgents, sendOffThread, type RemoteHash, type RemoteResponse } from './fetch-worker.js';
import { ERROR_BODY_LIMIT, TOKEN_LIMIT } from './limits.js';
import { ping } from './ping.js';
import { followRedirects, type Exchange, type Routed } from './redirect.js';
import { DEFAULT_RETRY, withRetries, type Reply, type RetryPolicy } from './retry.js';
import { discard, readBody, readPrefix, send, USER_AGENT, type HttpResponse } from './send.js';
import { networkReason, TransportError } from './exchange-errors.js';
import { Deadline, requestTimeout } from './timeouts.js';
import type { TokenFetch } from './token.js';
import {
  Agents,
  describeCertificateError,
  isCertificateError,
  loadTlsMaterial,
  type AgentSpec,
  type Endpoint,
  type TransportOptions,
} from './transport.js';
import type { Challenge } from './www-authenticate.js';

export interface ClientOptions extends TransportOptions {
  credential?: Credential;
  log?: (line: string) => void;
  retry?: RetryPolicy;
  /** --timeout: each request's deadline (timeouts.ts). */
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
  /** Follow 3xx by hand (default: GET and HEAD). */
  followRedirects?: boolean;
  /** Retry 5xx and broken connections (default: GET and HEAD). */
  retry?: boolean;
  /** Send no credentials at all (audit probes). */
  anonymous?: boolean;
  /** For messages: "manifest of nginx:1.27". */
  what: string;
}

/** A whole small exchange. */
export interface Fetched extends Reply {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
}

export class RegistryClient {
  endpoint!: Endpoint;
  /** Status of the anonymous GET /v2/ ping. */
  pingStatus = 0;
  /** Every host a redirect took a request to, other than the registry (for tests and notes). */
  readonly redirectHosts = new Set<string>();
  private auth!: Authenticator;
  private agents!: Agents;
  private readonly retryPolicy: RetryPolicy;
  private readonly timeoutMs: number;
  /** Agent specs the download worker built for this client (closed with it). */
  private readonly offThreadAgents = new Map<string, AgentSpec>();
  /** After close(): no new exchange starts (a retry in its backoff gives up). */
  private closed = false;

  private constructor(
    /** API host[:port] (registry-1.docker.io for docker.io). */
    readonly host: string,
    readonly opts: ClientOptions,
  ) {
    this.retryPolicy = opts.retry ?? DEFAULT_RETRY;
    this.timeoutMs = requestTimeout(opts.timeoutMs);
  }

  /** Ping the registry: pick the transport and learn the auth challenge. */
  static async connect(host: string, opts: ClientOptions): Promise<RegistryClient> {
    const c = new RegistryClient(host, opts);
    const material = opts.plainHttp ? { ca: [], files: [] } : loadTlsMaterial(host, opts);
    const authenticated = !!opts.credential;
    const result = await ping(
      host,
      material,
      { plainHttp: opts.plainHttp, insecure: opts.insecure, authenticated },
      (ep) => c.probe(ep),
    );
    c.endpoint = result.endpoint;
    c.pingStatus = result.status;
    c.agents = new Agents(result.endpoint, material, !!opts.insecure);
    c.auth = new Authenticator({
      registryHost: host,
      registryScheme: result.endpoint.scheme,
      credential: opts.credential,
      challenge: result.challenge,
    });
    return c;
  }

  get origin(): string {
    return `${this.endpoint.scheme}://${this.endpoint.host}`;
  }

  get credential(): Credential | undefined {
    return this.opts.credential;
  }

  /** What the registry asked for (undefined: no auth). */
  get challenge(): Challenge | undefined {
    return this.auth.challenge;
  }

  /** How requests were authenticated, for notes. */
  get authUsed(): string {
    return this.auth.used;
  }

  /** The time-out every request of this client has. */
  get timeout(): number {
    return this.timeoutMs;
  }

  close(): void {
    this.closed = true;
    this.agents?.close();
    closeOffThreadAgents([...this.offThreadAgents.values()]);
  }

  /** GET /v2/ on a candidate endpoint, anonymously: status and headers. */
  private async probe(endpoint: Endpoint): Promise<Reply> {
    const deadline = new Deadline(this.timeoutMs);
    const url = new URL('/v2/', `${endpoint.scheme}://${this.host}`);
    return withRetries(
      async () => {
        const res = await send({ method: 'GET', url, agent: endpoint.agent, timing: deadline.timing(true) });
        discard(res);
        return { statusCode: res.statusCode, headers: res.headers };
      },
      this.retryOptions(deadline, 'GET', () => {}),
    );
  }

  /**
   * A whole small exchange (manifests, configs, lists, probes): a 2xx body up to `limit` bytes
   * (more is TOO_LARGE), other bodies' first 64 KiB; every retry and the body within the deadline.
   */
  fetch(o: RequestOptions & { limit: number }): Promise<Fetched> {
    const method = o.method ?? 'GET';
    return this.exchange<HttpResponse, Fetched>(
      o,
      true,
      (x) => send({ ...x, agent: this.agents.for(x.url) }),
      async ({ res, url }) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const body =
          method === 'HEAD'
            ? (discard(res), Buffer.alloc(0))
            : ok
              ? await readBody(res, o.limit, o.what)
              : await readPrefix(res, ERROR_BODY_LIMIT);
        return { statusCode: status, headers: res.headers, body, url };
      },
      () => {},
    );
  }

  /** fetch(), with any answer but 2xx as the error it means (statusError). */
  async fetchOk(o: RequestOptions & { limit: number }): Promise<Fetched> {
    const r = await this.fetch(o);
    if (r.statusCode < 200 || r.statusCode >= 300) throw this.statusError(r.statusCode, o.what, r.body);
    return r;
  }

  /** A body to stream (a blob), read on this thread: the headers within the deadline, then the stall rule. */
  stream(o: RequestOptions): Promise<http.IncomingMessage> {
    return this.exchange<http.IncomingMessage, http.IncomingMessage>(
      o,
      false,
      (x) => send({ ...x, agent: this.agents.for(x.url) }),
      async ({ res }) => res,
      discard,
    );
  }

  /**
   * A blob GET whose body the download worker reads and hashes into `blob.hash`, with the same
   * layers as stream(). `blob.offset`: bytes already delivered (a resume).
   */
  streamOffThread(o: RequestOptions, blob: { hash: RemoteHash; offset: number }): Promise<RemoteResponse> {
    return this.exchange<RemoteResponse, RemoteResponse>(
      o,
      false,
      (x) => {
        const agent = this.agents.specFor(x.url);
        this.offThreadAgents.set(JSON.stringify(agent), agent);
        return sendOffThread({
          url: x.url,
          headers: { 'user-agent': USER_AGENT, ...x.headers },
          agent,
          timing: x.timing,
          hash: blob.hash,
          offset: blob.offset,
        });
      },
      async ({ res }) => res,
      discard,
    );
  }

  /** retry(auth(redirect(terminal))), then `finish` (read the body, or hand the stream over). */
  private async exchange<R extends HttpResponse, T extends Reply>(
    o: RequestOptions,
    bodyInDeadline: boolean,
    terminal: (x: Exchange) => Promise<R>,
    finish: (routed: Routed<R>) => Promise<T>,
    drop: (t: T) => void,
  ): Promise<T> {
    const method = o.method ?? 'GET';
    const idempotent = method === 'GET' || method === 'HEAD';
    const url = typeof o.path === 'string' ? new URL(o.path, this.origin) : o.path;
    const deadline = new Deadline(this.timeoutMs);
    const timing = deadline.timing(bodyInDeadline);
    const follow = o.followRedirects ?? idempotent;
    const hop = (x: Exchange): Promise<R> => {
      if (this.closed) throw new LayerlensError(`${o.what}: the connection to ${this.host} was closed`, 'NETWORK');
      return terminal(x);
    };
    const once = async (x: Exchange): Promise<Routed<R>> =>
      follow ? followRedirects(x, hop, (to) => this.noteHop(to)) : { res: await hop(x), url: x.url };
    // Credentials only ever go to the registry's own origin.
    const authed = !o.anonymous && url.origin === this.origin;
    const attempt = async (): Promise<T> => {
      let scopes = o.scopes ?? [];
      const go = async (fresh: boolean) => {
        const headers = { ...o.headers };
        const authorization = authed ? await this.auth.header(scopes, fresh, this.tokenFetch(deadline)) : undefined;
        if (authorization) headers.authorization = authorization;
        return once({ method, url, headers, body: o.body, timing });
      };
      let routed = await go(false);
      if (authed && routed.res.statusCode === 401 && routed.url.origin === this.origin) {
        const again = this.auth.reconsider(routed.res, scopes);
        if (again) {
          discard(routed.res);
          scopes = again;
          routed = await go(true);
        }
      }
      return finish(routed);
    };
    try {
      return await withRetries(attempt, this.retryOptions(deadline, method, drop, o.retry ?? idempotent, o.anonymous));
    } catch (err) {
      throw this.describeFailure(err, o.what);
    }
  }

  /** The token service, reached with the same layers but its own agent, within the request's deadline. */
  private tokenFetch(deadline: Deadline): TokenFetch {
    return async (x) => {
      const what = `token from ${x.url.host}`;
      try {
        return await withRetries(
          async () => {
            const { res, url } = await followRedirects({ ...x, timing: deadline.timing(true) }, (hop) =>
              send({ ...hop, agent: this.agents.for(hop.url) }),
            );
            const status = res.statusCode ?? 0;
            const body =
              status === 200
                ? await readBody(res, TOKEN_LIMIT, `the answer of ${url.host}`)
                : await readPrefix(res, ERROR_BODY_LIMIT);
            return { statusCode: status, status, headers: res.headers, body };
          },
          { ...this.retryOptions(deadline, x.method, () => {}), host: x.url.host },
        );
      } catch (err) {
        throw this.describeFailure(err, what);
      }
    };
  }

  private retryOptions<T>(deadline: Deadline, method: string, drop: (t: T) => void, enabled = true, anonymous = false) {
    return {
      policy: this.retryPolicy,
      deadline,
      enabled,
      host: this.host,
      method,
      authenticated: !anonymous && !!this.opts.credential,
      drop,
      log: this.opts.log,
    };
  }

  private noteHop(to: URL): void {
    if (to.origin !== this.origin) this.redirectHosts.add(to.host);
  }

  /** A failure of the layers below as one line: what, which host, which step. */
  describeFailure(err: unknown, what: string): Error {
    if (err instanceof LayerlensError) return err;
    if ((err as NodeJS.ErrnoException)?.code === 'EWORKER') return err as Error; // blob-stream.ts falls back
    const host = err instanceof TransportError ? err.host : this.host;
    if (isCertificateError(err)) return describeCertificateError(host, err);
    if (err instanceof TransportError && err.timedOut)
      return new LayerlensError(`${what}: ${err.message} (--timeout changes it)`, 'TIMEOUT');
    if (err instanceof TransportError) return new LayerlensError(`${what}: ${err.message}`, 'NETWORK');
    return new LayerlensError(`${what}: ${host}: ${networkReason(err)}`, 'NETWORK');
  }

  statusError(status: number, what: string, body?: Buffer): LayerlensError {
    const codes = distributionErrors(body);
    const suffix = codes ? ` (${codes})` : '';
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
