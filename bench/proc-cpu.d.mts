/** CPU time in ms of the thread or process whose /proc stat file is `stat` (proc-cpu.mjs). */
export function cpuMsOf(stat: string): number;
/** The calling thread's CPU time in ms. */
export function mainThreadCpuMs(): number;
