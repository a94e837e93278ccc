// The calling thread's CPU time in ms (user + system), from /proc/thread-self/stat: Node 20 has
// process.cpuUsage() for the whole process only. Linux's clock ticks: 10 ms (USER_HZ 100), so a
// figure is good to ±10 ms. Used by the findings benchmark for the main thread, where the checks run.
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100;

/** @returns {number} */
export function mainThreadCpuMs() {
  const s = readFileSync('/proc/thread-self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}
