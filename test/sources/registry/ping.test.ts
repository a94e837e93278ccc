/**
 * The ping (ping.ts) against in-process servers: a loopback registry without TLS falls back to
 * plain HTTP as Docker allows; a server that is not a registry, a rate limit at /v2/, and a
 * registry that accepts the connection and never answers are one plain line each, in bounded time.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import { startServer } from '../../support/registry-server.js';

const stops: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const s of stops.reverse()) await s();
});
const FAST = { retries: 1, baseDelayMs: 10, maxDelayMs: 50 };

test('a loopback registry without TLS: HTTPS tried first, then plain HTTP, said in the notes', async () => {
  const s = await startServer((_req, res) => void res.writeHead(200).end('{}'));
  stops.push(s.stop);
  const c = await RegistryClient.connect(s.host, { certsDir: '/nonexistent', retry: FAST });
  stops.push(() => c.close());
  assert.equal(c.endpoint.scheme, 'http');
  assert.equal(c.endpoint.description, `plain HTTP to ${s.host} (loopback registry without TLS, as Docker allows)`);
  assert.equal(c.pingStatus, 200);
  assert.equal(c.challenge, undefined);
});

test('GET /v2/ answered 404: not a registry; 429: the rate-limit error', async () => {
  const web = await startServer((_req, res) => void res.writeHead(404).end('<html>hello</html>'));
  stops.push(web.stop);
  await assert.rejects(
    RegistryClient.connect(web.host, { plainHttp: true, retry: FAST }),
    (e: Error) =>
      e instanceof LayerlensError &&
      e.code === 'NOT_REGISTRY' &&
      e.message === `${web.host} does not look like a container registry (GET /v2/ answered 404)`,
  );
  const limited = await startServer((_req, res) => void res.writeHead(429, { 'ratelimit-remaining': '0' }).end());
  stops.push(limited.stop);
  await assert.rejects(
    RegistryClient.connect(limited.host, { plainHttp: true, retry: FAST }),
    (e: Error) => (e as LayerlensError).code === 'RATE_LIMITED' && /ratelimit-remaining: 0/.test(e.message),
  );
});

test('a registry that accepts the connection and never answers: TIMEOUT within --timeout, naming the step', async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((sock) => void sockets.push(sock.on('error', () => {})));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise((r) => (sockets.forEach((s) => s.destroy()), silent.close(() => r()))));
  const host = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  for (const plainHttp of [false, true]) {
    const t0 = performance.now();
    await assert.rejects(
      RegistryClient.connect(host, { plainHttp, timeoutMs: 600, retry: FAST, certsDir: '/nonexistent' }),
      (e: Error) => {
        assert.ok(e instanceof LayerlensError);
        assert.equal(e.code, 'TIMEOUT');
        assert.equal(
          e.message,
          plainHttp
            ? `cannot reach registry ${host} over HTTP: ${host} sent no response headers within the 600 ms time-out`
            : `cannot reach registry ${host} over HTTPS: ${host} accepted the connection but did not complete the TLS handshake within the 600 ms time-out`,
        );
        return true;
      },
    );
    const took = performance.now() - t0;
    assert.ok(took < 1500, `took ${took} ms`);
  }
});
