/**
 * The sha256 of an uncompressed layer that lies in a FILE (a docker save archive, an OCI layout),
 * computed on a worker thread (file-hash-thread.ts) that reads the file itself, while the main
 * thread parses the same bytes: it is the layer's diffID (archive/file.ts asks for it;
 * parse-layer.ts uses it).
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
 * only while a request is pending. Where no worker can start, `hashFileRange` returns undefined
 * and the caller hashes on the main thread as before; when the thread stops with requests in
 * flight (it never loaded, or crashed), those are hashed here from the file instead.
 */
import { LayerlensError } from '../errors/index.js';
import { digestRangesSync, hashRange, type HashReply, type HashRequest } from './file-hash.js';
import { FILE_HASH_THREAD } from './file-hash-thread-url.js';
import { LazyWorker, type WorkerChannel } from '../engine/worker-thread.js';

let nextId = 1;
/** A request's answer: the hex digest of a range, or the digests of many (32 bytes each). */
type Answer = string | Buffer;
const pending = new Map<number, { req: HashRequest; resolve: (a: Answer) => void; reject: (e: Error) => void }>();

const worker = new LazyWorker<HashRequest, HashReply>(FILE_HASH_THREAD, {
  message: (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    worker.current?.release();
    if ('hex' in m) p.resolve(m.hex);
    else if ('digests' in m) p.resolve(Buffer.from(m.digests.buffer, m.digests.byteOffset, m.digests.length));
    else p.reject(new LayerlensError(m.error, m.code));
  },
  stop: () => {
    // What was in flight is hashed here; new requests get undefined (the caller hashes).
    for (const p of pending.values()) hashHere(p.req, p.resolve, p.reject);
    pending.clear();
  },
});

function hashHere(req: HashRequest, resolve: (a: Answer) => void, reject: (e: Error) => void): void {
  const failed = (e: Error & { code: 'IO' | 'TRUNCATED' }) => reject(new LayerlensError(e.message, e.code));
  if (!req.ranges) return void hashRange(req.file, req.start, req.length).then(resolve, failed);
  try {
    resolve(digestRangesSync(req.file, req.start, req.ranges, Buffer.allocUnsafe(1 << 20)));
  } catch (e) {
    failed(e as Error & { code: 'IO' | 'TRUNCATED' });
  }
}

function ask(c: WorkerChannel<HashRequest, HashReply>, req: HashRequest): Promise<Answer> {
  const done = new Promise<Answer>((resolve, reject) => pending.set(req.id, { req, resolve, reject }));
  c.hold();
  c.post(req);
  return done;
}

/** Start the worker now: its thread boots while the caller goes on (modules load, files open). */
export function prewarmHashWorker(): void {
  worker.get();
}

/**
 * Let the process exit even while a hash is pending (the command is over: after an error, the
 * layers still being hashed are not wanted).
 */
export function releaseHashWorker(): void {
  worker.release();
}

/**
 * `sha256:<hex>` of `length` bytes of `file` from `start` (length -1: to the end of the file),
 * read and hashed on the worker; undefined where no worker can run (hash on this thread then).
 * Rejects with a one-line LayerlensError when the file cannot be read (IO) or ends early
 * (TRUNCATED).
 */
export function hashFileRange(file: string, start: number, length: number): Promise<string> | undefined {
  const c = worker.get();
  if (!c) return undefined;
  return ask(c, { id: nextId++, file, start, length }).then((hex) => `sha256:${hex as string}`);
}

/**
 * The sha256 of each (start, length) range of `file`, starts counted from `base` (a layer's
 * files, for a comparison's content digests: engine/content-digest.ts): 32 bytes per range, in
 * order. Read and hashed on the worker, or here where no worker runs. Rejects with a one-line
 * LayerlensError when the file cannot be read (IO) or ends early (TRUNCATED).
 */
export function digestFileRanges(file: string, base: number, ranges: readonly number[]): Promise<Buffer> {
  const c = worker.get();
  const req: HashRequest = { id: nextId++, file, start: base, length: -1, ranges };
  if (c) return ask(c, req) as Promise<Buffer>;
  return new Promise((resolve, reject) => hashHere(req, resolve as (a: Answer) => void, reject));
}

/** Resolves true once the worker's module has loaded, false if it cannot run (tests, diagnostics). */
export const hashWorkerReady = (): Promise<boolean> => worker.ready();

/** For tests of the fallback: stop the thread as a crash would. */
export const stopHashWorkerForTest = (): Promise<unknown> => worker.stopForTest();
