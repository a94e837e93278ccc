/**
 * The redirect policy (redirect.ts), through the client against in-process servers: a blob GET
 * redirected to another origin (a CDN) never carries Authorization, and gets it back if the chain
 * returns to the registry; loops end; 303 turns a POST into a GET; HTTPS never redirects down to
 * plain HTTP.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import { followRedirects, type Exchange } from '../../../src/sources/registry/redirect.js';
import type { HttpResponse } from '../../../src/sources/registry/send.js';
import { Deadline } from '../../../src/sources/registry/timeouts.js';
import { buildImage, type BuiltManifest } from '../../support/oci-image.js';
import { startImageServer, startServer } from '../../support/registry-server.js';

let img: BuiltManifest;
const stops: Array<() => Promise<void> | void> = [];
const BASIC = `Basic ${Buffer.from('alice:pw').toString('base64')}`;

before(async () => {
  img = await buildImage([{ entries: [{ name: 'data.bin', content: Buffer.alloc(100_000, 7) }] }]);
});
after(async () => {
  for (const s of stops.reverse()) await s();
});

test('a cross-origin redirect never carries Authorization; back on the registry it does again', async () => {
  const layer = img.layers[0];
  // The "CDN": another origin (another port). It sends one hop back to the registry, then serves.
  const cdn = await startServer((req, res) => {
    if (req.url === '/bounce')
      return void res.writeHead(302, { location: `${registryUrl}/v2/team/app/blobs/${layer.digest}?back=1` }).end();
    res.writeHead(200, { 'content-length': layer.data.length }).end(layer.data);
  });
  stops.push(cdn.stop);
  let registryUrl = '';
  const reg = await startImageServer({
    image: img,
    repository: 'team/app',
    tag: 'v1',
    fault: (req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return true;
      }
      if (req.url === `/v2/team/app/blobs/${layer.digest}`) {
        res.writeHead(307, { location: `${cdn.url}/bounce` }).end();
        return true;
      }
      if (req.url?.endsWith('?back=1')) {
        res.writeHead(307, { location: `${cdn.url}/blob` }).end();
        return true;
      }
      return false;
    },
  });
  stops.push(reg.stop);
  registryUrl = reg.url;
  const c = await RegistryClient.connect(reg.host, {
    plainHttp: true,
    credential: { username: 'alice', password: 'pw', source: '--username' },
  });
  stops.push(() => c.close());
  const { body, url } = await c.fetchOk({
    path: `/v2/team/app/blobs/${layer.digest}`,
    headers: { cookie: 'session=1' },
    limit: 1 << 20,
    what: 'layer 0',
  });
  assert.deepEqual(body, layer.data);
  assert.equal(url.host, cdn.host);
  assert.deepEqual(
    cdn.hits.map((h) => [h.url, h.headers.authorization, h.headers.cookie]),
    [
      ['/bounce', undefined, undefined],
      ['/blob', undefined, undefined],
    ],
  );
  const back = reg.hits.find((h) => h.url.endsWith('?back=1'));
  assert.equal(back?.headers.authorization, BASIC, 'the registry gets its credentials back');
  assert.deepEqual([...c.redirectHosts], [cdn.host]);
});

test('a redirect loop ends after 10 hops with one plain line', async () => {
  const s = await startServer((req, res) => {
    if (req.url === '/v2/') return void res.writeHead(200).end('{}');
    res.writeHead(302, { location: '/loop' }).end();
  });
  stops.push(s.stop);
  const c = await RegistryClient.connect(s.host, { plainHttp: true });
  stops.push(() => c.close());
  await assert.rejects(
    c.fetchOk({ path: '/v2/x/manifests/1', limit: 100, what: 'manifest' }),
    (e: Error) =>
      e instanceof LayerlensError && e.message === `${s.host} redirected more than 10 times (last: ${s.host})`,
  );
  assert.equal(s.hits.length, 1 + 11);
});

test('303 turns the request into a GET without a body; 307 keeps the method', async () => {
  const s = await startServer((req, res) => {
    let n = 0;
    req.on('data', (d) => (n += d.length));
    req.on('end', () => {
      if (req.url === '/see-other') return void res.writeHead(303, { location: '/after' }).end();
      if (req.url === '/temporary') return void res.writeHead(307, { location: '/after' }).end();
      res.writeHead(200).end(`${req.method} ${n}`);
    });
  });
  stops.push(s.stop);
  const timing = new Deadline(2000).timing(true);
  const { send } = await import('../../../src/sources/registry/send.js');
  const post = (path: string) =>
    followRedirects({ method: 'POST', url: new URL(s.url + path), headers: {}, body: 'abc', timing }, (x) => send(x));
  const read = async (r: Promise<{ res: HttpResponse }>) => {
    const chunks: Buffer[] = [];
    for await (const c of (await r).res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };
  assert.equal(await read(post('/see-other')), 'GET 0');
  assert.equal(await read(post('/temporary')), 'POST 3');
});

test('HTTPS never redirects down to plain HTTP (except to loopback), nor to other schemes', async () => {
  const answer = (status: number, location: string): HttpResponse =>
    Object.assign(Readable.from([]), { statusCode: status, headers: { location }, complete: true });
  const x: Exchange = {
    method: 'GET',
    url: new URL('https://registry.example.org/v2/a/blobs/x'),
    headers: { authorization: 'Bearer t' },
    timing: new Deadline(1000).timing(false),
  };
  await assert.rejects(
    followRedirects(x, async () => answer(307, 'http://cdn.example.org/blob')),
    /registry\.example\.org redirected to plain HTTP \(cdn\.example\.org\): refusing to leave HTTPS for a download/,
  );
  await assert.rejects(
    followRedirects(x, async () => answer(302, 'file:///etc/shadow')),
    /unsupported URL scheme/,
  );
  const seen: Exchange[] = [];
  const routed = await followRedirects(x, async (hop) => {
    seen.push(hop);
    return seen.length === 1 ? answer(307, 'http://127.0.0.1:9/blob') : answer(200, '');
  });
  assert.equal(routed.url.href, 'http://127.0.0.1:9/blob');
  assert.equal(seen[1].headers.authorization, undefined);
});
