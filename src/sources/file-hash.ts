/**
 * Hashing a range of a file, and the messages of the layer-hashing worker (file-hash-worker.ts
 * starts it, file-hash-thread.ts runs it): one protocol for both directions, and the one wording
 * of a file that cannot be read, used by the thread and by the main-thread fallback alike.
 */
import { createHash } from 'node:crypto';
import { createReadStream, closeSync, openSync, readSync } from 'node:fs';

/** To the thread: hash `length` bytes of `file` from `start` (-1: to the end of the file). */
export interface HashRequest {
  id: number;
  file: string;
  start: number;
  length: number;
}

/** From the thread: the hex digest, or a one-line error naming the file. */
export type HashReply = { id: number; hex: string } | { id: number; error: string; code: HashErrorCode };

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

/** Hex sha256 of the range, read synchronously into `buf` (the worker's one reused buffer). */
export function hashRangeSync(file: string, start: number, length: number, buf: Buffer): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
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
    return hash.digest('hex');
  } catch (err) {
    throw describeReadError(file, err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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
