// The benchmarks' baseline in a fresh process, in plain JS (no TypeScript loader: starting one
// added ~0.18 s to a whole-process time, a fifth of the tiny-files image's baseline):
//   node bench/gunzip-child.mjs LAYOUT_DIR
// Serial gunzip of the layout's layers with node's zlib (1 MiB reads and output chunks), output
// counted and dropped. Prints {mode, ms, maxRssMB, bytesOut}: ms from the first read to the last
// byte (bench/engine.ts compares that with the engine's own); bench/scale.ts times the process.
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2];
const blob = (digest) => join(dir, 'blobs', 'sha256', digest.slice(7));
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
const t0 = performance.now();
let bytesOut = 0;
for (const layer of manifest.layers) {
  await new Promise((resolve, reject) => {
    const gz = zlib.createGunzip({ chunkSize: 1 << 20 });
    gz.on('data', (c) => (bytesOut += c.length));
    gz.on('end', resolve);
    gz.on('error', reject);
    createReadStream(blob(layer.digest), { highWaterMark: 1 << 20 }).pipe(gz);
  });
}
const ms = performance.now() - t0;
process.stdout.write(
  JSON.stringify({ mode: 'gunzip', ms, maxRssMB: process.resourceUsage().maxRSS / 1024, bytesOut }) + '\n',
);
