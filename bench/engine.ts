/**
 * Engine benchmark: full parse of a large generated image (≥ 500k files, 8 gzip layers, ≥ 1 GB
 * uncompressed) against plain gunzip of the same layers, in the same run, each in its own
 * process so peak RSS is its own.
 *
 *   npm run bench            (builds, then: node --import tsx bench/engine.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeImage } from './gen-large-image.js';

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

function runChild(mode: string, dir: string): Result {
  const args = mode.startsWith('engine:')
    ? [fileURLToPath(new URL('./engine-child.mjs', import.meta.url)), dir, mode.split(':')[1]]
    : [fileURLToPath(new URL('./gunzip-child.mjs', import.meta.url)), dir];
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
  const dir = await largeImage();
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const modes = ['gunzip', 'engine:1', 'engine:2'];
  const runs = new Map<string, Result[]>(modes.map((m) => [m, []]));
  // Each round runs every mode back to back, so a ratio is taken between runs that saw the same
  // machine load (this 2-core machine is noisy: gunzip alone varies by ±15% between rounds).
  const ratios = new Map<string, number[]>(modes.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    const inRound = new Map<string, Result>();
    for (const mode of modes) {
      const r = runChild(mode, dir);
      runs.get(mode)!.push(r);
      inRound.set(mode, r);
    }
    for (const mode of modes) ratios.get(mode)!.push(inRound.get(mode)!.ms / inRound.get('gunzip')!.ms);
    const line = modes.map((m) => `${m} ${(inRound.get(m)!.ms / 1000).toFixed(2)} s`).join(', ');
    console.error(`round ${round + 1}: ${line}`);
  }
  const cli = cliGunzip(dir);
  const best = (mode: string): Result => runs.get(mode)!.reduce((a, b) => (b.ms < a.ms ? b : a));
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const base = best('gunzip');
  const e1 = best('engine:1');
  console.log(`image: ${dir}`);
  console.log(
    `  ${e1.nodes?.toLocaleString()} distinct paths, ${e1.entries?.toLocaleString()} changes, ${(base.bytesOut! / 1e9).toFixed(2)} GB uncompressed, 8 gzip layers`,
  );
  console.log(`${rounds} rounds; best time per mode, median of the per-round ratios, highest peak RSS:`);
  for (const mode of modes) {
    const r = best(mode);
    const peak = Math.max(...runs.get(mode)!.map((x) => x.maxRssMB));
    const ratio = median(ratios.get(mode)!).toFixed(2);
    console.log(
      `  ${mode.padEnd(16)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${ratio}× node gunzip  peak RSS ${peak.toFixed(0)} MB`,
    );
  }
  console.log(
    `  ${cli.mode.padEnd(16)} ${(cli.ms / 1000).toFixed(2).padStart(7)} s  ${(cli.ms / base.ms).toFixed(2)}× node gunzip`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
