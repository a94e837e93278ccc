/**
 * Where the stream-hashing thread's module is (stream-hash.ts starts it), and the environment
 * variable that keeps it off: a module of its own so that the CLI's launcher can start the thread
 * before the CLI's script is compiled (cli/launch.ts) without loading the hashing code itself.
 */
import type { ThreadModule } from './worker-thread.js';

export const STREAM_HASH_THREAD = {
  url: new URL('./stream-hash-thread.js', import.meta.url),
  offSwitch: 'LAYERLENS_NO_HASH_WORKER',
} satisfies ThreadModule;
