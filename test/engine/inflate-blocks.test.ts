/**
 * A gzip layer inflated into the hashing thread's shared blocks (src/engine/inflate-blocks.ts):
 * its bytes are hashed where zlib wrote them, its tree and diffID are those of zlib's own memory,
 * zlib makes no fresh buffer of its own for a block to replace,
 * a block is written again only once nothing reads it (a chunk a slow consumer holds keeps its
 * bytes while other layers churn the blocks), and every block comes back — after a layer that
 * ends, one cut short, one whose gzip data is corrupt, and one that fails in its tar (the blocks zlib
 * may still be writing into once its stream is collected).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import zlib from 'node:zlib';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { GzipMembers } from '../../src/engine/gzip-members.js';
import { giveBack } from '../../src/engine/lent-chunks.js';
import { entryList, parseLayer } from '../../src/engine/parse-layer.js';
import { outputBlocks, streamHashReady, streamHashStats } from '../../src/engine/stream-hash.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** `data` in pieces of `n` bytes. */
const pieces = (data: Buffer, n: number) =>
  Array.from({ length: Math.ceil(data.length / n) }, (_, i) => data.subarray(i * n, (i + 1) * n));

/** A layer of small text files (records that run across chunks and blocks) and large random ones. */
async function layerTar(seed: number): Promise<Buffer> {
  const entries = [];
  for (let i = 0; i < 3000; i++)
    entries.push({ name: `app/mod${i % 40}/f${i}.py`, content: `# ${seed} ${i}\n${'x = 1\n'.repeat(i % 97)}` });
  for (let i = 0; i < 4; i++) entries.push({ name: `lib/blob${i}.so`, content: randomBytes((1 << 20) + 4099 * i) });
  return buildTar(entries);
}

/**
 * Resolves once every block is back (the thread's answers come after a digest is read; a failed
 * layer's chunks left in a stream's buffer come back once collected).
 */
async function blocksBack(expected: number): Promise<number> {
  for (let i = 0; i < 100 && outputBlocks.inUse > expected; i++) {
    gc();
    await sleep(10);
  }
  return outputBlocks.inUse;
}

test('a gzip layer is inflated into the shared blocks and hashed there: the same tree and diffID as from zlib’s own memory', async () => {
  assert.equal(await streamHashReady(), true);
  const tarball = await layerTar(1);
  const gz = zlib.gzipSync(tarball);
  const base = outputBlocks.inUse;
  const before = streamHashStats.inPlace;
  const parsed = await parseLayer(Readable.from(pieces(gz, 65_536)));
  assert.equal(streamHashStats.inPlace - before, tarball.length, 'every decompressed byte hashed in place');
  assert.equal(parsed.diffId, sha256(tarball));
  assert.equal(parsed.size, tarball.length);
  // The same layer through zlib's Gunzip (its own memory, copied for the hash).
  process.env.LAYERLENS_GUNZIP = 'zlib';
  try {
    const plain = await parseLayer(Readable.from(pieces(gz, 65_536)));
    assert.equal(plain.diffId, parsed.diffId);
    assert.deepEqual(entryList(parsed), entryList(plain));
    assert.equal(streamHashStats.inPlace - before, tarball.length, 'zlib’s Gunzip lent nothing');
  } finally {
    delete process.env.LAYERLENS_GUNZIP;
  }
  assert.equal(await blocksBack(base), base, 'every block came back');
});

test('zlib makes no fresh 1 MiB buffer of its own while blocks are free (it would be dropped for a block)', async () => {
  assert.equal(await streamHashReady(), true);
  const tarball = await layerTar(3);
  const gz = zlib.gzipSync(tarball);
  const made: number[] = [];
  const allocUnsafe = Buffer.allocUnsafe;
  Buffer.allocUnsafe = (n: number) => {
    if (n >= 1 << 20) made.push(n);
    return allocUnsafe(n);
  };
  let parsed: Awaited<ReturnType<typeof parseLayer>>;
  try {
    parsed = await parseLayer(Readable.from(pieces(gz, 65_536)));
  } finally {
    Buffer.allocUnsafe = allocUnsafe;
  }
  assert.equal(parsed.diffId, sha256(tarball));
  const blocksFilled = Math.ceil(tarball.length / (1 << 20));
  assert.ok(blocksFilled >= 8, `${blocksFilled} blocks filled`);
  // The one zlib makes when it is created; before, another per block filled, each dropped at once.
  assert.equal(made.length, 1, `${made.length} buffers of 1 MiB made`);
});

test('layers side by side: a chunk held by a slow consumer keeps its bytes while the others reuse the blocks', async () => {
  assert.equal(await streamHashReady(), true);
  const base = outputBlocks.inUse;
  // Incompressible: zlib fills block after block.
  const slowData = randomBytes(6 << 20);
  const slow = new GzipMembers({ lendOutput: true });
  const held: { chunk: Buffer; copy: Buffer }[] = [];
  slow.on('data', (c: Buffer) => held.push({ chunk: c, copy: Buffer.from(c) }));
  const slowDone = new Promise((resolve, reject) => slow.on('end', resolve).on('error', reject));
  // Paused for a while after each chunk: zlib moves on to the next block before the last
  // chunk of the one before is emitted.
  slow.on('data', () => {
    slow.pause();
    setTimeout(() => slow.resume(), 3);
  });
  for (const p of pieces(zlib.gzipSync(slowData), 200_000)) slow.write(p);
  slow.end();
  // Meanwhile layers parsed at full speed, their blocks given back and written again.
  const fast = await Promise.all(
    [2, 3, 4].map(async (seed) => {
      const tarball = await layerTar(seed);
      const parsed = await parseLayer(Readable.from(pieces(zlib.gzipSync(tarball), 65_536)));
      return parsed.diffId === sha256(tarball);
    }),
  );
  await slowDone;
  assert.deepEqual(fast, [true, true, true]);
  assert.ok(held.length > 6, 'the slow stream came in pieces');
  assert.ok(
    held.every((h) => h.chunk.buffer instanceof SharedArrayBuffer),
    'the slow stream was not inflated into the blocks',
  );
  assert.ok(
    held.every((h) => h.chunk.equals(h.copy)),
    'a held chunk was written over',
  );
  assert.ok(Buffer.concat(held.map((h) => h.copy)).equals(slowData));
  assert.ok(outputBlocks.inUse > base, 'held chunks keep their blocks');
  for (const h of held) giveBack(h.chunk);
  assert.equal(await blocksBack(base), base, 'every block came back');
});

test('a layer cut short, with corrupt gzip data or failing in its tar gives every block back', async () => {
  assert.equal(await streamHashReady(), true);
  const base = outputBlocks.inUse;
  const tarball = await layerTar(5);
  const gz = zlib.gzipSync(tarball);
  // Cut short: the input ends inside the deflate data.
  await assert.rejects(parseLayer(Readable.from(pieces(gz.subarray(0, gz.length >> 1), 65_536))), /truncated/);
  assert.equal(await blocksBack(base), base, 'a block stayed held after a truncated layer');
  // 3 MiB of good deflate blocks, then a block of the reserved type: zlib fails mid-layer.
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const good = zlib.deflateRawSync(tarball.subarray(0, 3 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const corrupt = Buffer.concat([header, good, Buffer.from([0x07, 0, 0, 0, 0, 0, 0, 0])]);
  await assert.rejects(parseLayer(Readable.from(pieces(corrupt, 65_536))), /invalid block type/);
  assert.equal(await blocksBack(base), base, 'a block stayed held after corrupt gzip data');

  // Valid gzip, a tar whose next header after its last entry is garbage (a bad checksum).
  let end = tarball.length;
  while (end > 0 && tarball[end - 1] === 0) end--;
  const bad = Buffer.concat([tarball.subarray(0, Math.ceil(end / 512) * 512), Buffer.alloc(2 << 20, 0x41)]);
  // (Its streams made in a function of their own: nothing here keeps them once it has failed.)
  const failed = () => parseLayer(Readable.from(pieces(zlib.gzipSync(bad), 65_536)));
  await assert.rejects(failed(), /checksum/);
  // zlib may have been inflating when the layer failed: its blocks come back with its stream.
  assert.equal(await blocksBack(base), base, 'a block stayed held after the layer failed in its tar');
  // And the next layer is whole.
  const next = await layerTar(6);
  assert.equal((await parseLayer(Readable.from([zlib.gzipSync(next)]))).diffId, sha256(next));
});

test('a decoder that starts when no block is free inflates into its own memory, and into a block from the next one free', async () => {
  assert.equal(await streamHashReady(), true);
  const base = outputBlocks.inUse;
  // Every block taken (as a registry's layer that starts before the thread has loaded finds none).
  const taken: number[] = [];
  for (let slot = outputBlocks.take(); slot >= 0; slot = outputBlocks.take()) taken.push(slot);
  assert.ok(taken.length > 0);
  const data = randomBytes(5 << 20);
  const d = new GzipMembers({ lendOutput: true });
  const chunks: Buffer[] = [];
  const kinds: boolean[] = [];
  d.on('data', (c: Buffer) => {
    kinds.push(c.buffer instanceof SharedArrayBuffer);
    chunks.push(Buffer.from(c));
    giveBack(c);
    // Blocks free again once the first output is out.
    for (const slot of taken.splice(0)) outputBlocks.give(slot);
  });
  const done = new Promise((resolve, reject) => d.on('end', resolve).on('error', reject));
  d.end(zlib.gzipSync(data));
  await done;
  assert.ok(Buffer.concat(chunks).equals(data));
  assert.equal(kinds[0], false, 'the first output was in a block none was free for');
  assert.ok(kinds.slice(-3).every(Boolean), 'the decoder never moved into a block');
  assert.equal(await blocksBack(base), base, 'every block came back');
});
