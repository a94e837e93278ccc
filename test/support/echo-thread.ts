/** A worker module for the tests of src/engine/worker-thread.ts: answers each number with its double. */
import { workerPort } from '../../src/engine/worker-thread.js';

export type ToEcho = { n: number } | { crash: true };
export type FromEcho = { doubled: number; thread: number };

const { threadId } = await import('node:worker_threads');
const port = workerPort<ToEcho, FromEcho>((m) => {
  if ('crash' in m) throw new Error('asked to crash');
  port.post({ doubled: m.n * 2, thread: threadId });
});
