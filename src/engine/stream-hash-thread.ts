/**
 * The stream-hashing worker thread (started by stream-hash.ts): keeps one sha256 per job, hashes
 * each block it is sent, in order, and gives the block's buffer back (the host reuses it; its
 * return is also how the host counts what is still waiting here).
 */
import { createHash, type Hash } from 'node:crypto';
import type { HashIn, HashOut } from './stream-hash.js';
import { workerPort } from './worker-thread.js';

const jobs = new Map<number, Hash>();

const port = workerPort<HashIn, HashOut>((m) => {
  if ('block' in m) {
    let hash = jobs.get(m.job);
    if (!hash) jobs.set(m.job, (hash = createHash('sha256')));
    hash.update(new Uint8Array(m.block, 0, m.length));
    port.post({ block: m.block, length: m.length }, [m.block]);
  } else if (m.end) {
    const hash = jobs.get(m.job) ?? createHash('sha256');
    jobs.delete(m.job);
    port.post({ job: m.job, hex: hash.digest('hex') });
  } else jobs.delete(m.job);
});
