/**
 * A command timed as a fresh process under GNU time (bench/scale.ts, bench/code-cache.ts): wall
 * time from spawn to exit, CPU time, peak RSS (%M: the child's VmHWM) and the memory it faulted in.
 */
import { spawnSync } from 'node:child_process';

export interface Run {
  wallMs: number;
  cpuMs: number;
  peakMB: number;
  /** Memory the run faulted in (minor faults × 4 KiB), MiB. */
  faultedMB: number;
}

/** Run `argv` once, output thrown away; throws unless it exits with one of `ok` (scan: 1 = findings at --fail-on). */
export function timedProcess(argv: string[], env: NodeJS.ProcessEnv = {}, ok: readonly number[] = [0]): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'LLTIME %U %S %M %R', ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /LLTIME ([\d.]+) ([\d.]+) (\d+) (\d+)/.exec(r.stderr);
  if (!m || !ok.includes(r.status ?? -1)) throw new Error(`${argv.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return {
    wallMs,
    cpuMs: (Number(m[1]) + Number(m[2])) * 1000,
    peakMB: Number(m[3]) / 1024,
    faultedMB: (Number(m[4]) * 4) / 1024,
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
