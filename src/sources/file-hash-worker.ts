/**
 * The sha256 of an uncompressed layer that lies in a FILE (a docker save archive, an OCI layout),
 * computed on a worker thread that reads the file itself, while the main thread parses the same
 * bytes: it is the layer's diffID (archive/file.ts asks for it; parse-layer.ts uses it).
 *
 * Why: on an uncompressed layer the main thread's biggest job was hashing it for its diffID
 * (~60% of a `docker save` file's load), leaving the tar parse, the tree and the content checks
 * to wait behind it. Sending the chunks to a worker cost as much as hashing them (each one
 * copied); here the worker reads the bytes from the file (the page cache) into one reused buffer,
 * so nothing crosses between the threads but the request and the digest. (Compressed blobs are
 * not sent here: see archive/file.ts.)
 *
 * The file is read twice, by the parser and by the worker. Whoever can change the file between
 * the two reads could as well write a self-consistent archive (its config and manifests come
 * from the same file), so for a file the check is one of integrity, as before.
 *
 * One worker, started early (see cli/early-start.ts) or on first use; requests run one after
 * another (two vCPUs: a second hashing thread would only compete). It holds the process open
 * only while a request is pending. Where a worker cannot start, `hashFileRange` returns
 * undefined and the caller hashes on the main thread as before.
 */
import type { Worker } from 'node:worker_threads';
import { LayerlensError } from '../errors/index.js';
import { startEvalWorker } from './eval-worker.js';

// CommonJS source, run by startEvalWorker.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, file, start, length }) => {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const hash = createHash('sha256');
    let pos = start;
    const end = length < 0 ? Infinity : start + length;
    while (pos < end) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) {
        if (length < 0) break;
        throw Object.assign(new Error('the file ended ' + (end - pos) + ' bytes early'), { code: 'TRUNCATED' });
      }
      hash.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
    parentPort.postMessage({ id, hex: hash.digest('hex') });
  } catch (err) {
    // One line naming the file once: "FILE: permission denied", not node's "EACCES: …, open 'FILE'".
    // (No backslash in this source: it sits in a template literal.)
    const why = err.code === 'TRUNCATED' ? err.message
      : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
      : err.code === 'ENOENT' ? 'no such file or directory'
      : err.code ? 'cannot be read (' + err.code + ')' : err.message;
    parentPort.postMessage({ id, error: file + ': ' + why, code: err.code === 'TRUNCATED' ? 'TRUNCATED' : 'IO' });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

let worker: Worker | null | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void }>();

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (process.env.LAYERLENS_NO_HASH_WORKER === '1') return (worker = null);
  worker = startEvalWorker<{ id: number; hex?: string; error?: string; code?: 'IO' | 'TRUNCATED' }>(
    WORKER_SOURCE,
    (m) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) worker?.unref();
      if (m.hex !== undefined) p?.resolve('sha256:' + m.hex);
      else p?.reject(new LayerlensError(m.error ?? 'hashing failed', m.code ?? 'IO'));
    },
    (err) => {
      worker = null;
      const e = new LayerlensError(`layer hashing worker stopped: ${err.message}`, 'IO');
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    },
  );
  return worker;
}

/** Start the worker now: its thread boots while the caller goes on (modules load, files open). */
export function prewarmHashWorker(): void {
  getWorker();
}

/**
 * Let the process exit even while a hash is pending (the command is over: after an error, the
 * layers still being hashed are not wanted).
 */
export function releaseHashWorker(): void {
  worker?.unref();
}

/**
 * `sha256:<hex>` of `length` bytes of `file` from `start` (length -1: to the end of the file),
 * read and hashed on the worker; undefined where no worker can run (hash on this thread then).
 * Rejects with a one-line LayerlensError when the file cannot be read (IO) or ends early
 * (TRUNCATED).
 */
export function hashFileRange(file: string, start: number, length: number): Promise<string> | undefined {
  const w = getWorker();
  if (!w) return undefined;
  const id = nextId++;
  const done = new Promise<string>((resolve, reject) => pending.set(id, { resolve, reject }));
  if (pending.size === 1) w.ref();
  w.postMessage({ id, file, start, length });
  return done;
}
