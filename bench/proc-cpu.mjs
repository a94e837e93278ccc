// CPU time in ms (user + system) of a thread or process, from its /proc stat file: Node 20 has
// process.cpuUsage() for this whole process only. Linux's clock ticks: 10 ms (USER_HZ 100), so a
// figure is good to ±10 ms. The findings benchmark reads the main thread's (where the checks
// run), the registry benchmark the registry server's.
import { readFileSync } from 'node:fs';

/** /proc's clock ticks per second (USER_HZ: 100 on Linux, `getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/**
 * @param {string} stat a /proc stat file: '/proc/thread-self/stat' (the calling thread), `/proc/${pid}/stat`
 * @returns {number}
 */
export function cpuMsOf(stat) {
  const s = readFileSync(stat, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime, stime are 14th and 15th.
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}

/** The calling thread's CPU time in ms. */
export const mainThreadCpuMs = () => cpuMsOf('/proc/thread-self/stat');
