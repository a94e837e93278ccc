/**
 * The download worker's own connections for blob GETs (raw-get.ts): TCP or TLS sockets whose
 * reads all land in one buffer per connection (`onread`), instead of a new 64 KiB allocation per
 * read as node:http's sockets make; and a pool of idle kept-alive ones per origin.
 *
 * TLS: `tls.connect` honours `onread` as `net.connect` does (Node ≥ 14.5; tested on Node 20), so
 * HTTPS registries take this path too. One secure context per AgentSpec (the CA bundle is parsed
 * once, not per connection) and the last TLS session per origin, as https.Agent keeps them.
 *
 * Bounds: at most MAX_IDLE idle connections per origin, each closed after IDLE_MS; a connection
 * that sends anything or closes while idle is dropped.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { AgentSpec } from './transport.js';

/** One read's buffer (loopback reads reach 128 KiB and more; fewer, larger reads cost less). */
const READ_BUFFER = 256 << 10;
const MAX_IDLE = 8;
const IDLE_MS = 15_000;

/** What the request on a connection hears; an idle connection has none. */
export interface ConnHandler {
  /** Bytes [0, n) of `buf`, valid only during the call (the next read overwrites them). */
  data(buf: Buffer, n: number): void;
  /** TCP connected (TLS: its handshake starts). */
  connected(): void;
  /** TLS handshake done (plain TCP: right after `connected`). */
  ready(): void;
  /** The connection ended or failed (called once per handler). */
  closed(err?: Error): void;
}

export class Conn {
  handler?: ConnHandler;
  /** Taken from the idle pool: a failure before any byte may be the server's idle close. */
  reused = false;
  private idleTimer?: NodeJS.Timeout;
  readonly socket: net.Socket;

  constructor(
    readonly key: string,
    url: URL,
    spec: AgentSpec,
  ) {
    const buffer = Buffer.allocUnsafeSlow(READ_BUFFER);
    const onread = {
      buffer,
      callback: (n: number) => {
        if (this.handler) this.handler.data(buffer, n);
        else this.socket.destroy(); // bytes nobody asked for: not reusable
        return true;
      },
    };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (spec.https ? 443 : 80);
    this.socket = spec.https
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          secureContext: secureContext(spec),
          rejectUnauthorized: !spec.insecure,
          session: sessions.get(key),
          onread,
        } as tls.ConnectionOptions)
      : net.connect({ host, port, noDelay: true, onread });
    this.socket.setNoDelay(true);
    this.socket.once('connect', () => {
      this.handler?.connected();
      if (!spec.https) this.handler?.ready();
    });
    if (spec.https) {
      this.socket.once('secureConnect', () => this.handler?.ready());
      this.socket.on('session', (s: Buffer) => sessions.set(key, s));
    }
    const closed = (err?: Error) => {
      const h = this.handler;
      this.handler = undefined;
      if (h) h.closed(err);
      else this.drop();
    };
    this.socket.on('error', closed);
    this.socket.on('end', () => closed());
    this.socket.on('close', () => closed());
  }

  get alive(): boolean {
    return !this.socket.destroyed && !this.socket.readableEnded && this.socket.writable;
  }

  destroy(): void {
    this.handler = undefined;
    this.drop();
  }

  /** Back to the pool after a response read whole on a kept-alive connection. */
  release(): void {
    this.handler = undefined;
    const list = idle.get(this.key) ?? [];
    if (!this.alive || list.length >= MAX_IDLE) return this.drop();
    list.push(this);
    idle.set(this.key, list);
    // Read while idle (a paused socket would not see the server close it), without holding the thread.
    this.socket.resume();
    this.socket.unref();
    this.idleTimer = setTimeout(() => this.drop(), IDLE_MS).unref();
  }

  /** Leave the pool (if in it) and close. */
  private drop(): void {
    clearTimeout(this.idleTimer);
    const list = idle.get(this.key);
    const i = list?.indexOf(this) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (list?.length === 0) idle.delete(this.key);
    this.socket.destroy();
  }

  /** Taken from the pool for a request. */
  take(): void {
    clearTimeout(this.idleTimer);
    this.socket.ref();
    this.reused = true;
  }
}

const idle = new Map<string, Conn[]>();
const sessions = new Map<string, Buffer>();
const contexts = new Map<string, tls.SecureContext>();

export function poolKey(spec: AgentSpec, url: URL): string {
  return `${JSON.stringify(spec)} ${url.origin}`;
}

/** An idle kept-alive connection to this origin with this spec (unless `fresh`), or a new one. */
export function connection(spec: AgentSpec, url: URL, fresh = false): Conn {
  const key = poolKey(spec, url);
  const list = idle.get(key);
  while (!fresh && list?.length) {
    const c = list.pop()!;
    if (!list.length) idle.delete(key);
    if (c.alive) {
      c.take();
      return c;
    }
    c.destroy();
  }
  return new Conn(key, url, spec);
}

/** Close the idle connections and forget the sessions made with these specs (client.close()). */
export function closeConnections(specs: AgentSpec[]): void {
  const prefixes = specs.map((s) => `${JSON.stringify(s)} `);
  for (const [key, list] of [...idle]) {
    if (!prefixes.some((p) => key.startsWith(p))) continue;
    for (const c of [...list]) c.destroy();
    idle.delete(key);
    sessions.delete(key);
  }
  for (const key of [...sessions.keys()]) if (prefixes.some((p) => key.startsWith(p))) sessions.delete(key);
  for (const s of specs) contexts.delete(JSON.stringify(s));
}

function secureContext(spec: AgentSpec): tls.SecureContext {
  const key = JSON.stringify(spec);
  let c = contexts.get(key);
  if (!c) {
    c = tls.createSecureContext({
      ca: spec.ca?.length ? [...tls.rootCertificates, ...spec.ca] : undefined,
      cert: spec.cert,
      key: spec.key,
    });
    contexts.set(key, c);
  }
  return c;
}
