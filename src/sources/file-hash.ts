/**
 * Hashing a range of a file, and the messages of the layer-hashing worker (file-hash-worker.ts
 * starts it, file-hash-thread.ts runs it): one protocol for both directions, and the one wording
 * of a file that cannot be read, used by the thread and by the main-thread fallback alike.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, closeSync, openSync, readSync } from 'node:fs';
import { sha256Once } from '../engine/content-digest.js';

/**
 * To the thread: hash `length` bytes of `file` from `start` (-1: to the end of the file); or, with
 * `ranges` (start, length pairs relative to `start`), hash each of those ranges.
 */
export interface HashRequest {
  id: number;
  file: string;
  start: number;
  length: number;
  ranges?: readonly number[];
}

/** From the thread: the hex digest (the ranges' digests, 32 bytes each), or a one-line error naming the file. */
export type HashReply =
  | { id: number; hex: string }
  | { id: number; digests: Uint8Array }
  | { id: number; error: string; code: HashErrorCode };

export type HashErrorCode = 'IO' | 'TRUNCATED';

/** A read failure as one line naming the file once: "FILE: permission denied". */
export class FileReadError extends Error {
  constructor(
    message: string,
    readonly code: HashErrorCode,
  ) {
    super(message);
  }
}

/** "FILE: permission denied", not node's "EACCES: …, open 'FILE'". */
export function describeReadError(file: string, err: unknown): FileReadError {
  if (err instanceof FileReadError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOENT'
        ? 'no such file or directory'
        : code
          ? `cannot be read (${code})`
          : String((err as Error)?.message ?? err);
  return new FileReadError(`${file}: ${why}`, 'IO');
}

function truncated(file: string, missing: number): FileReadError {
  return new FileReadError(`${file}: the file ended ${missing} bytes early`, 'TRUNCATED');
}

/**
 * `length` bytes of the open file `fd` from `start` (-1: to its end) into `hash`, read through
 * `buf`; throws TRUNCATED when the file ends first.
 */
function hashFromFd(fd: number, file: string, start: number, length: number, buf: Buffer): Hash {
  const hash = createHash('sha256');
  const end = length < 0 ? Number.POSITIVE_INFINITY : start + length;
  for (let pos = start; pos < end; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n === 0) {
      if (length < 0) break;
      throw truncated(file, end - pos);
    }
    hash.update(n === buf.length ? buf : buf.subarray(0, n));
    pos += n;
  }
  return hash;
}

/** `file` opened for `use`; errors as one line naming the file; closed after. */
function withFile<T>(file: string, use: (fd: number) => T): T {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return use(fd);
  } catch (err) {
    throw describeReadError(file, err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Hex sha256 of the range, read synchronously into `buf` (the worker's one reused buffer). */
export function hashRangeSync(file: string, start: number, length: number, buf: Buffer): string {
  return withFile(file, (fd) => hashFromFd(fd, file, start, length, buf).digest('hex'));
}

/** The same digest computed on this thread without blocking it (the fallback when no worker runs). */
export function hashRange(file: string, start: number, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let n = 0;
    const stream = createReadStream(file, length < 0 ? { start } : { start, end: start + length - 1 });
    stream.on('data', (c) => {
      n += c.length;
      hash.update(c);
    });
    stream.on('error', (err) => reject(describeReadError(file, err)));
    stream.on('end', () =>
      length >= 0 && n < length ? reject(truncated(file, length - n)) : resolve(hash.digest('hex')),
    );
  });
}

/**
 * The sha256 of each (start, length) range of `file` (starts relative to `base`), 32 bytes per
 * range in order, read synchronously through `buf`. Ranges are read in file order, as many as fit
 * in one read of `buf` (the small files of a layer lie a few hundred bytes apart): a few reads a
 * megabyte, not one per file.
 */
export function digestRangesSync(file: string, base: number, ranges: readonly number[], buf: Buffer): Buffer {
  const n = ranges.length >> 1;
  const out = Buffer.alloc(n * 32);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ranges[2 * a] - ranges[2 * b]);
  return withFile(file, (fd) => {
    // The file bytes held in `buf`: [held, held + heldLength).
    let held = -1;
    let heldLength = 0;
    for (const i of order) {
      const start = base + ranges[2 * i];
      const length = ranges[2 * i + 1];
      if (length > buf.length) {
        hashFromFd(fd, file, start, length, buf)
          .digest()
          .copy(out, i * 32);
        held = -1;
        continue;
      }
      if (held < 0 || start < held || start + length > held + heldLength) {
        held = start;
        heldLength = 0;
        while (heldLength < buf.length) {
          const r = readSync(fd, buf, heldLength, buf.length - heldLength, start + heldLength);
          if (r === 0) break;
          heldLength += r;
        }
        if (heldLength < length) throw truncated(file, length - heldLength);
      }
      sha256Once(buf.subarray(start - held, start - held + length), 'buffer').copy(out, i * 32);
    }
    return out;
  });
}
