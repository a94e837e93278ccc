/**
 * The auth layer and the token cache (auth.ts, token.ts) against an in-process registry and token
 * service: 401 challenges (Bearer and Basic), tokens per scope reused until they expire and then
 * renewed, a fresh 401 for a revoked token, the OAuth2 refresh-token grant, token answers of the
 * wrong shape, and a token realm over plain HTTP refused for an HTTPS registry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import type { Credential } from '../../../src/sources/registry/credentials.js';
import { parseTokenResponse, tokenRealm } from '../../../src/sources/registry/token.js';
import { parseWwwAuthenticate } from '../../../src/sources/registry/www-authenticate.js';
import { buildImage, type BuiltManifest } from '../../support/oci-image.js';
import { startImageServer, startServer, type TestServer } from '../../support/registry-server.js';
import { makePki, missingTools } from '../../support/services.js';

const FAST = { retries: 2, baseDelayMs: 10, maxDelayMs: 100 };
let img: BuiltManifest;
const stops: Array<() => Promise<void> | void> = [];

before(async () => {
  img = await buildImage([{ entries: [{ name: 'etc/hostname', content: 'auth\n' }] }]);
});
after(async () => {
  for (const s of stops.reverse()) await s();
});

interface TokenRequest {
  method: string;
  scopes: string[];
  service?: string;
  account?: string;
  basic?: string;
  form?: URLSearchParams;
}

/** A token service: `answer` decides the body; every request is recorded. */
async function tokenService(answer: (n: number) => { status?: number; body: string }) {
  const requests: TokenRequest[] = [];
  const s = await startServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const form = req.method === 'POST' ? new URLSearchParams(body) : undefined;
      const params = form ?? url.searchParams;
      const auth = req.headers.authorization;
      requests.push({
        method: req.method ?? 'GET',
        scopes: params.getAll('scope').flatMap((x) => x.split(' ')),
        service: params.get('service') ?? undefined,
        account: params.get('account') ?? undefined,
        basic: auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : undefined,
        form,
      });
      const a = answer(requests.length);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  stops.push(s.stop);
  return { ...s, requests };
}

/** A Bearer registry: accepts the tokens in `valid`; a challenge otherwise. */
async function bearerRegistry(realm: string, valid: Set<string>): Promise<TestServer> {
  const s = await startImageServer({
    image: img,
    repository: 'team/app',
    tag: 'v1',
    fault: (req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token && valid.has(token)) return false;
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:team/app:pull"`,
          'content-type': 'application/json',
        })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return true;
    },
  });
  stops.push(s.stop);
  return s;
}

async function connect(host: string, credential?: Credential, timeoutMs = 5000): Promise<RegistryClient> {
  const c = await RegistryClient.connect(host, { plainHttp: true, retry: FAST, credential, timeoutMs });
  stops.push(() => c.close());
  return c;
}

const manifest = (c: RegistryClient) =>
  c.fetchOk({
    path: '/v2/team/app/manifests/v1',
    scopes: ['repository:team/app:pull'],
    limit: 1 << 20,
    what: 'manifest of team/app:v1',
  });

describe('Bearer tokens', () => {
  test('a 401 challenge at the ping → a token for the scope, with Basic credentials, then the request', async () => {
    const valid = new Set<string>();
    const ts = await tokenService(
      (n) => (valid.add(`tok-${n}`), { body: JSON.stringify({ token: `tok-${n}`, expires_in: 300 }) }),
    );
    const reg = await bearerRegistry(`${ts.url}/token`, valid);
    const c = await connect(reg.host, { username: 'alice', password: 'pw', source: '--username' });
    assert.equal(c.challenge?.scheme, 'bearer');
    assert.deepEqual((await manifest(c)).body, img.manifest.data);
    assert.equal(ts.requests.length, 1);
    assert.deepEqual(ts.requests[0].scopes, ['repository:team/app:pull']);
    assert.equal(ts.requests[0].service, 'test-registry');
    assert.equal(ts.requests[0].account, 'alice');
    assert.equal(ts.requests[0].basic, 'alice:pw');
    assert.equal(c.authUsed, 'token (credentials from --username)');
    const asked = reg.hits.filter((h) => h.url.includes('/manifests/'));
    assert.equal(asked.at(-1)?.headers.authorization, 'Bearer tok-1');
  });

  test('tokens are reused until they expire; an expiring one is renewed before use', async () => {
    for (const [expiresIn, expected] of [
      [300, 1],
      [5, 3], // within the 10 s renewal margin: a new token for every request
    ] as const) {
      const valid = new Set<string>();
      const ts = await tokenService(
        (n) => (valid.add(`t${n}`), { body: JSON.stringify({ access_token: `t${n}`, expires_in: expiresIn }) }),
      );
      const reg = await bearerRegistry(`${ts.url}/token`, valid);
      const c = await connect(reg.host);
      for (let i = 0; i < 3; i++) await manifest(c);
      assert.equal(ts.requests.length, expected, `expires_in ${expiresIn}`);
      assert.equal(c.authUsed, 'anonymous token');
    }
  });

  test('a token the registry revoked: the fresh 401 brings a new token and the request succeeds', async () => {
    const valid = new Set<string>();
    const ts = await tokenService(
      (n) => (valid.add(`r${n}`), { body: JSON.stringify({ token: `r${n}`, expires_in: 300 }) }),
    );
    const reg = await bearerRegistry(`${ts.url}/token`, valid);
    const c = await connect(reg.host);
    await manifest(c);
    valid.delete('r1');
    assert.deepEqual((await manifest(c)).body, img.manifest.data);
    assert.equal(ts.requests.length, 2);
    const asked = reg.hits.filter((h) => h.url.includes('/manifests/')).map((h) => h.headers.authorization);
    assert.deepEqual(asked, ['Bearer r1', 'Bearer r1', 'Bearer r2']);
  });

  test('an identity token is sent as an OAuth2 refresh-token grant (POST)', async () => {
    const valid = new Set<string>();
    const ts = await tokenService(
      () => (valid.add('oauth'), { body: JSON.stringify({ access_token: 'oauth', expires_in: 300 }) }),
    );
    const reg = await bearerRegistry(`${ts.url}/token`, valid);
    const c = await connect(reg.host, { identityToken: 'idt-secret', source: 'docker-credential-test' });
    await manifest(c);
    const r = ts.requests[0];
    assert.equal(r.method, 'POST');
    assert.equal(r.form?.get('grant_type'), 'refresh_token');
    assert.equal(r.form?.get('refresh_token'), 'idt-secret');
    assert.equal(r.form?.get('service'), 'test-registry');
    assert.equal(r.basic, undefined);
  });

  test('rejected credentials and anonymous refusals are plain auth errors', async () => {
    const ts = await tokenService(() => ({ status: 401, body: '{"details":"no"}' }));
    const reg = await bearerRegistry(`${ts.url}/token`, new Set());
    const withCred = await connect(reg.host, { username: 'bob', password: 'x', source: '~/.docker/config.json' });
    await assert.rejects(
      manifest(withCred),
      /^LayerlensError: login to 127\.0\.0\.1:\d+ failed: the token service rejected the credentials from ~\/\.docker\/config\.json \(401\)$/,
    );
    const anon = await connect(reg.host);
    await assert.rejects(manifest(anon), /requires authentication: run docker login 127\.0\.0\.1:\d+/);
  });

  test('token answers of the wrong shape are refused in plain words, without quoting them', async () => {
    const bad: Array<[string, RegExp]> = [
      ['not json at all', /did not answer JSON/],
      ['"a string"', /did not answer a JSON object/],
      ['{"token": 42}', /a token that is not a string/],
      ['{"token": "a\\r\\nInjected: yes"}', /characters a header cannot carry/],
      [JSON.stringify({ token: 'x'.repeat(20_000) }), /longer than 16384 characters/],
      ['{"expires_in": 60}', /answered without a token/],
      [JSON.stringify({ token: 'y'.repeat(300_000) }), /too large/],
    ];
    for (const [body, re] of bad) {
      const ts = await tokenService(() => ({ body }));
      const reg = await bearerRegistry(`${ts.url}/token`, new Set());
      const c = await connect(reg.host);
      await assert.rejects(manifest(c), (e: Error) => {
        assert.ok(e instanceof LayerlensError, String(e));
        assert.match(e.message, re);
        assert.doesNotMatch(e.message, /Injected|xxxxxxxxxx|yyyyyyyyyy|not json at all/);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    }
  });

  test('expires_in and issued_at: defaults and bounds', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseTokenResponse(Buffer.from('{"token":"a"}'), 'h', now).expiresAt, now + 60_000);
    assert.equal(parseTokenResponse(Buffer.from('{"token":"a","expires_in":"300"}'), 'h', now).expiresAt, now + 60_000);
    assert.equal(
      parseTokenResponse(Buffer.from('{"token":"a","expires_in":300,"issued_at":"2024-12-31T23:59:00Z"}'), 'h', now)
        .expiresAt,
      now - 60_000 + 300_000,
    );
    assert.equal(
      parseTokenResponse(Buffer.from('{"token":"a","expires_in":1e12}'), 'h', now).expiresAt,
      now + 86_400_000,
      'a lifetime over a day is capped',
    );
  });
});

describe('the token realm', () => {
  const challenge = (realm: string) => parseWwwAuthenticate(`Bearer realm="${realm}",service="s"`)[0];

  test('plain HTTP is refused for an HTTPS registry unless it is on loopback; fine for a plain HTTP registry', () => {
    assert.throws(
      () => tokenRealm(challenge('http://auth.example.org/token'), 'registry.example.org', 'https'),
      (e: Error) =>
        e instanceof LayerlensError &&
        e.code === 'AUTH' &&
        e.message ===
          'the token service of registry.example.org (auth.example.org) is plain HTTP: refusing to send credentials or take tokens over it in clear',
    );
    assert.equal(tokenRealm(challenge('http://127.0.0.1:9/t'), 'registry.example.org', 'https').host, '127.0.0.1:9');
    assert.equal(
      tokenRealm(challenge('http://auth.example.org/t'), 'registry.example.org', 'http').host,
      'auth.example.org',
    );
    assert.throws(() => tokenRealm(challenge('ftp://auth.example.org/t'), 'r', 'https'), /not an http\(s\) URL/);
    assert.throws(() => tokenRealm(challenge('::nonsense'), 'r', 'https'), /no valid realm URL/);
  });

  // A realm on this machine's own non-loopback address: reachable, yet not loopback.
  const lanIp = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  const skip = missingTools('openssl') ?? (lanIp ? undefined : 'needs a non-loopback IPv4 address');
  test('an HTTPS registry whose realm is plain HTTP: refused, and the token service never sees a request', {
    skip,
  }, async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'layerlens-auth-'));
    stops.push(() => rmSync(work, { recursive: true, force: true }));
    const pki = await makePki(work);
    const ts = await tokenService(() => ({ body: '{"token":"never"}' }));
    const realm = `http://${lanIp}:${ts.port}/token`;
    const reg = await startServer(
      (_req, res) => void res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"` }).end(),
      https.createServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) }),
    );
    stops.push(reg.stop);
    const c = await RegistryClient.connect(reg.host, {
      caFile: pki.caCert,
      certsDir: path.join(work, 'none'),
      retry: FAST,
      credential: { username: 'alice', password: 'pw', source: '--username' },
    });
    stops.push(() => c.close());
    assert.equal(c.endpoint.scheme, 'https');
    await assert.rejects(
      manifest(c),
      (e: Error) => e instanceof LayerlensError && e.code === 'AUTH' && /is plain HTTP: refusing/.test(e.message),
    );
    assert.equal(ts.requests.length, 0);
  });
});

describe('Basic registries', () => {
  test('a Basic challenge: credentials sent to the registry; without them, a plain auth error', async () => {
    const reg = await startImageServer({
      image: img,
      repository: 'team/app',
      tag: 'v1',
      fault: (req, res) => {
        if (req.headers.authorization === `Basic ${Buffer.from('alice:pw').toString('base64')}`) return false;
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
        return true;
      },
    });
    stops.push(reg.stop);
    const c = await connect(reg.host, { username: 'alice', password: 'pw', source: '--username' });
    assert.equal(c.challenge?.scheme, 'basic');
    assert.deepEqual((await manifest(c)).body, img.manifest.data);
    assert.equal(c.authUsed, 'Basic (credentials from --username)');
    const anon = await connect(reg.host);
    await assert.rejects(
      manifest(anon),
      (e: Error) => (e as LayerlensError).code === 'AUTH' && /requires authentication/.test(e.message),
    );
  });
});
