/**
 * Blob digests computed on a worker thread. The main thread already hashes every layer's
 * uncompressed bytes (diffID) and parses the tar; hashing the compressed bytes there as well made
 * it the bottleneck of a pull (sha256 runs at ~500 MB/s on CPUs without SHA extensions). Chunks
 * are batched (~1 MiB) and copied to one shared worker; the digest comes back when the blob ends.
 * If a worker cannot start, hashing falls back to the main thread.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// CommonJS source run with eval: no file to locate in src/ (tsx) or dist/ (build).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.t === 'open') hashes.set(m.id, createHash(m.alg));
  else if (m.t === 'data') hashes.get(m.id)?.update(m.b);
  else if (m.t === 'end') {
    const h = hashes.get(m.id);
    hashes.delete(m.id);
    if (m.b) h?.update(m.b);
    parentPort.postMessage({ id: m.id, hex: h ? h.digest('hex') : '' });
  } else if (m.t === 'drop') hashes.delete(m.id);
});
`;

const BATCH = 1 << 20;

let worker: Worker | null | undefined;
let nextId = 1;
let open = 0;
const waiting = new Map<number, (hex: string) => void>();

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: { id: number; hex: string }) => {
      waiting.get(m.id)?.(m.hex);
      waiting.delete(m.id);
    });
    w.on('error', () => {
      // A dead worker: pending digests resolve empty (reported as a mismatch), new hashes go local.
      for (const resolve of waiting.values()) resolve('');
      waiting.clear();
      worker = null;
    });
    // Do not keep the process alive for an idle hasher.
    w.unref();
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/** An incremental hash whose digest may be computed elsewhere. */
export interface BlobHasher {
  update(chunk: Buffer): void;
  /** Hex digest of everything written. */
  digest(): Promise<string>;
  /** Forget it (blob abandoned). */
  drop(): void;
}

export function blobHasher(algorithm: string, offThread = true): BlobHasher {
  const w = offThread ? getWorker() : null;
  if (!w) return localHasher(createHash(algorithm));
  const id = nextId++;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let done = false;
  open++;
  w.ref();
  w.postMessage({ t: 'open', id, alg: algorithm });
  const flush = (): Buffer | undefined => {
    if (!pendingBytes) return undefined;
    const b = pending.length === 1 ? Buffer.from(pending[0]) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return b;
  };
  const release = () => {
    if (done) return;
    done = true;
    if (--open === 0) w.unref();
  };
  return {
    update(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= BATCH) post(w, { t: 'data', id }, flush());
    },
    digest() {
      return new Promise((resolve) => {
        waiting.set(id, (hex) => {
          release();
          resolve(hex);
        });
        post(w, { t: 'end', id }, flush());
      });
    },
    drop() {
      if (done) return;
      pending = [];
      pendingBytes = 0;
      w.postMessage({ t: 'drop', id });
      release();
    },
  };
}

/** Send a batch, moving (not copying) its memory when the buffer owns it. */
function post(w: Worker, msg: { t: string; id: number }, b: Buffer | undefined): void {
  if (b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) w.postMessage({ ...msg, b }, [b.buffer as ArrayBuffer]);
  else w.postMessage({ ...msg, b });
}

function localHasher(h: Hash): BlobHasher {
  return {
    update: (c) => void h.update(c),
    digest: async () => h.digest('hex'),
    drop: () => {},
  };
}
