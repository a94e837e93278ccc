/**
 * Where the blob download thread's module is (fetch-worker.ts starts it), and the environment
 * variable that keeps it off: a module of its own so that the CLI's launcher can start the thread
 * before the CLI's script is compiled (cli/launch.ts) without loading the download code itself.
 */
import type { ThreadModule } from '../../engine/worker-thread.js';

export const FETCH_THREAD = {
  url: new URL('./fetch-thread.js', import.meta.url),
  offSwitch: 'LAYERLENS_NO_FETCH_WORKER',
} satisfies ThreadModule;
