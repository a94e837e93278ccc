/**
 * The stream-hashing worker thread (started by stream-hash.ts): keeps one sha256 per job, hashes
 * each block it is named, in order, and names the block back (the host reuses it; its return is
 * also how the host counts what is still waiting here). The blocks are shared memory: each comes
 * with the first message that names it, and a view of it is kept here.
 */
import { createHash, type Hash } from 'node:crypto';
import type { HashIn, HashOut } from './stream-hash.js';
import { workerPort } from './worker-thread.js';

const jobs = new Map<number, Hash>();
const blocks: Uint8Array[] = [];

const port = workerPort<HashIn, HashOut>((m) => {
  if ('slot' in m) {
    if (m.block) blocks[m.slot] = new Uint8Array(m.block);
    let hash = jobs.get(m.job);
    if (!hash) jobs.set(m.job, (hash = createHash('sha256')));
    hash.update(blocks[m.slot].subarray(m.offset, m.offset + m.length));
    port.post({ slot: m.slot, length: m.length });
  } else if (m.end) {
    const hash = jobs.get(m.job) ?? createHash('sha256');
    jobs.delete(m.job);
    port.post({ job: m.job, hex: hash.digest('hex') });
  } else jobs.delete(m.job);
});
