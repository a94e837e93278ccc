/**
 * The download worker's raw reader (raw-get.ts) under the main thread's policy: a chunked blob,
 * a body cut mid-way and resumed with Range, a redirect and a 404 read whole, a response the
 * reader leaves to node:http (HTTP/1.0 without a length, a 100 Continue first), and a broken one
 * as one plain line. Every blob must verify against its digest.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { VerifiedBlobStream } from '../../../src/sources/registry/blob-stream.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import { fetchWorkerReady } from '../../../src/sources/registry/fetch-worker.js';
import { buildImage, type Blob, type BuiltManifest } from '../../support/oci-image.js';
import { startImageServer, type TestServer } from '../../support/registry-server.js';

let img: BuiltManifest;
let layer: Blob;
let server: TestServer & { requests: number };
let client: RegistryClient;
let mode = '';
let blobGets = 0;

before(async () => {
  img = await buildImage([{ entries: [{ name: 'data.bin', content: randomBytes(3 << 20) }] }]);
  layer = img.layers[0];
  server = await startImageServer({
    image: img,
    repository: 'team/app',
    tag: 'v1',
    fault: (req, res) => {
      if (!req.url?.includes(`/blobs/${layer.digest}`)) return false;
      blobGets++;
      const raw = (bytes: Buffer | string) => {
        // Bytes as written, no node:http framing.
        res.socket?.end(bytes);
        return true;
      };
      switch (mode) {
        case 'chunked': {
          // No Content-Length: node's server frames it chunked.
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          for (let at = 0; at < layer.data.length; at += 100_000) res.write(layer.data.subarray(at, at + 100_000));
          res.end();
          return true;
        }
        case 'cut':
          if (req.headers.range) return false; // the resume: served whole by the image server
          res.writeHead(200, { 'content-length': layer.data.length });
          res.write(layer.data.subarray(0, 1 << 20), () => res.destroy());
          return true;
        case 'http10':
          return raw(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), layer.data]));
        case 'continue':
          return raw(
            Buffer.concat([
              Buffer.from(
                `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${layer.data.length}\r\n\r\n`,
              ),
              layer.data,
            ]),
          );
        case 'redirect':
          if (req.url.includes('moved')) return false;
          res.writeHead(307, { location: `${req.url}?moved=1`, 'content-length': 0 });
          res.end();
          return true;
        case 'missing':
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown' }] }));
          return true;
        case 'broken':
          return raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n');
      }
      return false;
    },
  });
  client = await RegistryClient.connect(server.host, { plainHttp: true });
  assert.equal(await fetchWorkerReady(), true);
});
after(async () => {
  client.close();
  await server.stop();
});

async function download(): Promise<{ bytes: Buffer; stream: VerifiedBlobStream }> {
  const stream = new VerifiedBlobStream({
    client,
    repository: 'team/app',
    digest: layer.digest,
    size: layer.data.length,
    label: 'layer 0',
    retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
  const chunks: Buffer[] = [];
  await pipeline(stream, new Writable({ write: (c, _e, cb) => (chunks.push(c), cb()) }));
  return { bytes: Buffer.concat(chunks), stream };
}

for (const m of ['chunked', 'http10', 'continue', 'redirect']) {
  test(`a blob served ${m} verifies`, { timeout: 30_000 }, async () => {
    mode = m;
    const { bytes, stream } = await download();
    assert.deepEqual(bytes, layer.data);
    assert.equal(stream.fellBack, false, 'read by the worker');
  });
}

test('a body cut mid-way resumes with Range and verifies', { timeout: 30_000 }, async () => {
  mode = 'cut';
  const { bytes, stream } = await download();
  assert.deepEqual(bytes, layer.data);
  assert.equal(stream.rangeResumes, 1);
});

test('a 404 is read whole for its error codes', { timeout: 30_000 }, async () => {
  mode = 'missing';
  const err = await download().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof LayerlensError);
  assert.match(err.message, /not found on .*BLOB_UNKNOWN/);
});

test('a broken chunked body is one plain line, not retried as a network failure', { timeout: 30_000 }, async () => {
  mode = 'broken';
  blobGets = 0;
  const err = await download().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof LayerlensError);
  assert.match(err.message, /not a valid HTTP response \(a chunk size is invalid\)/);
  assert.doesNotMatch(err.message, /\n|not-hex/);
  assert.equal(blobGets, 1);
});
