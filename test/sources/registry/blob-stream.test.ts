/**
 * Resume and verification of blob downloads (blob-stream.ts), on the download worker and on the
 * main thread, against an in-process registry whose faults a real one cannot produce: a body cut
 * mid-way then a 503 then a Range answer, a server that ignores Range, a resume at the wrong
 * offset, a stall after progress (resumed) and without (not), more bytes than the manifest lists,
 * and bytes that do not hash to the digest.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { VerifiedBlobStream } from '../../../src/sources/registry/blob-stream.js';
import { RegistryClient } from '../../../src/sources/registry/client.js';
import { buildImage, type Blob, type BuiltManifest } from '../../support/oci-image.js';
import { startImageServer, type Fault } from '../../support/registry-server.js';

const FAST = { retries: 3, baseDelayMs: 10, maxDelayMs: 100 };
let img: BuiltManifest;
let layer: Blob;
const stops: Array<() => Promise<void> | void> = [];

before(async () => {
  // Incompressible, so the gzip blob is ~2 MiB and spans many chunks.
  img = await buildImage([{ entries: [{ name: 'data.bin', content: randomBytes(2 << 20) }] }]);
  layer = img.layers[0];
});
after(async () => {
  for (const s of stops.reverse()) await s();
});

const blobPath = () => `/v2/team/app/blobs/${layer.digest}`;

/** Send the first `upTo` bytes of the blob (from `start`), then cut or stall. */
function partial(res: http.ServerResponse, upTo: number, then: 'cut' | 'stall', start = 0): void {
  res.writeHead(start ? 206 : 200, {
    'content-length': layer.data.length - start,
    ...(start ? { 'content-range': `bytes ${start}-${layer.data.length - 1}/${layer.data.length}` } : {}),
  });
  res.write(layer.data.subarray(start, upTo), () => {
    if (then === 'cut') setTimeout(() => res.socket?.destroy(), 20);
  });
}

async function download(fault: Fault, offThread: boolean, o: { size?: number; timeoutMs?: number } = {}) {
  const s = await startImageServer({ image: img, repository: 'team/app', tag: 'v1', fault });
  stops.push(s.stop);
  const lines: string[] = [];
  const client = await RegistryClient.connect(s.host, {
    plainHttp: true,
    retry: FAST,
    timeoutMs: o.timeoutMs ?? 5000,
    log: (l) => lines.push(l),
  });
  stops.push(() => client.close());
  const stream = new VerifiedBlobStream({
    client,
    repository: 'team/app',
    digest: layer.digest,
    size: o.size ?? layer.data.length,
    label: 'layer 0',
    retry: FAST,
    offThread,
  });
  const chunks: Buffer[] = [];
  const t0 = performance.now();
  const outcome = await new Promise<Buffer | Error>((resolve) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', resolve);
  });
  const hits = s.hits.filter((h) => h.url === blobPath());
  return { outcome, hits, lines, stream, host: s.host, ms: performance.now() - t0 };
}

for (const offThread of [true, false]) {
  describe(offThread ? 'on the download worker' : 'on the main thread', () => {
    test('cut mid-body, then 503, then a Range answer: the blob resumes where it stopped and verifies', async () => {
      let n = 0;
      const r = await download((req, res) => {
        if (req.url !== blobPath()) return false;
        n++;
        if (n === 1) return (partial(res, 700_000, 'cut'), true);
        if (n === 2) return (res.writeHead(503).end(), true);
        return false;
      }, offThread);
      assert.deepEqual(r.outcome, layer.data);
      assert.equal(r.hits.length, 3);
      assert.equal(r.hits[0].headers.range, undefined);
      const from = Number(/^bytes=(\d+)-$/.exec(String(r.hits[2].headers.range))?.[1]);
      assert.ok(from >= 600_000 && from <= 700_000, `resumed from ${from}`);
      assert.equal(r.stream.rangeResumes, 1);
      assert.match(
        r.lines.join('\n'),
        /layer 0 \(blob sha256:[0-9a-f]{64}\): .*closed the connection before the end of the body; resuming at byte \d+/,
      );
      assert.match(r.lines.join('\n'), /HTTP 503; retrying GET/);
    });

    test('a server that ignores Range: the bytes already delivered are skipped, the digest still checks', async () => {
      let n = 0;
      const r = await download((req, res) => {
        if (req.url !== blobPath()) return false;
        if (++n === 1) return (partial(res, 500_000, 'cut'), true);
        res.writeHead(200, { 'content-length': layer.data.length }).end(layer.data);
        return true;
      }, offThread);
      assert.deepEqual(r.outcome, layer.data);
      assert.equal(r.hits.length, 2);
      assert.match(String(r.hits[1].headers.range), /^bytes=\d+-$/);
      assert.equal(r.stream.rangeResumes, 0);
    });

    test('a resume answered at the wrong offset is an error, not a corrupt blob', async () => {
      let n = 0;
      const r = await download((req, res) => {
        if (req.url !== blobPath()) return false;
        if (++n === 1) return (partial(res, 500_000, 'cut'), true);
        partial(res, layer.data.length, 'cut', 1000);
        return true;
      }, offThread);
      assert.ok(r.outcome instanceof LayerlensError);
      assert.equal(r.outcome.message, `blob ${layer.digest}: the registry resumed the download at the wrong offset`);
    });

    test('a stall after progress is resumed; a stall with nothing delivered fails at once, naming the step', async () => {
      let n = 0;
      const resumed = await download(
        (req, res) => {
          if (req.url !== blobPath()) return false;
          if (++n === 1) return (partial(res, 400_000, 'stall'), true);
          return false;
        },
        offThread,
        { timeoutMs: 400 },
      );
      assert.deepEqual(resumed.outcome, layer.data);
      assert.equal(resumed.hits.length, 2);

      const dead = await download(
        (req, res) => {
          if (req.url !== blobPath()) return false;
          return (partial(res, 100, 'stall'), true);
        },
        offThread,
        { timeoutMs: 400 },
      );
      assert.ok(dead.outcome instanceof LayerlensError, String(dead.outcome));
      assert.equal(dead.outcome.code, 'TIMEOUT');
      assert.match(
        dead.outcome.message,
        /^blob sha256:[0-9a-f]{64}: 127\.0\.0\.1:\d+ stalled while sending the body \(less than 1 KiB in 400 ms\) \(--timeout changes it\)$/,
      );
      assert.equal(dead.hits.length, 1, 'no resume after an attempt that delivered nothing');
      assert.ok(dead.ms < 2000, `took ${dead.ms} ms`);
    });

    test('more bytes than the manifest lists, or bytes of another digest: DIGEST_MISMATCH', async () => {
      const long = await download(() => false, offThread, { size: 1000 });
      assert.ok(long.outcome instanceof LayerlensError);
      assert.equal(long.outcome.code, 'DIGEST_MISMATCH');
      assert.match(long.outcome.message, /sent more than the 1000 bytes the manifest lists/);

      const other = Buffer.from(layer.data);
      other[other.length >> 1] ^= 1;
      const lie = await download((req, res) => {
        if (req.url !== blobPath()) return false;
        res.writeHead(200, { 'content-length': other.length }).end(other);
        return true;
      }, offThread);
      assert.ok(lie.outcome instanceof LayerlensError);
      assert.equal(lie.outcome.code, 'DIGEST_MISMATCH');
      assert.match(
        lie.outcome.message,
        new RegExp(`^blob digest mismatch: expected ${layer.digest} but the registry sent data hashing to sha256:`),
      );
    });

    test('a blob the registry does not have: the status error with its code only', async () => {
      const r = await download((req, res) => {
        if (req.url !== blobPath()) return false;
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"BLOB_UNKNOWN","message":"look: /etc/shadow"}]}');
        return true;
      }, offThread);
      assert.ok(r.outcome instanceof LayerlensError);
      assert.equal(r.outcome.message, `blob ${layer.digest}: not found on ${r.host} (BLOB_UNKNOWN)`);
      assert.doesNotMatch(r.outcome.message, /shadow/);
    });
  });
}
