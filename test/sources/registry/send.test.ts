/**
 * One exchange and its time limits (src/sources/registry/send.ts) against real sockets on
 * loopback: a server that never answers, a TLS port that never handshakes, a body that stalls,
 * a consumer that pauses (not a stall), a small body past its deadline, a body shorter than its
 * Content-Length, oversized bodies and headers.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { readBody, send } from '../../../src/sources/registry/send.js';
import { TransportError } from '../../../src/sources/registry/exchange-errors.js';
import { Deadline } from '../../../src/sources/registry/timeouts.js';
import { startServer, type TestServer } from '../../support/registry-server.js';

const servers: Array<{ stop(): Promise<void> }> = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

/** A raw TCP server: accepts and does what `onSocket` says (nothing: a silent peer). */
async function tcpServer(
  onSocket: (s: net.Socket) => void = () => {},
): Promise<{ host: string; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const handle = {
    host: `127.0.0.1:${(srv.address() as net.AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
  servers.push(handle);
  return handle;
}

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`);
  return err;
}

const elapsed = (t0: number) => performance.now() - t0;

test('a server that accepts and never answers: the headers step times out at the deadline', {
  timeout: 20_000,
}, async () => {
  const s = await tcpServer();
  const t0 = performance.now();
  const err = await failure(
    send({ method: 'GET', url: new URL(`http://${s.host}/v2/`), timing: new Deadline(400).timing(true) }),
  );
  assert.equal(err.code, 'ETIMEDOUT');
  assert.equal(err.step, 'headers');
  assert.equal(err.host, s.host);
  assert.match(err.message, /^127\.0\.0\.1:\d+ sent no response headers within the 400 ms time-out$/);
  assert.ok(elapsed(t0) >= 380 && elapsed(t0) < 2000, `took ${elapsed(t0)} ms`);
});

test('a TLS port that accepts and never handshakes: the tls step times out', { timeout: 20_000 }, async () => {
  const s = await tcpServer();
  const err = await failure(
    send({ method: 'GET', url: new URL(`https://${s.host}/v2/`), timing: new Deadline(400).timing(true) }),
  );
  assert.equal(err.step, 'tls');
  assert.match(
    err.message,
    /accepted the connection but did not complete the TLS handshake within the 400 ms time-out/,
  );
});

test('a body that stalls after its headers fails after the stall window; reading on pace does not', {
  timeout: 20_000,
}, async () => {
  const s = await server((req, res) => {
    res.writeHead(200, { 'content-length': 1 << 20 });
    if (req.url === '/stall') res.write(Buffer.alloc(100));
    else {
      // 1 MiB in 16 KiB pieces every 20 ms: slow, but never below 1 KiB per window.
      let sent = 0;
      const t = setInterval(() => {
        res.write(Buffer.alloc(16 << 10));
        if ((sent += 16 << 10) >= 1 << 20) clearInterval(t), res.end();
      }, 20);
    }
  });
  const timing = new Deadline(300).timing(false);
  const stalled = await send({ method: 'GET', url: new URL(`${s.url}/stall`), timing });
  const t0 = performance.now();
  const err = await failure(readBody(stalled, 2 << 20, 'blob'));
  assert.equal(err.step, 'body');
  assert.equal(err.code, 'ETIMEDOUT');
  assert.match(err.message, /stalled while sending the body \(less than 1 KiB in 300 ms\)/);
  assert.ok(elapsed(t0) < 1500, `took ${elapsed(t0)} ms`);

  const slow = await send({ method: 'GET', url: new URL(`${s.url}/slow`), timing: new Deadline(300).timing(false) });
  const body = await readBody(slow, 2 << 20, 'blob');
  assert.equal(
    body.length,
    1 << 20,
    'a body that keeps moving is not cut by a stall window shorter than its whole time',
  );
});

test('a consumer that pauses holds the server back: not a stall', { timeout: 20_000 }, async () => {
  const s = await server((_req, res) => {
    res.writeHead(200, { 'content-length': 4 << 20 });
    res.end(Buffer.alloc(4 << 20));
  });
  const res = await send({ method: 'GET', url: new URL(`${s.url}/big`), timing: new Deadline(200).timing(false) });
  res.pause();
  // Three stall windows with the consumer paused and its buffer full.
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(res.destroyed, false);
  const body = await readBody(res, 8 << 20, 'blob');
  assert.equal(body.length, 4 << 20);
});

test('a small body must end before the deadline even when it trickles above the stall rate', {
  timeout: 20_000,
}, async () => {
  const s = await server((_req, res) => {
    res.writeHead(200, { 'content-length': 1 << 20 });
    const t = setInterval(() => res.write(Buffer.alloc(4 << 10)), 50);
    res.on('close', () => clearInterval(t));
  });
  const t0 = performance.now();
  const res = await send({ method: 'GET', url: new URL(`${s.url}/m`), timing: new Deadline(500).timing(true) });
  const err = await failure(readBody(res, 4 << 20, 'manifest'));
  assert.equal(err.step, 'body');
  assert.match(err.message, /did not finish sending the body within the 500 ms time-out/);
  assert.ok(elapsed(t0) < 1500);
});

test('a body shorter than its Content-Length: one line saying how much arrived', { timeout: 20_000 }, async () => {
  const s = await tcpServer((sock) =>
    sock.once('data', () => {
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789');
      setTimeout(() => sock.destroy(), 50);
    }),
  );
  const res = await send({
    method: 'GET',
    url: new URL(`http://${s.host}/m`),
    timing: new Deadline(2000).timing(true),
  });
  const err = await failure(readBody(res, 1 << 20, 'manifest'));
  assert.equal(err.code, 'ECONNRESET');
  assert.equal(err.step, 'body');
  assert.equal(
    err.message,
    `${s.host} closed the connection before the end of the body (10 of the 100 bytes it announced)`,
  );
});

test('bodies over their limit are refused, by Content-Length or by what arrives', { timeout: 20_000 }, async () => {
  const s = await server((req, res) => {
    if (req.url === '/declared') res.writeHead(200, { 'content-length': 10_000 }).end(Buffer.alloc(10_000));
    else {
      res.writeHead(200); // chunked, no length
      res.end(Buffer.alloc(10_000));
    }
  });
  for (const path of ['/declared', '/chunked']) {
    const res = await send({ method: 'GET', url: new URL(s.url + path), timing: new Deadline(2000).timing(true) });
    await assert.rejects(
      readBody(res, 1000, 'manifest of x'),
      (e: Error) =>
        e instanceof LayerlensError && e.code === 'TOO_LARGE' && /^manifest of x is too large/.test(e.message),
    );
  }
});

test('response headers over 16 KiB and garbage instead of HTTP are plain errors', { timeout: 20_000 }, async () => {
  const big = await tcpServer((sock) =>
    sock.once('data', () => sock.end(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)),
  );
  const e1 = await failure(
    send({ method: 'GET', url: new URL(`http://${big.host}/`), timing: new Deadline(2000).timing(true) }),
  );
  assert.equal(e1.message, `${big.host}: the response headers are larger than 16 KiB`);
  const junk = await tcpServer((sock) => sock.once('data', () => sock.end('SSH-2.0-OpenSSH\r\n\r\n')));
  const e2 = await failure(
    send({ method: 'GET', url: new URL(`http://${junk.host}/`), timing: new Deadline(2000).timing(true) }),
  );
  assert.match(e2.message, /^127\.0\.0\.1:\d+: not a valid HTTP response \(HPE_[A-Z_]+\)$/);
});

test('refused connections name the host', { timeout: 20_000 }, async () => {
  const s = await tcpServer();
  await s.stop();
  const err = await failure(
    send({ method: 'GET', url: new URL(`http://${s.host}/`), timing: new Deadline(2000).timing(true) }),
  );
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.message, `${s.host}: connection refused`);
  assert.equal(err.step, 'connect');
});
