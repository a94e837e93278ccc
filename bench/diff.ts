/**
 * Diff benchmark: `layerlens diff OLD NEW` against reading both images once, on two versions of
 * the realistic Debian image of the integration tests (test/support/realistic.ts: bookworm +
 * nginx + python3, and its next version on the same base with curl and the day's security
 * updates). Target: ≤ 1.2× the time of reading both images once, peak memory ≤ 1.2× (the two
 * trees plus 20%).
 *
 * "Reading both images once" is what `layerlens scan` does to each (engine, content inspector,
 * every check), both at once in one process; the diff does that plus what only it does: a sha256
 * of every file, the comparison and its document, with the layers both hold parsed once. Each
 * measurement is a fresh process (bench/diff-child.mjs); in every round the two take turns going
 * first, the ratio is taken within the round, and the median over rounds is reported (the
 * machine is shared: single runs move by ±15%).
 *
 * Forms: the `docker save` archives; the same images as a registry serves them (OCI layouts with
 * gzip layers, made once with skopeo); and, with BENCH_REBASED=1, the second version rebuilt on
 * a re-imported base (no layer shared: the worst case, every layer read and hashed twice).
 *
 *   npm run build && node --import tsx bench/diff.ts
 * Images: $LAYERLENS_REALISTIC_ARCHIVE and $LAYERLENS_REALISTIC_ARCHIVE_2 (docker save files), or
 * built in the integration environment ($LAYERLENS_IT_*; scripts/services.sh start) on first use.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipLayout } from './gzip-layout.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const child = fileURLToPath(new URL('./diff-child.mjs', import.meta.url));

interface Measure {
  ms: number;
  cpuMs: number;
  maxRssMB: number;
  reused: number;
  bytes: number;
}

function measure(mode: 'read' | 'diff' | 'engine', a: string, b: string): Measure {
  const r = spawnSync(process.execPath, [child, mode, a, b], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`diff-child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measure;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function compare(name: string, a: string, b: string): void {
  // Warm-up: the page cache, and the skopeo layouts' first read.
  measure('read', a, b);
  measure('diff', a, b);
  const engine = [0, 1, 2].map(() => measure('engine', a, b).ms);
  const read: Measure[] = [];
  const diff: Measure[] = [];
  const time: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let x: Measure;
    let y: Measure;
    if (r % 2 === 0) {
      x = measure('read', a, b);
      y = measure('diff', a, b);
    } else {
      y = measure('diff', a, b);
      x = measure('read', a, b);
    }
    read.push(x);
    diff.push(y);
    time.push(y.ms / x.ms);
    cpu.push(y.cpuMs / x.cpuMs);
    rss.push(y.maxRssMB / x.maxRssMB);
  }
  const t = median(time);
  const m = median(rss);
  const list = (xs: number[]) => xs.map((v) => v.toFixed(2)).join(' ');
  console.log(`${name}`);
  console.log(
    `  engine alone ${median(engine).toFixed(0)} ms; read both (scan's work) ${median(read.map((x) => x.ms)).toFixed(0)} ms; diff ${median(diff.map((x) => x.ms)).toFixed(0)} ms (${diff[0].reused} layer(s) parsed once for both, JSON ${(diff[0].bytes / 1e6).toFixed(1)} MB)`,
  );
  console.log(
    `  time   diff/read ${t.toFixed(2)}× ${t <= 1.2 ? '(≤ 1.2×: ok)' : '(> 1.2×: OVER TARGET)'} [rounds: ${list(time)}]`,
  );
  console.log(`  CPU    diff/read ${median(cpu).toFixed(2)}× [rounds: ${list(cpu)}]`);
  console.log(
    `  memory peak RSS read ${median(read.map((x) => x.maxRssMB)).toFixed(0)} MB, diff ${median(diff.map((x) => x.maxRssMB)).toFixed(0)} MB: ${m.toFixed(2)}× ${m <= 1.2 ? '(≤ 1.2×: ok)' : '(> 1.2×: OVER TARGET)'} [rounds: ${list(rss)}]`,
  );
}

async function images(): Promise<{ a: string; b: string; rebased?: string }> {
  const a = process.env.LAYERLENS_REALISTIC_ARCHIVE;
  const b = process.env.LAYERLENS_REALISTIC_ARCHIVE_2;
  if (a && b) return { a, b, rebased: process.env.LAYERLENS_REALISTIC_ARCHIVE_REBASED };
  if (!process.env.LAYERLENS_IT_WORKDIR) {
    console.log(
      'diff bench: skipped (set LAYERLENS_REALISTIC_ARCHIVE and LAYERLENS_REALISTIC_ARCHIVE_2, or start the integration services)',
    );
    process.exit(0);
  }
  const realistic = await import('../test/support/realistic.js');
  const log = (s: string) => console.log(`[images] ${s}`);
  const v2 = await realistic.ensureRealisticImageV2(log);
  const rebased =
    process.env.BENCH_REBASED === '1' ? (await realistic.ensureRealisticImageRebased(log)).archive : undefined;
  return { a: v2.base.archive, b: v2.archive, rebased };
}

const { a, b, rebased } = await images();
const mb = (p: string) =>
  statSync(p).isDirectory()
    ? readdirSync(join(p, 'blobs', 'sha256')).reduce((n, f) => n + statSync(join(p, 'blobs', 'sha256', f)).size, 0) /
      1e6
    : statSync(p).size / 1e6;
console.log(`diff benchmark: ${ROUNDS} rounds, medians; fresh process per measurement`);
compare(
  `realistic v1 → v2, docker save archives (${mb(a).toFixed(0)} + ${mb(b).toFixed(0)} MB, the base layer shared)`,
  a,
  b,
);
const la = gzipLayout(a, 'diff-oci');
const lb = gzipLayout(b, 'diff-oci');
if (la && lb)
  compare(
    `the same as a registry serves them (OCI layouts, gzip layers: ${mb(la).toFixed(0)} + ${mb(lb).toFixed(0)} MB)`,
    la,
    lb,
  );
else console.log('OCI layouts: skipped (needs skopeo)');
if (rebased)
  compare(`realistic v1 → v2 rebuilt on another base (no layer shared; ${mb(rebased).toFixed(0)} MB)`, a, rebased);
else console.log('no-shared-layer form: skipped (BENCH_REBASED=1 builds it)');
