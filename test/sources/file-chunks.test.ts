/**
 * Layer blobs read from files into pooled buffers (src/sources/file-chunks.ts, buffer-pool.ts):
 * the same bytes and errors as fs.createReadStream, the chunks lent to the engine and read into
 * again once given back, the descriptor never closed under a read, the pool let go when idle.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { giveBack, isLent } from '../../src/engine/lent-chunks.js';
import { parseLayer } from '../../src/engine/parse-layer.js';
import { BufferPool } from '../../src/sources/buffer-pool.js';
import { FileChunks, pooledFileBuffers } from '../../src/sources/file-chunks.js';

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
