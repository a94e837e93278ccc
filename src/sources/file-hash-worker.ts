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
function truncated(missing) {
  return Object.assign(new Error('the file ended ' + missing + ' bytes early'), { code: 'TRUNCATED' });
}
// The sha256 of each byte range of a blob (offsets from base), 32 bytes a range: read in windows
// of the buffer's size (most files of a layer are small and many lie in one window).
function hashRanges(fd, base, ranges) {
  const n = ranges.length / 2;
  const out = new Uint8Array(n * 32);
  let winStart = 0;
  let winLen = 0;
  for (let i = 0; i < n; i++) {
    const start = base + ranges[2 * i];
    const len = ranges[2 * i + 1];
    let digest;
    if (start >= winStart && start + len <= winStart + winLen) {
      digest = createHash('sha256').update(buf.subarray(start - winStart, start - winStart + len)).digest();
    } else if (len <= buf.length) {
      winStart = start;
      winLen = 0;
      while (winLen < buf.length) {
        const k = fs.readSync(fd, buf, winLen, buf.length - winLen, start + winLen);
        if (k === 0) break;
        winLen += k;
      }
      if (winLen < len) throw truncated(len - winLen);
      digest = createHash('sha256').update(buf.subarray(0, len)).digest();
    } else {
      const h = createHash('sha256');
      winLen = 0;
      for (let pos = start; pos < start + len; ) {
        const k = fs.readSync(fd, buf, 0, Math.min(buf.length, start + len - pos), pos);
        if (k === 0) throw truncated(start + len - pos);
        h.update(k === buf.length ? buf : buf.subarray(0, k));
        pos += k;
      }
      digest = h.digest();
    }
    out.set(digest, i * 32);
  }
  return out;
}
parentPort.on('message', ({ id, file, start, length, ranges }) => {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    if (ranges) {
      parentPort.postMessage({ id, digests: hashRanges(fd, start, ranges) });
      return;
    }
    const hash = createHash('sha256');
    let pos = start;
    const end = length < 0 ? Infinity : start + length;
    while (pos < end) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) {
        if (length < 0) break;
        throw truncated(end - pos);
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
const pending = new Map<number, { resolve: (v: string | Buffer) => void; reject: (e: Error) => void }>();

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (process.env.LAYERLENS_NO_HASH_WORKER === '1') return (worker = null);
  worker = startEvalWorker<{
    id: number;
    hex?: string;
    digests?: Uint8Array;
    error?: string;
    code?: 'IO' | 'TRUNCATED';
  }>(
    WORKER_SOURCE,
    (m) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) worker?.unref();
      if (m.hex !== undefined) p?.resolve('sha256:' + m.hex);
      else if (m.digests !== undefined)
        p?.resolve(Buffer.from(m.digests.buffer, m.digests.byteOffset, m.digests.length));
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
  return request<string>({ file, start, length });
}

/**
 * Whether per-file content digests of a layer in a file go to the worker (hashFileRanges): where
 * a worker runs, unless LAYERLENS_DIGESTS_IN_THREAD=1 keeps them on the main thread (for A/B
 * measurements: bench/diff.ts BENCH_DIGESTS_AB=1).
 */
export function rangeHashing(): boolean {
  return process.env.LAYERLENS_DIGESTS_IN_THREAD !== '1' && getWorker() !== null;
}

/**
 * The sha256 of each byte range of `file` (`ranges`: offset, length pairs, offsets from `base`),
 * read and hashed on the worker: 32 bytes a range, in order, in one buffer (the per-file content
 * digests of a layer stored uncompressed in the file). Undefined where no worker can run.
 * Rejects as hashFileRange does.
 */
export function hashFileRanges(file: string, base: number, ranges: number[]): Promise<Buffer> | undefined {
  return request<Buffer>({ file, start: base, ranges });
}

function request<T extends string | Buffer>(msg: {
  file: string;
  start: number;
  length?: number;
  ranges?: number[];
}): Promise<T> | undefined {
  const w = getWorker();
  if (!w) return undefined;
  const id = nextId++;
  const done = new Promise<T>((resolve, reject) =>
    pending.set(id, { resolve: resolve as (v: string | Buffer) => void, reject }),
  );
  if (pending.size === 1) w.ref();
  w.postMessage({ id, ...msg });
  return done;
}
