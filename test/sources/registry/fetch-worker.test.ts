/**
 * The blob download worker (fetch-worker.ts, its thread fetch-thread.ts) under the test runner:
 * it loads from its TypeScript source, its responses are real Readables (pipeline works), and when
 * it stops mid-download the blob starts over on the main thread and still verifies; later blobs
 * download on the main thread. (The stop is the last test: the worker does not come back.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { sha256 } from '../../../src/engine/build-tar.js';
import { isLent } from '../../../src/engine/lent-chunks.js';
import { parseLayer } from '../../../src/engine/parse-layer.js';
import { VerifiedBlobStream } from '../../../src/sources/registry/blob-stream.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import { IN_FLIGHT } from '../../../src/sources/registry/fetch-protocol.js';
import {
  fetchWorkerReady,
  offThreadAvailable,
  remoteHash,
  stopFetchWorkerForTest,
} from '../../../src/sources/registry/fetch-worker.js';
import { buildImage, type Blob, type BuiltManifest } from '../../support/oci-image.js';
import { startImageServer, type TestServer } from '../../support/registry-server.js';

let img: BuiltManifest;
let diffId: string;
let layer: Blob;
let server: TestServer;
let client: RegistryClient;
let slow = false;

before(async () => {
  img = await buildImage([{ entries: [{ name: 'data.bin', content: randomBytes(4 << 20) }] }]);
  layer = img.layers[0];
  diffId = sha256(zlib.gunzipSync(layer.data));
  server = await startImageServer({
    image: img,
    repository: 'team/app',
    tag: 'v1',
    fault: (req, res) => {
      if (!slow || !req.url?.includes('/blobs/sha256:') || req.url.endsWith(img.config.digest)) return false;
      // 64 KiB every 5 ms: long enough to stop the worker half-way.
      res.writeHead(200, { 'content-length': layer.data.length });
      let at = 0;
      const t = setInterval(() => {
        res.write(layer.data.subarray(at, (at += 64 << 10)));
        if (at >= layer.data.length) clearInterval(t), res.end();
      }, 5);
      res.on('close', () => clearInterval(t));
      return true;
    },
  });
  client = await RegistryClient.connect(server.host, { plainHttp: true });
});
after(async () => {
  client.close();
  await server.stop();
});

const blob = () =>
  new VerifiedBlobStream({
    client,
    repository: 'team/app',
    digest: layer.digest,
    size: layer.data.length,
    label: 'layer 0',
  });

test('the worker loads from its source under the test runner', { timeout: 30_000 }, async () => {
  assert.equal(await fetchWorkerReady(), true);
  assert.equal(offThreadAvailable(), true);
});

test('its responses are Readables: a blob body pipes like any stream, hashed in the worker', {
  timeout: 30_000,
}, async () => {
  const hash = remoteHash('sha256');
  const res = await client.streamOffThread(
    { path: `/v2/team/app/blobs/${layer.digest}`, what: 'layer 0' },
    { hash, offset: 0 },
  );
  const chunks: Buffer[] = [];
  await pipeline(res, new Writable({ write: (c, _e, cb) => (chunks.push(c), cb()) }));
  assert.deepEqual(Buffer.concat(chunks), layer.data);
  assert.equal(res.complete, true);
  assert.equal(`sha256:${await hash.digest()}`, layer.digest);
});

test('batches the engine has inflated go back to the worker and are written again: every pull still verifies', {
  timeout: 30_000,
}, async () => {
  for (let round = 0; round < 4; round++) {
    const s = blob();
    const batches: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      if (c.buffer.byteLength === 1 << 20) batches.push(c);
    });
    const parsed = await parseLayer(s);
    assert.equal(parsed.diffId, diffId, `round ${round}`);
    assert.ok(batches.length >= 3, 'a 4 MiB blob comes in whole batches');
    // Moved back to the worker: nothing on this thread can read them any more.
    assert.ok(
      batches.every((c) => c.byteLength === 0 && !isLent(c)),
      'every whole batch given back',
    );
  }
});

/**
 * A registry in another process (so that it serves while this thread is blocked): /v2/ and one
 * blob of `mib` MiB of random bytes; prints its port and the blob's digest.
 */
async function blobServerProcess(mib: number) {
  const code = `
    const http = require('node:http'), crypto = require('node:crypto');
    const body = crypto.randomBytes(${mib} << 20);
    const digest = 'sha256:' + crypto.createHash('sha256').update(body).digest('hex');
    http.createServer((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    }).listen(0, '127.0.0.1', function () {
      console.log(JSON.stringify({ port: this.address().port, digest }));
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port, digest } = JSON.parse(line.toString()) as { port: number; digest: string };
  return { host: `127.0.0.1:${port}`, digest, stop: () => child.kill() };
}

test('what the worker posts ahead of the consumer stays within its window while this thread is busy', {
  timeout: 60_000,
}, async () => {
  const srv = await blobServerProcess(64);
  const c = await RegistryClient.connect(srv.host, { plainHttp: true });
  try {
    const hash = remoteHash('sha256');
    const res = await c.streamOffThread({ path: `/v2/big/blobs/${srv.digest}`, what: 'big' }, { hash, offset: 0 });
    // This thread busy for 1.5 s (a long parse, a long collection): it cannot answer the worker,
    // which keeps reading the socket. Then everything posted meanwhile arrives; nothing reads yet.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(
      res.readableLength > 0 && res.readableLength < IN_FLIGHT + (1 << 20),
      `${res.readableLength} bytes waiting, window ${IN_FLIGHT}`,
    );
    // Reading opens the window again: the whole body arrives, and its digest is the blob's.
    let n = 0;
    for await (const chunk of res) n += (chunk as Buffer).length;
    assert.equal(n, 64 << 20);
    assert.equal(`sha256:${await hash.digest()}`, srv.digest);
  } finally {
    c.close();
    srv.stop();
  }
});

test('the worker stops mid-download: the blob starts over here, verifies, and later blobs download here', {
  timeout: 30_000,
}, async () => {
  slow = true;
  const s = blob();
  const chunks: Buffer[] = [];
  let stopped = false;
  const done = new Promise<Buffer>((resolve, reject) => {
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      if (!stopped && chunks.reduce((a, b) => a + b.length, 0) >= 1 << 20) {
        stopped = true;
        void stopFetchWorkerForTest();
      }
    });
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
  assert.deepEqual(await done, layer.data);
  assert.equal(stopped, true);
  assert.equal(s.fellBack, true);
  assert.equal(offThreadAvailable(), false);
  slow = false;
  const later = blob();
  const again: Buffer[] = [];
  for await (const c of later) again.push(c as Buffer);
  assert.deepEqual(Buffer.concat(again), layer.data);
  assert.equal(later.fellBack, false, 'started on the main thread from the outset');
});
