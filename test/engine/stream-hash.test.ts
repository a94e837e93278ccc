/**
 * A layer's diffID hashed on the worker thread (src/engine/stream-hash.ts): the same digest as
 * hashing here, for any cut of the stream and for streams fed side by side; a thread that falls
 * behind holds its input back (bounded); a thread that stops loses only the streams it held, as
 * one plain error, and later streams are hashed here.
 *
 * The thread is stopped in the last test only: the tests run in order in this file's process.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { parseLayer } from '../../src/engine/parse-layer.js';
import {
  BACKLOG_LIMIT,
  stopStreamHashForTest,
  streamHash,
  streamHashReady,
  streamHashStats,
} from '../../src/engine/stream-hash.js';
import { LayerlensError } from '../../src/errors/index.js';

const hex = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** `data` cut at the given lengths (the rest in one piece). */
function cut(data: Buffer, lengths: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const n of lengths) {
    out.push(data.subarray(at, at + n));
    at += n;
  }
  out.push(data.subarray(at));
  return out;
}

// First: the thread has not been started yet in this process.
test('a layer that starts while the thread is still loading waits for it and is hashed there', async () => {
  const tarball = await buildTar([{ name: 'a', content: randomBytes(2 << 20) }]);
  const parsed = await parseLayer(Readable.from([zlib.gzipSync(tarball)]));
  assert.equal(parsed.diffId, sha256(tarball));
  assert.equal(streamHashStats.hashedHere, 0, 'the layer was hashed on the main thread');
});

test('the thread loads and hashes any cut of a stream as this thread does', async () => {
  assert.equal(await streamHashReady(), true);
  const data = randomBytes(5 * (1 << 20) + 12_345);
  const cuts = [
    [],
    [0, 1, 0, (1 << 20) - 1, 1 << 20, 1],
    [(1 << 20) + 1, 3 * (1 << 20) + 5],
    Array.from({ length: 300 }, (_, i) => (i * 7919) % 20_000),
  ];
  for (const lengths of cuts) {
    const h = streamHash();
    assert.equal(h.onThread, true);
    for (const piece of cut(data, lengths)) h.update(piece);
    assert.equal(await h.digest(), hex(data), `cut at ${lengths.slice(0, 6).join(',')}…`);
  }
  // Nothing fed: the empty stream's digest.
  assert.equal(await streamHash().digest(), hex());
});

test('streams fed side by side keep their own digests, and a dropped one leaves the others whole', async () => {
  const a = randomBytes(3 << 20);
  const b = randomBytes((2 << 20) + 99);
  const c = randomBytes(1 << 20);
  const [ha, hb, hc] = [streamHash(), streamHash(), streamHash()];
  for (let at = 0; at < a.length; at += 100_000) {
    ha.update(a.subarray(at, at + 100_000));
    hb.update(b.subarray(at, at + 100_000));
    hc.update(c.subarray(at, at + 100_000));
  }
  hc.abort();
  const [da, db] = await Promise.all([ha.digest(), hb.digest()]);
  assert.equal(da, hex(a));
  assert.equal(db, hex(b));
});

test('a stream fed faster than the thread hashes is held back past the limit, and resumes', async () => {
  const chunk = randomBytes(1 << 20);
  const h = streamHash();
  let fed = 0;
  // Fed without yielding: the thread's answers cannot arrive, so what is outstanding only grows.
  while (!h.congested) {
    h.update(chunk);
    fed += chunk.length;
    assert.ok(fed <= BACKLOG_LIMIT + chunk.length, `still not held back after ${fed} bytes`);
  }
  assert.ok(fed > BACKLOG_LIMIT);
  const before = streamHashStats.heldBack;
  await new Promise<void>((resolve) => h.whenDrained(resolve));
  assert.equal(streamHashStats.heldBack, before + 1);
  assert.equal(h.congested, false);
  h.update(chunk);
  assert.equal(await h.digest(), hex(...Array.from({ length: fed / chunk.length + 1 }, () => chunk)));
});

test('a layer parsed while the thread is behind keeps every byte of its diffID', async () => {
  // A plain tar of large files: the parser skips their bytes at once, the thread must hash them.
  const files = Array.from({ length: 12 }, (_, i) => ({ name: `blob${i}`, content: randomBytes(6 << 20) }));
  const tarball = await buildTar([{ name: 'small', content: 'x\n' }, ...files]);
  const before = streamHashStats.heldBack;
  const chunks = cut(
    tarball,
    Array.from({ length: Math.floor(tarball.length / 65_536) }, () => 65_536),
  );
  const parsed = await parseLayer(Readable.from(chunks));
  assert.equal(parsed.diffId, sha256(tarball));
  assert.equal(parsed.size, tarball.length);
  assert.ok(streamHashStats.heldBack > before, 'the parse was never held back: the test does not test the wait');
  // And through the gzip decoder.
  const small = await buildTar([{ name: 'a', content: randomBytes(3 << 20) }]);
  assert.equal((await parseLayer(Readable.from([zlib.gzipSync(small)]))).diffId, sha256(small));
});

test('a thread that stops loses the streams it held as one plain error; later streams are hashed here', async () => {
  const data = randomBytes(3 << 20);
  const h = streamHash();
  assert.equal(h.onThread, true);
  h.update(data);
  await stopStreamHashForTest();
  await assert.rejects(h.digest(), (err: unknown) => {
    assert.ok(err instanceof LayerlensError);
    assert.match(err.message, /^a layer could not be hashed: the hashing thread stopped$/);
    return true;
  });
  const after = streamHash();
  assert.equal(after.onThread, false);
  after.update(data);
  assert.equal(await after.digest(), hex(data));
  // A layer parsed now gets its diffID from this thread.
  const tarball = await buildTar([{ name: 'f', content: data }]);
  assert.equal((await parseLayer(Readable.from([tarball]))).diffId, sha256(tarball));
});
