/**
 * Layer blobs read from files into pooled buffers (src/sources/file-chunks.ts, buffer-pool.ts):
 * the same bytes and errors as fs.createReadStream, the chunks lent to the engine and read into
 * again once given back, the descriptor never closed under a read, the pool let go when idle;
 * with the hashing thread running, a gzip blob read into its shared blocks (the stored digest
 * hashed in place), each block back once given back or, for a stream dropped, once collected.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import zlib from 'node:zlib';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { giveBack, isLent } from '../../src/engine/lent-chunks.js';
import { parseLayer } from '../../src/engine/parse-layer.js';
import { outputBlocks, streamHashReady, streamHashStats } from '../../src/engine/stream-hash.js';
import { BufferPool } from '../../src/sources/buffer-pool.js';
import { FileChunks, pooledFileBuffers } from '../../src/sources/file-chunks.js';
import { verifyingStream } from '../../src/sources/oci-layout/digest.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'll-file-chunks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function collect(s: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(c as Buffer);
  return out;
}

test('a file and ranges of it read as fs.createReadStream reads them', async () => {
  const data = randomBytes((3 << 20) + 12_345);
  const file = join(dir, 'blob');
  writeFileSync(file, data);
  const ranges: Array<[number, number]> = [
    [0, data.length],
    [1, data.length - 1],
    [(1 << 20) - 1, (2 << 20) + 1],
    [777, 778],
    [5000, 5000], // empty
    [data.length - 10, data.length + 4096], // past the end: ends early, as createReadStream does
  ];
  for (const [start, end] of ranges) {
    const ours = Buffer.concat(await collect(new FileChunks(file, start, end)));
    const theirs =
      end > start ? Buffer.concat(await collect(createReadStream(file, { start, end: end - 1 }))) : Buffer.alloc(0);
    assert.deepEqual(ours, theirs, `[${start}, ${end})`);
  }
  assert.deepEqual(Buffer.concat(await collect(new FileChunks(file))), data);
});

test("a file that cannot be read fails with fs's own error", async () => {
  await assert.rejects(collect(new FileChunks(join(dir, 'missing'))), { code: 'ENOENT', syscall: 'open' });
  await assert.rejects(collect(new FileChunks(dir)), { code: 'EISDIR' });
});

/** Bytes that start as a gzip blob does (the only blobs whose chunks are lent). */
function gzipLike(n: number): Buffer {
  const b = randomBytes(n);
  b[0] = 0x1f;
  b[1] = 0x8b;
  return b;
}

test("a plain tar's chunks are lent (its reader gives them back); a zstd blob's are not (nothing does)", async () => {
  const file = join(dir, 'plain');
  writeFileSync(file, await buildTar([{ name: 'a.bin', content: randomBytes(3 << 20) }]));
  const chunks = await collect(new FileChunks(file));
  assert.ok(chunks.length >= 3);
  assert.ok(chunks.every(isLent));
  const zst = join(dir, 'zstd-like');
  const bytes = randomBytes(3 << 20);
  bytes.set([0x28, 0xb5, 0x2f, 0xfd]);
  writeFileSync(zst, bytes);
  const zchunks = await collect(new FileChunks(zst));
  assert.ok(zchunks.length >= 3);
  assert.ok(zchunks.every((c) => !isLent(c)));
});

test("a gzip blob's chunks are lent; one given back is read into again", async () => {
  const file = join(dir, 'two-mib');
  writeFileSync(file, gzipLike(2 << 20));
  const keepOpen = new FileChunks(file); // the pool keeps buffers while a reader is open
  keepOpen.pause();
  const first = await collect(new FileChunks(file));
  assert.equal(first.length, 2);
  assert.ok(first.every(isLent));
  const memory = first[1].buffer;
  giveBack(first[1]);
  assert.equal(isLent(first[1]), false);
  const next = await collect(new FileChunks(file));
  assert.equal(next[0].buffer, memory, 'the memory given back holds the next read');
  assert.notEqual(next[1].buffer, first[0].buffer, 'memory not given back is not reused');
  keepOpen.destroy();
});

test('a compressed layer read from a file gives its chunks back as it inflates, and its diffID holds', async () => {
  const tar = await buildTar([
    { name: 'a.bin', content: randomBytes(3 << 20) },
    { name: 'etc/os-release', content: 'ID=test\n' },
  ]);
  const file = join(dir, 'layer.tar.gz');
  writeFileSync(file, zlib.gzipSync(tar, { level: 1 }));
  for (let round = 0; round < 4; round++) {
    const s = new FileChunks(file);
    const seen: Buffer[] = [];
    s.on('data', (c: Buffer) => seen.push(c));
    const parsed = await parseLayer(s);
    assert.equal(parsed.diffId, sha256(tar), `round ${round}`);
    assert.ok(seen.length >= 3);
    assert.ok(
      seen.every((c) => !isLent(c)),
      'every chunk given back',
    );
  }
});

test('a plain tar layer read from a file gives its chunks back as it is read, and reads into them again', async () => {
  const tar = await buildTar([
    { name: 'a.bin', content: randomBytes(3 << 20) },
    ...Array.from({ length: 2000 }, (_, i) => ({ name: `lib/m${i}.py`, content: `v = ${i}\n` })),
  ]);
  const file = join(dir, 'layer.tar');
  writeFileSync(file, tar);
  const keepOpen = new FileChunks(file); // the pool keeps buffers while a reader is open
  keepOpen.pause();
  const memory = new Set<ArrayBufferLike>();
  for (let round = 0; round < 3; round++) {
    const s = new FileChunks(file);
    const seen: Buffer[] = [];
    s.on('data', (c: Buffer) => seen.push(c));
    const parsed = await parseLayer(s, { rawDigest: Promise.resolve(sha256(tar)) });
    assert.equal(parsed.diffId, sha256(tar), `round ${round}`);
    assert.ok(seen.length >= 4);
    assert.ok(
      seen.every((c) => !isLent(c)),
      'every chunk given back',
    );
    for (const c of seen) memory.add(c.buffer);
  }
  // Twelve or more reads went into a few buffers, not one each.
  assert.ok(memory.size < 8, `${memory.size} buffers for the reads of three passes`);
  // Closed before the next test counts open descriptors.
  await new Promise((resolve) => keepOpen.once('close', resolve).destroy());
});

test('a stream destroyed while a read is in flight closes its descriptor after the read', async () => {
  const file = join(dir, 'big');
  writeFileSync(file, randomBytes(4 << 20));
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  for (let i = 0; i < 50; i++) {
    const s = new FileChunks(file);
    await new Promise<void>((resolve) => {
      s.once('data', () => {
        s.destroy(); // the stream reads its next chunk ahead: that read is in flight now
        s.once('close', () => resolve());
      });
    });
  }
  assert.equal(fds(), before);
});

test('a pool keeps at most its bound, only buffers of its size, and none once no reader is open', () => {
  let reading = true;
  const pool = new BufferPool(1024, 3, () => reading);
  const taken = [pool.take(), pool.take(), pool.take(), pool.take()];
  for (const b of taken) pool.put(b.buffer as ArrayBuffer);
  pool.put(new ArrayBuffer(512));
  assert.equal(pool.held, 3);
  assert.equal(pool.take().buffer, taken[2].buffer, 'the last given back is taken first');
  reading = false;
  pool.release();
  assert.equal(pool.held, 0);
  pool.put(taken[0].buffer as ArrayBuffer);
  assert.equal(pool.held, 0, 'given back after the last reader closed: not kept');
});

test('the file readers keep no buffers once the last file is closed', async () => {
  const file = join(dir, 'three-mib');
  writeFileSync(file, gzipLike(3 << 20));
  const open = new FileChunks(file);
  const chunks = await collect(new FileChunks(file));
  await new Promise<void>((resolve) => open.once('data', () => resolve()));
  giveBack(chunks[0]);
  assert.equal(pooledFileBuffers(), 1, 'kept while a file is open');
  open.destroy();
  await new Promise((r) => open.once('close', r));
  assert.equal(pooledFileBuffers(), 0);
  giveBack(chunks[1]);
  assert.equal(pooledFileBuffers(), 0);
});

/** Collect garbage until only `base` blocks are in use (or a second has passed). */
async function collected(base: number): Promise<void> {
  for (let i = 0; i < 50 && outputBlocks.inUse > base; i++) {
    gc();
    await sleep(20);
  }
}

test('with the hashing thread running, a gzip blob is read into its shared blocks and its stored digest hashed there; every block comes back, given back or collected', async () => {
  assert.equal(await streamHashReady(), true);
  const tar = await buildTar([
    { name: 'a.bin', content: randomBytes(4 << 20) },
    ...Array.from({ length: 500 }, (_, i) => ({ name: `lib/m${i}.py`, content: `v = ${i}\n` })),
  ]);
  const gz = zlib.gzipSync(tar, { level: 1 });
  const file = join(dir, 'stored.tar.gz');
  writeFileSync(file, gz);
  // (Blocks the tests before left to the collector are collected first.)
  await collected(0);
  const base = outputBlocks.inUse;
  const before = streamHashStats.inPlace;
  const s = new FileChunks(file);
  const seen: Buffer[] = [];
  s.on('data', (c: Buffer) => seen.push(c));
  const checked = s.pipe(verifyingStream(`sha256:${sha256(gz).slice(7)}`, 'stored blob'));
  const parsed = await parseLayer(checked);
  assert.equal(parsed.diffId, sha256(tar));
  assert.ok(seen.length >= 4);
  assert.ok(
    seen.slice(1).every((c) => c.buffer instanceof SharedArrayBuffer),
    'the reads after the first were not into the blocks',
  );
  // The inflated bytes and the stored ones after the first chunk, hashed where they lay.
  assert.ok(streamHashStats.inPlace - before >= tar.length + gz.length - (1 << 20));
  for (let i = 0; i < 100 && outputBlocks.inUse > base; i++) await sleep(10);
  assert.equal(outputBlocks.inUse, base, 'a block given back stayed held');
  // A wrong digest still fails; the chunks the failed parse never gave back come back once collected.
  // (Its streams made in a function of their own: nothing here keeps them once it has failed.)
  const failed = () =>
    parseLayer(new FileChunks(file).pipe(verifyingStream(`sha256:${'0'.repeat(64)}`, 'stored blob')));
  await assert.rejects(failed(), { code: 'DIGEST_MISMATCH' });
  await collected(base);
  assert.equal(outputBlocks.inUse, base, 'a block of the failed parse never came back');

  // A stream read a little and dropped: nothing gives its chunks back, the collector does.
  await new Promise<void>((resolve) => {
    const dropped = new FileChunks(file);
    let n = 0;
    dropped.on('data', () => {
      if (++n === 3) {
        dropped.destroy();
        resolve();
      }
    });
  });
  assert.ok(outputBlocks.inUse > base, 'the dropped chunks did not hold their blocks');
  await collected(base);
  assert.equal(outputBlocks.inUse, base, 'a dropped chunk’s block never came back');
});
