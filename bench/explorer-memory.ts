/**
 * The explorer's peak memory per path (issue 16: `scan`, `inspect --json` AND the explorer open
 * the ML-shaped image within 400 B of peak RSS per distinct path over the baseline). The built CLI
 * runs in a real terminal (tmux, 180×50) on each image until it has loaded — its CPU quiet for
 * two seconds (V8's collections after a load tick now and then: a few ticks are quiet) — then its
 * peak RSS (VmHWM) is read and it is quit with `q`. Per path: (peak − the explorer's peak on the
 * 200-file image) / distinct paths (bench/scale.ts counts and caches them).
 *
 *   npm run build && node --import tsx bench/explorer-memory.ts [--images tiny,ml] [--runs 1]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mlImage, tinyImage } from './gen-ml-image.js';

const { values } = parseArgs({
  options: { images: { type: 'string', default: 'tiny,ml' }, runs: { type: 'string', default: '1' } },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const SOCKET = `layerlens-bench-mem-${process.pid}`;
const TARGET_BYTES_PER_PATH = 400;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ticks (user + system) of process `pid`, or -1 when it is gone. */
function ticks(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return -1;
  }
}

/** The explorer on `ref` until loaded: its peak RSS (MiB) and the seconds it took to go quiet. */
async function explorerPeak(ref: string): Promise<{ peakMiB: number; loadedS: number }> {
  const cmd = `cd ${JSON.stringify(root)}; unset CI; TERM=xterm-256color exec ${JSON.stringify(process.execPath)} dist/cli/main.cjs ${ref}`;
  tmux('new-session', '-d', '-s', 'mem', '-x', '180', '-y', '50', cmd);
  const t0 = performance.now();
  try {
    const pid = Number(tmux('display-message', '-p', '-t', 'mem', '#{pane_pid}').trim());
    let last = ticks(pid);
    let quiet = 0;
    // Quiet: at most 2 ticks (20 ms of CPU) in each of four half seconds.
    while (quiet < 4 && performance.now() - t0 < 600_000) {
      await sleep(500);
      const now = ticks(pid);
      if (now < 0) throw new Error(`the explorer exited: ${tmux('capture-pane', '-p', '-t', 'mem').trim()}`);
      quiet = now - last <= 2 ? quiet + 1 : 0;
      last = now;
    }
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]);
    tmux('send-keys', '-t', 'mem', 'q');
    return { peakMiB: hwm / 1024, loadedS: (performance.now() - t0) / 1000 - 2 };
  } finally {
    await sleep(300);
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  }
}

async function main(): Promise<void> {
  const small = join(root, '.bench-data', 'small-oci');
  if (!existsSync(join(small, 'index.json')))
    throw new Error('run bench/scale.ts once first (it writes the small image)');
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const runs = Number(values.runs);
  const base = (await explorerPeak(`oci:${small}`)).peakMiB;
  console.log(`baseline: the explorer on the 200-file image, peak RSS ${base.toFixed(0)} MiB`);
  for (const which of values.images!.split(',')) {
    const dir = which === 'tiny' ? await tinyImage() : which === 'ml' ? await mlImage() : which;
    const pathsFile = `${dir}.paths`;
    if (!existsSync(pathsFile))
      throw new Error(`${pathsFile} missing: run bench/scale.ts on this image once (it counts them)`);
    const paths = Number(readFileSync(pathsFile, 'utf8'));
    for (let i = 0; i < runs; i++) {
      const r = await explorerPeak(`oci:${dir}`);
      const perPath = ((r.peakMiB - base) * 2 ** 20) / paths;
      console.log(
        `${which}: ${paths.toLocaleString('en-US')} paths, loaded in ~${r.loadedS.toFixed(0)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB, ` +
          `${perPath.toFixed(0)} B per path over the baseline (target ≤ ${TARGET_BYTES_PER_PATH}: ${perPath <= TARGET_BYTES_PER_PATH ? 'met' : 'NOT met'})`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  process.exit(1);
});
