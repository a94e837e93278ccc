/**
 * Issue 16's scale benchmark, one command: `scan` and `inspect --json` of a generated image
 * (the ML-shaped one by default: 8 gzip layers, 11.2 GB uncompressed, 2.1 million paths; or the
 * tiny-files one) against serial gunzip of the same layers, with peak RSS per distinct path.
 *
 *   npm run build && node --import tsx bench/scale.ts [ml|tiny] [--rounds 3] [--modes gunzip,scan,inspect]
 *   … bench/scale.ts --layout DIR        (any OCI layout of gzip layers, e.g. the realistic image's)
 *   … bench/scale.ts layers [--layers 1,8,32,127]   (the layer-count series, below)
 *
 * Every run is a fresh process of the built CLI (`node dist/cli/main.cjs …`, output to /dev/null),
 * or of the baseline (bench/gunzip-child.mjs, plain JS: node's start-up is in both, no loader's),
 * timed from spawn to exit, its peak RSS the kernel's (VmHWM, via GNU time's %M) and its CPU time
 * user + system. The machine is shared (2 vCPUs), so the modes run back to back in rounds, the
 * order rotating from round to round, each ratio is taken within its round, and the medians of
 * those ratios are the figures; the load average is printed before and after.
 *
 * Memory touched is time on this machine: the kernel maps each page of fresh memory on its first
 * touch, and here that costs ~12 µs per 4 KiB page (~3 ms per MiB; docs/performance.md, seventh
 * session of 2026-12-05), memory just freed by the same process included. So every run also
 * prints the pages it faulted in (GNU time's %R, minor faults), and the machine's cost of a first
 * touch is measured once (firstTouchMsPerMiB) to say how much of each run that is.
 *
 * Memory per path: (peak RSS − the same command's peak on a small image) / distinct paths, where
 * the small image (one layer of 200 files, generated once under .bench-data/) measures the fixed
 * cost (Node, the modules, buffers, worker threads). Distinct paths are counted once by the engine
 * (bench/engine-child.mjs) and cached beside the image.
 *
 * Targets (issue 16): scan and inspect ≤ 1.0× serial gunzip where bytes dominate (ml), ≤ 2.0×
 * where a million tiny files make the per-entry cost dominate (tiny); ≤ 400 B of peak RSS per path,
 * and no growth with the layer count: `layers` measures a series of images that hold the same
 * 256,000 small files cut into 1, 8, 32 and 127 layers (docker's limit is 127 on overlay2;
 * gen-ml-image.ts layerCountImage), and prints each one's bytes per path against the one-layer
 * image's (target: within 10%).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { layerCountImage, mlImage, tinyImage } from './gen-ml-image.js';
import { median, type Run, timedProcess } from './fresh-process.js';
import { writeLayout } from './oci-writer.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'gunzip,scan,inspect' },
    layout: { type: 'string' },
    layers: { type: 'string', default: '1,8,32,127' },
  },
});
const which = values.layout !== undefined ? 'layout' : (positionals[0] ?? 'ml');
const rounds = Number(values.rounds);
const modes = values.modes!.split(',');
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.cjs');
const TARGET_RATIO = which === 'tiny' || which === 'layers' ? 2.0 : 1.0;
const TARGET_BYTES_PER_PATH = 400;
/** The layer-count series: bytes per path may exceed the one-layer image's by this much. */
const TARGET_LAYER_GROWTH = 1.1;

/** One fresh process (scan exits 1 when it has findings at or above --fail-on: not set here, 0). */
const timed = (argv: string[], env: NodeJS.ProcessEnv = {}): Run => timedProcess(argv, env, [0, 1]);

/**
 * The machine's cost of touching fresh memory, ms per MiB: a fresh process fills 256 MiB that the
 * kernel has not mapped yet (calloc's mmap), the median of three.
 */
function firstTouchMsPerMiB(): number {
  const probe = `const b = Buffer.alloc(256 << 20); const t = performance.now(); b.fill(1); console.log(performance.now() - t);`;
  const ms = [0, 1, 2].map(() => Number(spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).stdout));
  return median(ms) / 256;
}

function command(mode: string, dir: string): string[] {
  if (mode === 'gunzip') return [process.execPath, join(root, 'bench/gunzip-child.mjs'), dir];
  if (mode === 'scan')
    return ['sh', '-c', `"$0" "$1" scan "oci:$2" --format json > /dev/null`, process.execPath, cli, dir];
  if (mode === 'inspect')
    return ['sh', '-c', `"$0" "$1" inspect "oci:$2" --json > /dev/null`, process.execPath, cli, dir];
  if (mode === 'engine') return [process.execPath, join(root, 'bench/engine-child.mjs'), dir, '2'];
  throw new Error(`unknown mode ${mode}`);
}

/** A small image (one layer, 200 files): the fixed cost of each command. */
async function smallImage(): Promise<string> {
  const dir = join(root, '.bench-data', 'small-oci');
  if (existsSync(join(dir, 'index.json'))) return dir;
  await writeLayout(
    dir,
    [
      {
        createdBy: 'COPY . /app',
        entries: function* () {
          yield { name: 'app/', type: 'directory' as const };
          for (let i = 0; i < 200; i++) yield { name: `app/m${i}.py`, body: Buffer.from(`value_${i} = ${i * 7}\n`) };
        },
      },
    ],
    { config: { Cmd: ['python'] } },
    'small',
  );
  return dir;
}

/**
 * Distinct paths of the image (the engine's node count), counted once and cached beside it when
 * it is one of .bench-data's (a layout named with --layout elsewhere is counted each time).
 */
function distinctPaths(dir: string): number {
  const cache = `${dir}.paths`;
  const cached = resolve(dir).startsWith(join(root, '.bench-data') + sep);
  if (cached && existsSync(cache)) return Number(readFileSync(cache, 'utf8'));
  const r = spawnSync(process.execPath, [join(root, 'bench/engine-child.mjs'), dir, '2'], { encoding: 'utf8' });
  const n = JSON.parse(r.stdout.trim().split('\n').pop()!).nodes as number;
  if (cached) writeFileSync(cache, String(n));
  return n;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** One image's figures for one mode: median wall time, ratio to gunzip, highest peak, bytes per path. */
interface Figures {
  wall: number;
  ratio: number;
  peak: number;
  perPath: number;
}

/** The baselines' peaks on the small image, once per run of the bench. */
const base = new Map<string, number>();

/** Rounds of every mode on `dir`, printed as they run; each mode's figures. */
function measure(dir: string, small: string): Map<string, Figures> {
  const paths = distinctPaths(dir);
  console.log(`image: ${dir} (${paths.toLocaleString('en-US')} distinct paths); load average ${load()}`);
  for (const mode of modes.filter((m) => m !== 'gunzip' && !base.has(m))) {
    base.set(mode, Math.min(...[0, 1, 2].map(() => timed(command(mode, small)).peakMB)));
    console.log(`  baseline ${mode} on a 200-file image: peak RSS ${base.get(mode)!.toFixed(0)} MB`);
  }
  const runs = new Map<string, Run[]>(modes.map((m) => [m, []]));
  const ratios = new Map<string, number[]>(modes.map((m) => [m, []]));
  const cpuRatios = new Map<string, number[]>(modes.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    const order = modes.map((_, i) => modes[(i + round) % modes.length]);
    const got = new Map<string, Run>();
    for (const mode of order) {
      const r = timed(command(mode, dir));
      got.set(mode, r);
      runs.get(mode)!.push(r);
    }
    const g = got.get('gunzip');
    for (const mode of modes) {
      if (!g) continue;
      ratios.get(mode)!.push(got.get(mode)!.wallMs / g.wallMs);
      cpuRatios.get(mode)!.push(got.get(mode)!.cpuMs / g.cpuMs);
    }
    const line = order
      .map((m) => {
        const r = got.get(m)!;
        return `${m} ${(r.wallMs / 1000).toFixed(1)} s (cpu ${(r.cpuMs / 1000).toFixed(1)} s, ${r.peakMB.toFixed(0)} MB, faulted in ${r.faultedMB.toFixed(0)} MB)`;
      })
      .join(', ');
    console.log(`round ${round + 1} [load ${load()}]: ${line}`);
  }
  console.log(`${rounds} rounds, medians of the per-round ratios to serial gunzip; highest peak RSS:`);
  const verdicts: string[] = [];
  const figures = new Map<string, Figures>();
  for (const mode of modes) {
    const rs = runs.get(mode)!;
    const peak = Math.max(...rs.map((r) => r.peakMB));
    const wall = median(rs.map((r) => r.wallMs)) / 1000;
    const ratio = ratios.get(mode)!.length ? median(ratios.get(mode)!) : NaN;
    const cpu = cpuRatios.get(mode)!.length ? median(cpuRatios.get(mode)!) : NaN;
    const faulted = median(rs.map((r) => r.faultedMB));
    let line = `  ${mode.padEnd(8)} ${wall.toFixed(1).padStart(6)} s  ${ratio.toFixed(2)}× gunzip (cpu ${cpu.toFixed(2)}×)  peak RSS ${peak.toFixed(0)} MB`;
    line += `, faulted in ${faulted.toFixed(0)} MB (~${((faulted * touch) / 1000).toFixed(1)} s of CPU at the first-touch cost)`;
    let perPath = NaN;
    if (base.has(mode)) {
      perPath = ((peak - base.get(mode)!) * 2 ** 20) / paths;
      line += `, ${perPath.toFixed(0)} B per path over its baseline`;
      verdicts.push(
        `${mode}: time ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO.toFixed(1)}×: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}), ` +
          `memory ${perPath.toFixed(0)} B/path (target ≤ ${TARGET_BYTES_PER_PATH}: ${perPath <= TARGET_BYTES_PER_PATH ? 'met' : 'NOT met'})`,
      );
    }
    figures.set(mode, { wall, ratio, peak, perPath });
    console.log(line);
  }
  console.log(`load average after: ${load()}`);
  for (const v of verdicts) console.log(`verdict ${v}`);
  return figures;
}

let touch = 0;

async function main(): Promise<void> {
  const small = await smallImage();
  touch = firstTouchMsPerMiB();
  console.log(`first touch of fresh memory on this machine: ${touch.toFixed(2)} ms per MiB`);
  if (which !== 'layers') {
    measure(values.layout ?? (which === 'tiny' ? await tinyImage() : await mlImage()), small);
    return;
  }
  // The series: the same files in more and more layers.
  const counts = values.layers!.split(',').map(Number);
  const rows: Array<{ layers: number; figures: Map<string, Figures> }> = [];
  for (const layers of counts) rows.push({ layers, figures: measure(await layerCountImage(layers), small) });
  console.log('\nlayer count against bytes per path (the same files in every image):');
  for (const mode of modes.filter((m) => base.has(m))) {
    const first = rows[0].figures.get(mode)!.perPath;
    for (const { layers, figures } of rows) {
      const f = figures.get(mode)!;
      console.log(
        `  ${mode.padEnd(8)} ${String(layers).padStart(4)} layers: ${f.wall.toFixed(2)} s (${f.ratio.toFixed(2)}× gunzip), peak RSS ${f.peak.toFixed(0)} MB, ${f.perPath.toFixed(0)} B per path (${(f.perPath / first).toFixed(2)}× the ${rows[0].layers}-layer image's)`,
      );
    }
    const worst = Math.max(...rows.map((r) => r.figures.get(mode)!.perPath / first));
    console.log(
      `verdict ${mode}: bytes per path at most ${worst.toFixed(2)}× the ${rows[0].layers}-layer image's (target ≤ ${TARGET_LAYER_GROWTH.toFixed(1)}×: ${worst <= TARGET_LAYER_GROWTH ? 'met' : 'NOT met'})`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
