/** A lock between test processes that build the same cached image: a directory made atomically. */
import { mkdir, rmdir } from 'node:fs/promises';

/** Run `fn` holding the lock `dir` (waits up to 30 minutes for another holder); `what` names it in the timeout error. */
export async function withDirLock<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      await mkdir(dir);
      break;
    } catch {
      if (i > 1800) throw new Error(`timed out waiting for another process building ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(dir).catch(() => {});
  }
}
