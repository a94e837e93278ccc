/**
 * Findings benchmark: the engine alone vs the engine with the content inspector plus every check
 * (runChecks), on a large image generated in-process (many files, binaries and source-like text,
 * a few planted secrets) and, when available, on the realistic Debian image of the integration
 * tests (a `docker save` archive: $LAYERLENS_REALISTIC_ARCHIVE, or
 * $LAYERLENS_IT_WORKDIR/realistic/bookworm-nginx.docker.tar). Target: checks add ≤ 15%.
 *
 *   node --import tsx bench/findings.ts
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildTar, sha256, type TarSpec } from '../src/engine/build-tar.js';
import { mapHistory } from '../src/engine/history.js';
import { ImageModel } from '../src/engine/image.js';
import type { ImageConfig, ImageMeta, ImageReader } from '../src/engine/types.js';
import { createContentInspector, runChecks } from '../src/findings/index.js';
import { memoryReader } from '../src/sources/memory.js';
import { openImage } from '../src/sources/open.js';
import { largeImage } from './gen-large-image.js';

const LAYERS = Number(process.env.BENCH_LAYERS ?? 6);
const FILES_PER_LAYER = Number(process.env.BENCH_FILES ?? 8_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const WORDS = 'the token of a function returns password handling config value index buffer stream layer key secret parse import export const let return if else for while'.split(' ');

function textFile(n: number, seed: number): Buffer {
  const lines: string[] = [];
  let len = 0;
  let s = seed;
  while (len < n) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const w = (k: number) => WORDS[(s >> k) % WORDS.length];
    const line = s % 7 === 0 ? `    ${w(3)}_${w(5)} = get_${w(7)}(${w(9)}, "${w(11)}")` : `  // ${w(2)} ${w(4)} ${w(6)} ${w(8)} ${w(10)} ${w(12)}`;
    lines.push(line);
    len += line.length + 1;
  }
  return Buffer.from(lines.join('\n').slice(0, n));
}

async function generated(): Promise<{ meta: ImageMeta; blobs: Buffer[]; bytes: number }> {
  const pool = randomBytes(8 << 20);
  const elf = Buffer.from('\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0', 'latin1');
  const tars: Buffer[] = [];
  for (let l = 0; l < LAYERS; l++) {
    const specs: TarSpec[] = [];
    for (let i = 0; i < FILES_PER_LAYER; i++) {
      const size = 512 + ((i * 7919 + l * 104729) % 24_000);
      const dir = `usr/lib/pkg${l}/d${i % 200}`;
      if (i % 5 < 3) {
        const off = (i * 4099) % (pool.length - size);
        specs.push({ name: `${dir}/lib${i}.bin`, content: Buffer.concat([elf, pool.subarray(off, off + size)]), mode: 0o755 });
      } else {
        specs.push({ name: `${dir}/mod${i}.py`, content: textFile(size, i + l * 1000) });
      }
    }
    specs.push({ name: `opt/big${l}.dat`, content: Buffer.concat([elf, pool, pool, pool, pool]) }); // 32 MiB binary
    specs.push({ name: `app/conf${l}.ini`, content: `token = ghp_${randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)}\n` });
    if (l > 0) specs.push({ name: `usr/lib/pkg${l - 1}/d0/.wh.lib0.bin`, content: '' });
    tars.push(await buildTar(specs));
  }
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    history: tars.map((_, i) => ({ created_by: `RUN step ${i}` })),
    config: { Env: ['PATH=/usr/bin'], ExposedPorts: { '8080/tcp': {} } },
  };
  const meta: ImageMeta = {
    reference: 'bench',
    source: 'demo',
    config,
    layers: tars.map((t) => ({ diffId: sha256(t), compressedSize: t.length })),
    history: mapHistory(config),
  };
  return { meta, blobs: tars, bytes: tars.reduce((n, t) => n + t.length, 0) };
}

async function timeLoad(open: () => Promise<ImageReader>, withChecks: boolean): Promise<{ ms: number; findings: number }> {
  const reader = await open();
  const model = new ImageModel();
  const t0 = performance.now();
  await model.load(reader, withChecks ? { inspectContent: createContentInspector() } : {});
  const findings = withChecks ? runChecks(model, { reference: 'bench' }).length : 0;
  const ms = performance.now() - t0;
  await reader.close();
  return { ms, findings };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function compare(name: string, bytes: number, open: () => Promise<ImageReader>): Promise<void> {
  // Warm-up of both paths (JIT, page cache, the WebAssembly prefilter's tier-up).
  await timeLoad(open, false);
  await timeLoad(open, true);
  const base: number[] = [];
  const full: number[] = [];
  let findings = 0;
  for (let r = 0; r < ROUNDS; r++) {
    base.push((await timeLoad(open, false)).ms);
    const f = await timeLoad(open, true);
    full.push(f.ms);
    findings = f.findings;
  }
  const b = median(base);
  const f = median(full);
  const overhead = ((f - b) / b) * 100;
  // The fastest runs too: on a busy 2-core machine the medians move by ±10%.
  const bMin = Math.min(...base);
  const fMin = Math.min(...full);
  console.log(
    `${name}: ${(bytes / 1e6).toFixed(0)} MB  engine ${b.toFixed(0)} ms (${(bytes / 1e6 / (b / 1000)).toFixed(0)} MB/s)  ` +
      `engine+checks ${f.toFixed(0)} ms  overhead ${overhead.toFixed(1)}% ${overhead <= 15 ? '(≤ 15%: ok)' : '(> 15%: OVER TARGET)'}  findings ${findings}  ` +
      `[fastest runs: ${bMin.toFixed(0)} vs ${fMin.toFixed(0)} ms, ${(((fMin - bMin) / bMin) * 100).toFixed(1)}%]`,
  );
}

const gen = await generated();
console.log(`generated image: ${LAYERS} layers × ${FILES_PER_LAYER} files, ${(gen.bytes / 1e6).toFixed(0)} MB of tar, ${ROUNDS} rounds (median)`);
await compare('generated', gen.bytes, async () => memoryReader(gen.meta, gen.blobs));

// The engine benchmark's image (≥ 500k files, 8 gzip layers, ≥ 1 GB): bench/gen-large-image.ts.
if (process.env.BENCH_LARGE !== '0') {
  const dir = await largeImage();
  const fs = await import('node:fs');
  const blobs = join(dir, 'blobs', 'sha256');
  const stored = fs.readdirSync(blobs).reduce((n, f) => n + fs.statSync(join(blobs, f)).size, 0);
  console.log('large generated image (bench/gen-large-image.ts; MB figures are gzip bytes read):');
  await compare('large', stored, () => openImage(dir, { source: 'oci', pull: false, insecure: false, plainHttp: false }));
}

const realistic =
  process.env.LAYERLENS_REALISTIC_ARCHIVE ?? (process.env.LAYERLENS_IT_WORKDIR ? join(process.env.LAYERLENS_IT_WORKDIR, 'realistic', 'bookworm-nginx.docker.tar') : undefined);
if (realistic && existsSync(realistic)) {
  const { statSync } = await import('node:fs');
  await compare('realistic (debian bookworm + nginx + python3)', statSync(realistic).size, () =>
    openImage(realistic, { source: 'archive', pull: false, insecure: false, plainHttp: false }),
  );
} else {
  console.log('realistic image: skipped (set LAYERLENS_REALISTIC_ARCHIVE or build it with the integration tests)');
}
