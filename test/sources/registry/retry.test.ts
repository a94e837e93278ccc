/**
 * The retry layer through the client, against an in-process registry (test/support/registry-server.ts):
 * 5xx retried with backoff, 429 honoured only for a short Retry-After and otherwise reported with
 * its rate-limit headers, retries that never outlive the request's deadline, and small bodies cut
 * short retried as a whole.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import { backoffDelay, retryAfterMs } from '../../../src/sources/registry/retry.js';
import { buildImage, type BuiltManifest } from '../../support/oci-image.js';
import { startImageServer, type Fault } from '../../support/registry-server.js';

const FAST = { retries: 4, baseDelayMs: 20, maxDelayMs: 1500 };
let img: BuiltManifest;
const stops: Array<() => Promise<void>> = [];

before(async () => {
  img = await buildImage([{ entries: [{ name: 'etc/hostname', content: 'retry\n' }] }]);
});
after(async () => {
  for (const s of stops) await s();
});

async function registry(fault: Fault, timeoutMs = 5000, log?: (l: string) => void) {
  const s = await startImageServer({ image: img, repository: 'team/app', tag: 'v1', fault });
  stops.push(s.stop);
  const client = await RegistryClient.connect(s.host, { plainHttp: true, retry: FAST, timeoutMs, log });
  stops.push(async () => client.close());
  const manifest = () =>
    client.fetchOk({ path: '/v2/team/app/manifests/v1', scopes: [], limit: 1 << 20, what: 'manifest of team/app:v1' });
  const manifestHits = () => s.hits.filter((h) => h.url.includes('/manifests/')).length;
  return { s, client, manifest, manifestHits };
}

test('5xx answers are retried with backoff until one succeeds', { timeout: 20_000 }, async () => {
  const lines: string[] = [];
  let n = 0;
  const r = await registry(
    (req, res) => {
      if (!req.url?.includes('/manifests/') || ++n > 2) return false;
      res.writeHead(n === 1 ? 503 : 502).end();
      return true;
    },
    5000,
    (l) => lines.push(l),
  );
  const { body } = await r.manifest();
  assert.deepEqual(body, img.manifest.data);
  assert.equal(r.manifestHits(), 3);
  assert.match(lines.join('\n'), /HTTP 503; retrying GET in \d+ ms[\s\S]*HTTP 502; retrying GET/);
});

test('429 with a short Retry-After is waited for; a long one is reported at once with the rate-limit headers', {
  timeout: 20_000,
}, async () => {
  let n = 0;
  const short = await registry((req, res) => {
    if (!req.url?.includes('/manifests/') || ++n > 1) return false;
    res.writeHead(429, { 'retry-after': '1' }).end();
    return true;
  });
  const t0 = performance.now();
  await short.manifest();
  assert.ok(performance.now() - t0 >= 950, 'waited as Retry-After asked');
  assert.equal(short.manifestHits(), 2);

  const long = await registry((req, res) => {
    if (!req.url?.includes('/manifests/')) return false;
    res
      .writeHead(429, {
        'retry-after': '3600',
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '0;w=21600',
        'x-junk': 'never shown',
      })
      .end('{"errors":[{"code":"TOOMANYREQUESTS","message":"secret-looking text"}]}');
    return true;
  });
  await assert.rejects(long.manifest(), (e: Error) => {
    assert.ok(e instanceof LayerlensError);
    assert.equal(e.code, 'RATE_LIMITED');
    assert.match(
      e.message,
      /^127\.0\.0\.1:\d+ answered 429 Too Many Requests \(rate limit reached; ratelimit-limit: 100;w=21600; ratelimit-remaining: 0;w=21600; retry-after: 3600\): log in/,
    );
    assert.doesNotMatch(e.message, /junk|secret-looking/);
    return true;
  });
  assert.equal(long.manifestHits(), 1, 'not retried');
});

test('retries never outlive the deadline: a registry that always fails gives up within --timeout', {
  timeout: 20_000,
}, async () => {
  const r = await registry((req, res) => {
    if (!req.url?.includes('/manifests/')) return false;
    res.writeHead(503).end();
    return true;
  }, 700);
  const t0 = performance.now();
  await assert.rejects(
    r.manifest(),
    (e: Error) => e instanceof LayerlensError && e.code === 'HTTP' && /answered HTTP 503/.test(e.message),
  );
  const took = performance.now() - t0;
  assert.ok(took < 1200, `took ${took} ms`);
  assert.ok(r.manifestHits() >= 2, 'retried while time was left');
});

test('a manifest body cut short is fetched again; cut every time, one line says how much arrived', {
  timeout: 20_000,
}, async () => {
  const cut: Fault = (req, res) => {
    if (!req.url?.includes('/manifests/')) return false;
    res.writeHead(200, { 'content-length': img.manifest.data.length, 'content-type': img.manifest.mediaType });
    res.write(img.manifest.data.subarray(0, 10));
    setTimeout(() => res.socket?.destroy(), 20);
    return true;
  };
  let n = 0;
  const twice = await registry((req, res, hit) =>
    req.url?.includes('/manifests/') && ++n <= 2 ? cut(req, res, hit) : false,
  );
  assert.deepEqual((await twice.manifest()).body, img.manifest.data);
  assert.equal(twice.manifestHits(), 3);

  const always = await registry(cut);
  await assert.rejects(always.manifest(), (e: Error) => {
    assert.ok(e instanceof LayerlensError, String(e));
    assert.equal(e.code, 'NETWORK');
    assert.equal(
      e.message,
      `manifest of team/app:v1: ${always.s.host} closed the connection before the end of the body (10 of the ${img.manifest.data.length} bytes it announced)`,
    );
    return true;
  });
  assert.equal(always.manifestHits(), 1 + FAST.retries);
});

test('backoff doubles with jitter, honours a short Retry-After, and reads HTTP dates', () => {
  const p = { retries: 4, baseDelayMs: 100, maxDelayMs: 1000 };
  for (let i = 0; i < 50; i++) {
    const d0 = backoffDelay(p, 0);
    const d3 = backoffDelay(p, 3);
    assert.ok(d0 >= 50 && d0 <= 100);
    assert.ok(d3 >= 400 && d3 <= 800);
    assert.ok(backoffDelay(p, 10) <= 1000);
  }
  assert.equal(backoffDelay(p, 0, '1'), 1000);
  assert.ok(backoffDelay(p, 0, '5') <= 100, 'a Retry-After over the cap is not waited for');
  assert.equal(retryAfterMs('7'), 7000);
  const at = retryAfterMs(new Date(Date.now() + 5000).toUTCString())!;
  assert.ok(at > 3000 && at <= 5000);
  assert.equal(retryAfterMs('soon'), undefined);
});

test('a retry that runs out of time reports what made it retry, not the time-out', { timeout: 20_000 }, async () => {
  let n = 0;
  const r = await registry((req, res) => {
    if (!req.url?.includes('/manifests/')) return false;
    if (++n === 1) {
      res.writeHead(200, { 'content-length': img.manifest.data.length });
      res.write(img.manifest.data.subarray(0, 10), () => setTimeout(() => res.socket?.destroy(), 10));
    }
    // Later attempts: never answered.
    return true;
  }, 1000);
  await assert.rejects(r.manifest(), (e: Error) => {
    assert.ok(e instanceof LayerlensError);
    assert.equal(e.code, 'NETWORK');
    assert.match(e.message, /closed the connection before the end of the body \(10 of the \d+ bytes it announced\)$/);
    return true;
  });
  assert.equal(r.manifestHits(), 2);
});
