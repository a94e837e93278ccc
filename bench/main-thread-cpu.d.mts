/** The calling thread's CPU time in ms (main-thread-cpu.mjs). */
export function mainThreadCpuMs(): number;
