/**
 * Pull-and-parse from a loopback registry vs `skopeo copy docker://… oci:DIR` of the same image,
 * in the same run. The image (several gzip layers, a few hundred MB) is generated in-process,
 * pushed with skopeo to a docker-registry this script starts, and removed afterwards.
 *
 *   npm run build && node --import tsx bench/registry.ts [--mb 300] [--layers 6] [--runs 5] [--concurrency 2]
 *   npm run build && node --import tsx bench/registry.ts --layout .bench-data/ml-oci:ml --runs 3
 *       an existing OCI layout instead of the generated image (issue 16: the ML-shaped image)
 *
 * Both sides are whole fresh processes timed from spawn to exit: layerlens runs the built dist/
 * (bench/registry-child.mjs, plain JS, the CLI's default of 2 layers parsed at once), so node's
 * start-up and module loading count, as Go's do for skopeo. One untimed warm-up of each, then
 * `runs` pairs in alternating order, each followed by layerlens on the same image from an OCI
 * layout on disk (separates HTTP from engine costs). Prints every run (wall, CPU when /usr/bin/time exists, and
 * layerlens' own pull+parse time without process start), the medians, the ratio of medians and
 * the median of the per-pair ratios, and the load average before and after (the machine is shared).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TarSpec } from '../src/engine/build-tar.js';
import { allBlobs, buildImage, writeLayout, skopeoPush, type LayerSpec } from '../test/support/oci-image.js';
import { missingTools, startRegistry } from '../test/support/services.js';
import { cpuMsOf } from './proc-cpu.mjs';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '300' },
    layers: { type: 'string', default: '6' },
    runs: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '2' },
    layout: { type: 'string' },
  },
});
const totalMb = Number(values.mb);
let layerCount = Number(values.layers);
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
const root = fileURLToPath(new URL('..', import.meta.url));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Run {
  wallMs: number;
  /** user+sys of the process, when /usr/bin/time is there. */
  cpuMs?: number;
  stdout: string;
}

/** Run a command as a fresh process: wall time from spawn to exit, and its CPU time. */
function timed(file: string, args: string[]): Promise<Run> {
  const [cmd, argv] = TIME ? [TIME, ['-f', 'LLTIME %U %S', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(
      cmd,
      argv,
      { maxBuffer: 64 << 20, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      (err, stdout, stderr) => {
        const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
        if (err) return reject(new Error(`${file}: ${String(stderr).trim() || err.message}`));
        const t = /LLTIME ([\d.]+) ([\d.]+)/.exec(String(stderr));
        resolve({ wallMs, cpuMs: t ? (Number(t[1]) + Number(t[2])) * 1000 : undefined, stdout: String(stdout) });
      },
    );
  });
}

/** dist/ must hold the code under test: every engine and registry module built after its source. */
function checkBuilt(): string | undefined {
  for (const dir of ['engine', 'sources/registry']) {
    for (const name of readdirSync(path.join(root, 'src', dir)).filter((n) => n.endsWith('.ts'))) {
      const built = path.join(root, 'dist', dir, name.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(path.join(root, 'src', dir, name)).mtimeMs)
        return `dist/${dir}/${path.basename(built)} is missing or older than its source: run npm run build first`;
    }
  }
  return undefined;
}

/** Files like a real layer: text-ish (compressible) and binary-ish (not), 64 KiB–1 MiB each. */
function layerEntries(i: number, bytes: number): TarSpec[] {
  const entries: TarSpec[] = [{ name: `layer${i}/`, type: 'directory' }];
  const words = Buffer.from(
    'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt\n'.repeat(20000),
  );
  let n = 0;
  let f = 0;
  while (n < bytes) {
    const size = Math.min(bytes - n, 65536 + ((f * 7919) % (1 << 20)));
    const content = f % 2 === 0 ? randomBytes(size) : words.subarray(0, size);
    entries.push({ name: `layer${i}/dir${f % 16}/file${f}.bin`, content });
    n += size;
    f++;
  }
  return entries;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const secs = (ms: number) => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
  const missing = missingTools('docker-registry', 'skopeo');
  if (missing) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const stale = checkBuilt();
  if (stale) {
    console.error(stale);
    process.exitCode = 1;
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'layerlens-bench-registry-'));
  const reg = await startRegistry({ dir: path.join(work, 'reg') });
  try {
    const t0 = Date.now();
    let layout = path.join(work, 'layout');
    let tag = 'bench';
    if (values.layout) {
      // An existing OCI layout (DIR:TAG), pushed as it is.
      const cut = values.layout.lastIndexOf(':');
      [layout, tag] =
        cut > 0
          ? [path.resolve(values.layout.slice(0, cut)), values.layout.slice(cut + 1)]
          : [path.resolve(values.layout), 'latest'];
      await skopeoPush(layout, tag, 'bench/image:1', { host: reg.host, workdir: work });
      const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8'));
      const manifest = JSON.parse(
        readFileSync(path.join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'),
      );
      layerCount = manifest.layers.length;
      const compressed = manifest.layers.reduce((a: number, l: { size: number }) => a + l.size, 0);
      console.log(
        `image: ${layout} (${layerCount} layers, ${(compressed / 1048576).toFixed(0)} MiB stored; pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
    } else {
      const per = Math.floor((totalMb << 20) / layerCount);
      const layers: LayerSpec[] = [];
      for (let i = 0; i < layerCount; i++)
        layers.push({ entries: layerEntries(i, per), level: 1, createdBy: `COPY layer${i} /layer${i}` });
      const img = await buildImage(layers);
      writeLayout(layout, 'bench', img.manifest, allBlobs(img).slice(1));
      await skopeoPush(layout, 'bench', 'bench/image:1', { host: reg.host, workdir: work });
      const compressed = img.layers.reduce((a, l) => a + l.data.length, 0);
      console.log(
        `image: ${layerCount} gzip layers, ${totalMb} MiB uncompressed, ${(compressed / 1048576).toFixed(0)} MiB compressed (generated and pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
    console.log(`machine: ${os.cpus().length} cores, node ${process.version}; load average before: ${loadavg()}`);

    const ref = `${reg.host}/bench/image:1`;
    const child = path.join(root, 'bench/registry-child.mjs');
    const ours: Array<Run & { inProcessMs: number }> = [];
    const fromDisk: Array<Run & { inProcessMs: number }> = [];
    const theirs: Run[] = [];
    const runChild = async (source: string, into?: Array<Run & { inProcessMs: number }>) => {
      const r = await timed(process.execPath, [child, source, String(concurrency), work]);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; layers: number; applied: number };
      if (out.layers !== layerCount || out.applied !== layerCount)
        throw new Error(`bench image not fully parsed: ${r.stdout}`);
      into?.push({ ...r, inProcessMs: out.ms });
    };
    // The registry runs on the same two cores: the CPU it spends serving a pull is taken from the
    // pull's own threads (a registry elsewhere would not take it). Read per pull from /proc.
    const serverCpu: number[] = [];
    const skopeoServerCpu: number[] = [];
    const regCpuMs = () => cpuMsOf(`/proc/${reg.pid}/stat`);
    const servedBy = async (into: number[] | undefined, run: () => Promise<void>) => {
      const c0 = regCpuMs();
      await run();
      into?.push(regCpuMs() - c0);
    };
    const runLayerlens = (keep: boolean) =>
      servedBy(keep ? serverCpu : undefined, () => runChild(ref, keep ? ours : undefined));
    // The same image from the OCI layout on disk (page-cached): the engine's share without HTTP.
    const runFromDisk = (keep: boolean) => runChild(`oci:${layout}:${tag}`, keep ? fromDisk : undefined);
    const runSkopeo = async (keep: boolean, i: number) => {
      const dest = path.join(work, `skopeo-oci-${i}`);
      const r = await timed('skopeo', [
        '--policy',
        path.join(work, 'policy.json'),
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        `docker://${ref}`,
        `oci:${dest}:bench`,
      ]);
      rmSync(dest, { recursive: true, force: true });
      if (keep) theirs.push(r);
    };
    // Warm-up (page cache, registry, JIT-free first start of each binary); not counted.
    await runSkopeo(false, -1);
    await runLayerlens(false);
    await runFromDisk(false);
    const loads: string[] = [];
    for (let i = 0; i < runs; i++) {
      loads.push(loadavg().split(' ')[0]);
      if (i % 2 === 0) {
        await servedBy(skopeoServerCpu, () => runSkopeo(true, i));
        await runLayerlens(true);
      } else {
        await runLayerlens(true);
        await servedBy(skopeoServerCpu, () => runSkopeo(true, i));
      }
      await runFromDisk(true);
    }
    const cpu = (r: Run) => (r.cpuMs !== undefined ? ` (cpu ${secs(r.cpuMs)})` : '');
    const a = median(ours.map((r) => r.wallMs));
    const b = median(theirs.map((r) => r.wallMs));
    const paired = median(ours.map((r, i) => r.wallMs / theirs[i].wallMs));
    console.log(
      `layerlens pull+parse, fresh process on dist/ (concurrency ${concurrency}): median ${secs(a)} s  runs: ${ours.map((r) => secs(r.wallMs) + cpu(r)).join(', ')}`,
    );
    console.log(
      `  of which in-process pull+parse (no node start-up / module loading): median ${secs(median(ours.map((r) => r.inProcessMs)))} s  runs: ${ours.map((r) => secs(r.inProcessMs)).join(', ')}`,
    );
    console.log(
      `layerlens on the same image from an OCI layout on disk (no HTTP; stored blobs hashed on the hashing thread beside the diffIDs): median ${secs(median(fromDisk.map((r) => r.wallMs)))} s  runs: ${fromDisk.map((r) => secs(r.wallMs) + cpu(r)).join(', ')}`,
    );
    console.log(
      `skopeo copy docker:// → oci:DIR: median ${secs(b)} s  runs: ${theirs.map((r) => secs(r.wallMs) + cpu(r)).join(', ')}`,
    );
    console.log(
      `ratio layerlens / skopeo: ${(a / b).toFixed(2)}× (ratio of medians), ${paired.toFixed(2)}× (median of per-pair ratios) — target ≤ 1.0×`,
    );
    // Issue 16's target: the registry costs no more than the disk (downloads overlapped with parsing).
    const vsDisk = median(ours.map((r, i) => r.wallMs / fromDisk[i].wallMs));
    const vsDiskCpu = median(ours.map((r, i) => (r.cpuMs ?? NaN) / (fromDisk[i].cpuMs ?? NaN)));
    console.log(
      `ratio registry / OCI layout on disk: ${vsDisk.toFixed(2)}× wall (median of per-run ratios), ${vsDiskCpu.toFixed(2)}× CPU — target ≤ 1.05×: ${vsDisk <= 1.05 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `the registry server's CPU per pull (same two cores): layerlens ${secs(median(serverCpu))} s, skopeo ${secs(median(skopeoServerCpu))} s`,
    );
    console.log(`load average (1 min) at each pair: ${loads.join(', ')}; after: ${loadavg()}`);
  } finally {
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
