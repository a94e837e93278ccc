/**
 * Engine benchmark: full parse of a large generated image (≥ 500k files, 8 gzip layers, ≥ 1 GB
 * uncompressed) against plain gunzip of the same layers, in the same run, each in its own
 * process so peak RSS is its own.
 *
 *   npm run bench            (builds, then: node --import tsx bench/engine.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { largeImage } from './gen-large-image.js';

const self = fileURLToPath(import.meta.url);

interface Result {
  mode: string;
  ms: number;
  maxRssMB: number;
  bytesOut?: number;
  entries?: number;
  nodes?: number;
}

function blobPaths(dir: string): string[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'));
  return manifest.layers.map((l: { digest: string }) => join(dir, 'blobs', 'sha256', l.digest.slice(7)));
}

async function child(mode: string, dir: string): Promise<Result> {
  const t0 = performance.now();
  let bytesOut = 0;
  if (mode === 'gunzip') {
    for (const p of blobPaths(dir)) {
      await new Promise<void>((resolve, reject) => {
        const gz = zlib.createGunzip({ chunkSize: 1 << 20 });
        gz.on('data', (c: Buffer) => (bytesOut += c.length));
        gz.on('end', resolve);
        gz.on('error', reject);
        createReadStream(p, { highWaterMark: 1 << 20 }).pipe(gz);
      });
    }
    return { mode, ms: performance.now() - t0, maxRssMB: process.resourceUsage().maxRSS / 1024, bytesOut };
  }
  throw new Error(`unknown mode ${mode}`);
}

function runChild(mode: string, dir: string): Result {
  const args = mode.startsWith('engine:')
    ? [fileURLToPath(new URL('./engine-child.mjs', import.meta.url)), dir, mode.split(':')[1]]
    : ['--import', 'tsx', self, '--child', mode, dir];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function cliGunzip(dir: string): Result {
  const t0 = performance.now();
  for (const p of blobPaths(dir)) execFileSync('sh', ['-c', 'gzip -dc "$1" > /dev/null', 'sh', p]);
  return { mode: 'gzip -dc (CLI)', ms: performance.now() - t0, maxRssMB: NaN };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const r = await child(process.argv[3], process.argv[4]);
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const dir = await largeImage();
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const best = new Map<string, Result>();
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['gunzip', 'engine:1', 'engine:2']) {
      const r = runChild(mode, dir);
      const prev = best.get(mode);
      if (!prev || r.ms < prev.ms) best.set(mode, r);
    }
    const c = cliGunzip(dir);
    const prev = best.get(c.mode);
    if (!prev || c.ms < prev.ms) best.set(c.mode, c);
  }
  const base = best.get('gunzip')!;
  const e1 = best.get('engine:1')!;
  console.log(`image: ${dir}`);
  console.log(`  ${e1.nodes?.toLocaleString()} distinct paths, ${e1.entries?.toLocaleString()} changes, ${(base.bytesOut! / 1e9).toFixed(2)} GB uncompressed, 8 gzip layers`);
  console.log(`best of ${rounds} runs:`);
  for (const r of best.values()) {
    const ratio = (r.ms / base.ms).toFixed(2);
    const rss = Number.isNaN(r.maxRssMB) ? '' : `  peak RSS ${r.maxRssMB.toFixed(0)} MB`;
    console.log(`  ${r.mode.padEnd(16)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${ratio}× node gunzip${rss}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
