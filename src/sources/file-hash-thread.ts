/**
 * The layer-hashing worker thread (started by file-hash-worker.ts): reads a range of a file (or
 * many: a layer's files, for their digests) into one reused buffer and hashes it, so nothing
 * crosses between the threads but the request and the digests. Requests run one after another.
 */
import { describeReadError, digestRangesSync, hashRangeSync, type HashReply, type HashRequest } from './file-hash.js';
import { workerPort } from '../engine/worker-thread.js';

const buf = Buffer.allocUnsafe(1 << 20);

const port = workerPort<HashRequest, HashReply>(({ id, file, start, length, ranges }) => {
  try {
    if (ranges) port.post({ id, digests: digestRangesSync(file, start, ranges, buf) });
    else port.post({ id, hex: hashRangeSync(file, start, length, buf) });
  } catch (err) {
    const e = describeReadError(file, err);
    port.post({ id, error: e.message, code: e.code });
  }
});
