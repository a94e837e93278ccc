/**
 * Generates a large OCI image layout for benchmarks: ≥ 500k files over 8 gzip layers, ≥ 1 GB
 * uncompressed, with whiteouts, an opaque directory and overwritten files so the tree logic is
 * exercised, not just the tar reader. Written once under .bench-data/ and reused.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough, Writable } from 'node:stream';
import zlib from 'node:zlib';
import tar, { type Headers } from 'tar-stream';
import { finishLayout } from './oci-writer.js';

export const LAYERS = 8;
export const FILES_PER_LAYER = 64_000;
const BIG_FILE_BYTES = 96 * 1024 * 1024; // one per layer: the ≥ 1 GB comes mostly from these

// Deterministic, moderately compressible content (text-like, ratio ~3–4×), like real images.
function makeCorpus(size: number): Buffer {
  const words = [
    'lib',
    'usr',
    'share',
    'locale',
    'python3',
    'site-packages',
    'node_modules',
    'index',
    'README',
    'test',
    'data',
    'config',
    'LICENSE',
    'return',
    'function',
    'import',
  ];
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    const w = rnd() < 0.3 ? Math.floor(rnd() * 1e9).toString(36) : words[Math.floor(rnd() * words.length)];
    parts.push(w);
    len += w.length + 1;
  }
  return Buffer.from(parts.join(' ').slice(0, size));
}

interface Written {
  digest: string;
  diffId: string;
  size: number;
}

async function writeLayer(dir: string, layer: number, corpus: Buffer): Promise<Written> {
  const pack = tar.pack();
  const gz = zlib.createGzip({ level: 1, chunkSize: 1 << 20 });
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let size = 0;
  const tmp = join(dir, `tmp-layer-${layer}`);
  const out = createWriteStream(tmp);
  const tee = new PassThrough();
  tee.on('data', (c: Buffer) => {
    diffHash.update(c);
    size += c.length;
  });
  const counting = new Writable({
    write(chunk: Buffer, _e, cb) {
      blobHash.update(chunk);
      if (out.write(chunk)) cb();
      else out.once('drain', () => cb());
    },
    final(cb) {
      out.end(cb);
    },
  });
  const done = pipeline(pack as unknown as NodeJS.ReadableStream, tee, gz, counting);
  const entry = (h: Headers, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (body) pack.entry(h, body, (e) => (e ? reject(e) : resolve()));
      else pack.entry(h, (e) => (e ? reject(e) : resolve()));
    });
  const mtime = new Date(1700000000000);
  if (layer > 0) {
    // Whiteouts of a few lower files and a lower directory, and an opaque directory.
    const none = Buffer.alloc(0);
    await entry({ name: `layer${layer - 1}/d0/.wh.f0`, size: 0, mtime }, none);
    await entry({ name: `layer${layer - 1}/.wh.d1`, size: 0, mtime }, none);
    await entry({ name: `layer${layer - 1}/d2/.wh..wh..opq`, size: 0, mtime }, none);
  }
  const dirs = 200;
  for (let d = 0; d < dirs; d++) await entry({ name: `layer${layer}/d${d}/`, type: 'directory', mtime });
  for (let i = 0; i < FILES_PER_LAYER; i++) {
    const len = 200 + ((i * 7919) % 1400);
    const off = (i * 104729) % (corpus.length - len);
    await entry(
      { name: `layer${layer}/d${i % dirs}/f${i}`, size: len, mtime, mode: 0o644 },
      corpus.subarray(off, off + len),
    );
  }
  // An overwrite of a shared file in every layer.
  await entry({ name: 'etc/shared.conf', size: 64, mtime }, corpus.subarray(layer, layer + 64));
  const big = Buffer.alloc(BIG_FILE_BYTES);
  for (let o = 0; o < big.length; o += corpus.length) corpus.copy(big, o, (o / 7) % 1000);
  await entry({ name: `layer${layer}/big.bin`, size: big.length, mtime }, big);
  pack.finalize();
  await done;
  const digest = 'sha256:' + blobHash.digest('hex');
  renameSync(tmp, join(dir, 'blobs', 'sha256', digest.slice(7)));
  return { digest, diffId: 'sha256:' + diffHash.digest('hex'), size };
}

/** Path of the generated OCI layout (created on first use). */
export async function largeImage(root = join(process.cwd(), '.bench-data')): Promise<string> {
  const dir = join(root, 'large-oci');
  if (existsSync(join(dir, 'index.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const corpus = makeCorpus(4 << 20);
  const layers: Array<Written & { compressedSize: number }> = [];
  for (let i = 0; i < LAYERS; i++) {
    const w = await writeLayer(dir, i, corpus);
    const { statSync } = await import('node:fs');
    layers.push({ ...w, compressedSize: statSync(join(dir, 'blobs', 'sha256', w.digest.slice(7))).size });
    process.stderr.write(`  generated layer ${i + 1}/${LAYERS}\n`);
  }
  finishLayout(
    dir,
    layers.map((l, i) => ({ ...l, createdBy: `/bin/sh -c generate layer ${i}` })),
    { config: { Env: ['PATH=/usr/bin'] } },
    'large',
  );
  return dir;
}
