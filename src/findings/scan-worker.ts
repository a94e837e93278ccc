/**
 * Worker-thread side of the secret scan: file bytes arrive in batches from the main thread
 * (remote-scanner.ts), each file runs through the same FileSecretScanner as on the main thread,
 * and only files with results are answered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileSecretScanner, type ScanOptions } from './secrets/scanner.js';
import type { BatchMessage, ResultMessage } from './remote-protocol.js';

const opts = workerData as ScanOptions & { entry: string };
const scanners = new Map<number, FileSecretScanner>();

parentPort!.on('message', (m: BatchMessage | { t: 'flush'; seq: number }) => {
  if (m.t === 'flush') {
    parentPort!.postMessage({ t: 'flushed', seq: m.seq });
    return;
  }
  const data = Buffer.from(m.buf);
  const results: ResultMessage['results'] = [];
  for (const op of m.ops) {
    let s = scanners.get(op.id);
    if (!s) {
      s = new FileSecretScanner(op.path!, opts);
      scanners.set(op.id, s);
    }
    if (op.len) s.write(data.subarray(op.off, op.off + op.len));
    if (op.end) {
      scanners.delete(op.id);
      const secrets = s.end();
      if (secrets || s.truncated) results.push({ id: op.id, secrets, truncated: s.truncated });
    }
  }
  parentPort!.postMessage({ t: 'results', results, bytes: m.buf.byteLength } satisfies ResultMessage);
});
