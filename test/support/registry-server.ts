/**
 * An in-process HTTP server that speaks enough of the Distribution API to serve one image (ping,
 * manifests by tag and digest, blobs with Range), for the fault cases a real registry cannot
 * produce: every request goes through `fault` first, which may answer it itself (a 401
 * challenge, a 503, a redirect, a cut body, a stall, a lie about a length or a digest).
 *
 * The real-registry tests (test/integration/registry.test.ts) use Debian's docker-registry; this
 * server is for the transport's unit tests and the hostile-registry suite.
 */
import http from 'node:http';
import type net from 'node:net';
import type { BuiltManifest } from './oci-image.js';

export interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestServer {
  /** host:port on 127.0.0.1 */
  host: string;
  port: number;
  url: string;
  hits: Hit[];
  /** Open sockets (a stalled body keeps its own). */
  sockets: Set<net.Socket>;
  stop(): Promise<void>;
}

/** Start `handler` on a random loopback port; every request is recorded in `hits`. */
export async function startServer(handler: Handler, server: http.Server = http.createServer()): Promise<TestServer> {
  const hits: Hit[] = [];
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    hits.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    handler(req, res);
  });
  server.keepAliveTimeout = 2000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    sockets,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** What `fault` may answer: true when it did. */
export type Fault = (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => boolean | undefined;

export interface ImageServerOptions {
  image: BuiltManifest;
  repository: string;
  tag: string;
  fault?: Fault;
}

/** A registry of one image: anonymous, plain HTTP, no redirects (add them with `fault`). */
export async function startImageServer(o: ImageServerOptions): Promise<TestServer & { requests: number }> {
  const blobs = new Map([o.image.config, ...o.image.layers].map((b) => [b.digest, b.data]));
  let n = 0;
  const s = await startServer((req, res) => {
    n++;
    if (o.fault?.(req, res, n)) return;
    serveImage(o, blobs, req, res);
  });
  return Object.assign(s, {
    get requests() {
      return n;
    },
  });
}

function serveImage(
  o: ImageServerOptions,
  blobs: Map<string, Buffer>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  const prefix = `/v2/${o.repository}/`;
  if (!url.pathname.startsWith(prefix)) return notFound(res, 'NAME_UNKNOWN');
  const rest = url.pathname.slice(prefix.length);
  const m = o.image.manifest;
  if (rest === `manifests/${o.tag}` || rest === `manifests/${m.digest}`) {
    res.writeHead(200, {
      'content-type': m.mediaType,
      'content-length': m.data.length,
      'docker-content-digest': m.digest,
    });
    return void res.end(req.method === 'HEAD' ? undefined : m.data);
  }
  if (rest.startsWith('manifests/') || rest.startsWith('referrers/')) return notFound(res, 'MANIFEST_UNKNOWN');
  const blob = rest.startsWith('blobs/') ? blobs.get(rest.slice('blobs/'.length)) : undefined;
  if (!blob) return notFound(res, 'BLOB_UNKNOWN');
  const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
  const start = range ? Number(range[1]) : 0;
  if (range) {
    res.writeHead(206, {
      'content-length': blob.length - start,
      'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}`,
    });
  } else res.writeHead(200, { 'content-length': blob.length, 'content-type': 'application/octet-stream' });
  res.end(req.method === 'HEAD' ? undefined : blob.subarray(start));
}

export function notFound(res: http.ServerResponse, code: string): void {
  res
    .writeHead(404, { 'content-type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code, message: 'not here' }] }));
}
