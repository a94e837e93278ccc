/**
 * The download worker's own blob GET (src/sources/registry/raw-get.ts, raw-conn.ts) against
 * in-process `net` servers that write raw bytes: a response written a byte at a time, chunked
 * with extensions and trailers, 206 with Content-Range, keep-alive reuse (and a kept-alive
 * connection the server closed while idle), a connection closed mid-body or before the headers,
 * a stalled body (a paused one is not stalled), the headers and TLS time-outs, broken responses
 * as TransportErrors, responses left to node:http; and HTTPS on the same path.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, test } from 'node:test';
import { closeConnections } from '../../../src/sources/registry/raw-conn.js';
import { rawGet } from '../../../src/sources/registry/raw-get.js';
import type { TransportError, Timing } from '../../../src/sources/registry/exchange-errors.js';
import type { AgentSpec } from '../../../src/sources/registry/transport.js';
import { makePki, missingTools } from '../../support/services.js';

const PLAIN: AgentSpec = { https: false };
const stops: Array<() => Promise<void>> = [];
after(async () => {
  closeConnections([PLAIN]);
  for (const s of stops) await s();
});

interface RawServer {
  host: string;
  /** Connections accepted so far, and those the client closed. */
  connections: number;
  closed: number;
  /** Request heads received, in order. */
  requests: string[];
}

/**
 * A server that reads each request head and answers with `answer(socket, index)` (the index of
 * the request over all connections). Speaks raw bytes: nothing is checked or added.
 */
async function rawServer(
  answer: (s: net.Socket, i: number) => void,
  listen: (onSocket: (s: net.Socket) => void) => net.Server = (h) => net.createServer(h),
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const out: RawServer = { host: '', connections: 0, closed: 0, requests: [] };
  const srv = listen((s) => {
    out.connections++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => out.closed++);
    let pending = '';
    s.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let at: number;
      while ((at = pending.indexOf('\r\n\r\n')) >= 0) {
        out.requests.push(pending.slice(0, at));
        pending = pending.slice(at + 4);
        answer(s, out.requests.length - 1);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  out.host = `127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  stops.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  );
  return out;
}

const timing = (o: Partial<Timing> = {}): Timing => ({
  deadlineAt: Date.now() + (o.timeoutMs ?? 5000),
  timeoutMs: 5000,
  connectMs: 5000,
  stallMs: 5000,
  bodyInDeadline: false,
  ...o,
});

interface Got {
  status?: number;
  headers?: Record<string, unknown>;
  body: Buffer;
  ended: boolean;
  error?: TransportError;
  unsupported?: string;
}

/** One GET through rawGet, to its end, error or hand-over to node:http. */
function get(
  host: string,
  o: { path?: string; spec?: AgentSpec; timing?: Timing; headers?: Record<string, string>; pauseMs?: number } = {},
): Promise<Got> {
  const scheme = o.spec?.https ? 'https' : 'http';
  return new Promise((resolve) => {
    const got: Got = { body: Buffer.alloc(0), ended: false };
    const parts: Buffer[] = [];
    const done = () => resolve({ ...got, body: Buffer.concat(parts) });
    const g = rawGet(
      {
        url: new URL(o.path ?? '/v2/x/blobs/sha256:00', `${scheme}://${host}`),
        headers: o.headers ?? { 'user-agent': 'test' },
        spec: o.spec ?? PLAIN,
        timing: o.timing ?? timing(),
      },
      {
        head: (status, headers) => {
          got.status = status;
          got.headers = headers;
          if (o.pauseMs) {
            g.pause();
            setTimeout(() => g.resume(), o.pauseMs);
          }
        },
        // Copied: the chunk is a view of the connection's read buffer.
        body: (c) => parts.push(Buffer.from(c)),
        end: () => ((got.ended = true), done()),
        error: (e) => ((got.error = e), done()),
        unsupported: (why) => ((got.unsupported = why), done()),
      },
    );
  });
}

const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff));

/** Write `bytes` a byte at a time, each in its own TCP segment and read. */
async function trickle(s: net.Socket, bytes: Buffer): Promise<void> {
  s.setNoDelay(true);
  for (let i = 0; i < bytes.length; i++) {
    if (s.destroyed) return;
    s.write(bytes.subarray(i, i + 1));
    await new Promise((r) => setTimeout(r, 0));
  }
}

test('a chunked response with extensions and trailers, written a byte at a time', { timeout: 60_000 }, async () => {
  const response = Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n'),
    Buffer.from('7;ext=1\r\n'),
    data.subarray(0, 7),
    Buffer.from('\r\nA ; a="b;c"\r\n'),
    data.subarray(7, 17),
    Buffer.from('\r\n0\r\nDigest: x\r\n\r\n'),
  ]);
  const srv = await rawServer((s) => void trickle(s, response));
  const r = await get(srv.host);
  assert.equal(r.error, undefined);
  assert.equal(r.status, 200);
  assert.equal(r.headers?.['x-a'], '1');
  assert.deepEqual(r.body, data.subarray(0, 17));
  assert.ok(r.ended);
});

test('the request: path and query, Host, keep-alive and the given headers', async () => {
  const srv = await rawServer((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  await get(srv.host, {
    path: '/v2/a/blobs/sha256:11?X-Amz-Signature=abc&b=%20',
    headers: { range: 'bytes=5-', 'user-agent': 'ua' },
  });
  const lines = srv.requests[0].split('\r\n');
  assert.equal(lines[0], 'GET /v2/a/blobs/sha256:11?X-Amz-Signature=abc&b=%20 HTTP/1.1');
  assert.ok(lines.includes(`Host: ${srv.host}`));
  assert.ok(lines.includes('Connection: keep-alive'));
  assert.ok(lines.includes('range: bytes=5-'));
});

test('a header value with a line break is left to node:http (which refuses it), never written', async () => {
  const srv = await rawServer(() => {});
  const r = await get(srv.host, { headers: { authorization: 'Bearer a\r\nX-Injected: 1' } });
  assert.ok(r.unsupported);
  assert.equal(srv.requests.length, 0);
});

test('206 with Content-Range: status and headers as sent', async () => {
  const srv = await rawServer((s) =>
    s.write(
      Buffer.concat([
        Buffer.from(
          'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-4999/5000\r\nContent-Length: 4000\r\n\r\n',
        ),
        data.subarray(1000),
      ]),
    ),
  );
  const r = await get(srv.host, { headers: { range: 'bytes=1000-' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers?.['content-range'], 'bytes 1000-4999/5000');
  assert.deepEqual(r.body, data.subarray(1000));
});

test('keep-alive: two requests over one connection; Connection: close makes a new one', async () => {
  const srv = await rawServer((s, i) =>
    s.write(
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${100 + i}\r\n\r\n`), data.subarray(0, 100 + i)]),
    ),
  );
  const a = await get(srv.host);
  const b = await get(srv.host);
  assert.deepEqual(a.body, data.subarray(0, 100));
  assert.deepEqual(b.body, data.subarray(0, 101));
  assert.equal(srv.connections, 1);

  const closing = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'));
  assert.equal((await get(closing.host)).body.toString(), 'ok');
  assert.equal((await get(closing.host)).body.toString(), 'ok');
  assert.equal(closing.connections, 2);
});

test('idle connections: at most 8 kept per origin, all closed with their spec', async () => {
  const srv = await rawServer((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const spec: AgentSpec = { https: false, ca: ['a spec of its own, closed alone'] };
  const all = await Promise.all(Array.from({ length: 10 }, () => get(srv.host, { spec })));
  assert.ok(all.every((r) => r.body.toString() === 'ok'));
  assert.equal(srv.connections, 10);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.closed, 2);
  closeConnections([spec]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.closed, 10);
});

test('a kept-alive connection the server closed while it idled: the request goes on a new one', async () => {
  const srv = await rawServer((s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    // Closed right after, as a server's idle time-out would (the client may not have seen it yet).
    setTimeout(() => s.destroy(), 5);
  });
  assert.equal((await get(srv.host)).body.toString(), 'ok');
  await new Promise((r) => setTimeout(r, 50));
  const again = await get(srv.host);
  assert.equal(again.error, undefined);
  assert.equal(again.body.toString(), 'ok');
  assert.equal(srv.connections, 2);
});

test('a connection closed mid-body, and before the headers: ECONNRESET at the right step', async () => {
  const mid = await rawServer((s) =>
    s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n'), data.subarray(0, 1234)])),
  );
  const r = await get(mid.host);
  assert.equal(r.error?.code, 'ECONNRESET');
  assert.equal(r.error?.step, 'body');
  assert.match(r.error?.message ?? '', /closed the connection before the end of the body/);
  assert.equal(r.body.length, 1234);

  const midChunk = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc'));
  assert.equal((await get(midChunk.host)).error?.step, 'body');

  const early = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Le'));
  const e = await get(early.host);
  assert.equal(e.error?.code, 'ECONNRESET');
  assert.equal(e.error?.step, 'headers');
  assert.equal(e.status, undefined);
});

test('a stalled body times out; a paused one does not', { timeout: 20_000 }, async () => {
  const srv = await rawServer((s) =>
    s.write(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n'), data.subarray(0, 10)])),
  );
  const t0 = performance.now();
  const r = await get(srv.host, { timing: timing({ stallMs: 300 }) });
  assert.equal(r.error?.code, 'ETIMEDOUT');
  assert.equal(r.error?.step, 'body');
  assert.match(r.error?.message ?? '', /stalled while sending the body \(less than 1 KiB in 300 ms\)/);
  assert.ok(performance.now() - t0 < 2000);

  // The rest comes after 500 ms: read at once, that would be a stall; paused for 900 ms, it is not.
  const late = async (s: net.Socket) => {
    s.write(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n'), data.subarray(0, 10)]));
    await new Promise((r) => setTimeout(r, 500));
    s.write(data.subarray(10));
  };
  const unpaused = await get((await rawServer((s) => void late(s))).host, { timing: timing({ stallMs: 200 }) });
  assert.equal(unpaused.error?.code, 'ETIMEDOUT');
  const paused = await get((await rawServer((s) => void late(s))).host, {
    timing: timing({ stallMs: 200 }),
    pauseMs: 900,
  });
  assert.equal(paused.error, undefined);
  assert.deepEqual(paused.body, data);
});

test('no headers by the deadline, and a TLS port that never handshakes: time-outs at their steps', {
  timeout: 20_000,
}, async () => {
  const silent = await rawServer(() => {});
  const r = await get(silent.host, { timing: timing({ timeoutMs: 300 }) });
  assert.equal(r.error?.code, 'ETIMEDOUT');
  assert.equal(r.error?.step, 'headers');
  assert.match(r.error?.message ?? '', /sent no response headers within the 300 ms time-out/);

  const tlsSilent = await rawServer(() => {});
  const t = await get(tlsSilent.host, { spec: { https: true }, timing: timing({ connectMs: 300 }) });
  assert.equal(t.error?.code, 'ETIMEDOUT');
  assert.equal(t.error?.step, 'tls');
  assert.match(t.error?.message ?? '', /did not complete the TLS handshake within 300 ms/);
});

test('broken responses are TransportErrors that name the host, never quote the bytes', async () => {
  for (const [response, code, step] of [
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nsecret\r\n', 'HPE_INVALID_CHUNK_SIZE', 'body'],
    [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nsecret\r\n',
      'HPE_INVALID_CHUNK_SIZE',
      'body',
    ],
    [`HTTP/1.1 200 OK\r\nX: ${'s'.repeat(20000)}\r\n\r\n`, 'HPE_HEADER_OVERFLOW', 'headers'],
    ['SECRET/1.1 200 OK\r\n\r\n', 'HPE_INVALID_CONSTANT', 'headers'],
  ] as const) {
    const srv = await rawServer((s) => s.write(response));
    const r = await get(srv.host);
    assert.equal(r.error?.code, code, response.slice(0, 40));
    assert.equal(r.error?.step, step);
    assert.ok(r.error?.message.startsWith(`${srv.host}: not a valid HTTP response (`), r.error?.message);
    assert.doesNotMatch(r.error?.message ?? '', /secret|sss/i);
  }
});

test('responses left to node:http arrive as `unsupported`, with nothing delivered', async () => {
  for (const response of [
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    'HTTP/1.0 200 OK\r\n\r\nuntil close',
    'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok',
  ]) {
    const srv = await rawServer((s) => s.end(response));
    const r = await get(srv.host);
    assert.ok(r.unsupported, response);
    assert.equal(r.status, undefined);
    assert.equal(r.body.length, 0);
  }
});

const noPki = missingTools('openssl');
test('HTTPS on the same path: a verified body; an untrusted certificate fails at the tls step', {
  skip: noPki,
}, async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'layerlens-raw-tls-'));
  try {
    const pki = await makePki(work);
    const key = readFileSync(pki.serverKey);
    const cert = readFileSync(pki.serverCert);
    const srv = await rawServer(
      (s) => s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data])),
      (h) => tls.createServer({ key, cert }, h),
    );
    const spec: AgentSpec = { https: true, ca: [readFileSync(pki.caCert, 'utf8')] };
    const a = await get(srv.host, { spec });
    assert.equal(a.error, undefined);
    assert.deepEqual(a.body, data);
    const b = await get(srv.host, { spec });
    assert.deepEqual(b.body, data);
    assert.equal(srv.connections, 1, 'kept alive over TLS too');
    closeConnections([spec]);

    const untrusted = await get(srv.host, { spec: { https: true } });
    assert.equal(untrusted.error?.step, 'tls');
    assert.match(untrusted.error?.code ?? '', /CERT|SELF_SIGNED|UNABLE_TO/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
