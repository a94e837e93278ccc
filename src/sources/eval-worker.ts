/**
 * Start a worker thread from CommonJS source text (eval: no file to locate in src/ under tsx or in
 * dist/ after the build), unref'd: its owner refs it while it waits on a reply. Null where a
 * worker cannot run here; the owner then does the work on the main thread.
 */
import { Worker } from 'node:worker_threads';

export function startEvalWorker<M>(
  source: string,
  onMessage: (m: M) => void,
  onStop: (err: Error) => void,
): Worker | null {
  try {
    const w = new Worker(source, { eval: true });
    w.on('message', onMessage);
    w.on('error', onStop);
    w.unref();
    return w;
  } catch {
    return null;
  }
}
