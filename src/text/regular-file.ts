/**
 * Reading a small file a user or an environment names (settings, Docker's client files) as input:
 * opened without blocking (a FIFO would otherwise wait for a writer), only a regular file (a
 * device would never end), at most `max` bytes counted as read (/proc files say their size is 0).
 * The callers say what each outcome means to them: an error, a warning, or "not there".
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The file is there but is not one to read: not a regular file, or past the bound. */
export class NotARegularFile extends Error {
  constructor(readonly why: 'not-regular' | 'too-large') {
    super(why === 'not-regular' ? 'not a regular file' : 'too large');
  }
}

/**
 * The bytes of `file`. Throws NotARegularFile for the shapes above; the error of opening or
 * reading (ENOENT, EACCES, EISDIR, …) as it comes.
 */
export function readRegularFile(file: string, max: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotARegularFile('not-regular');
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 << 10);
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      n += got;
      if (n > max) throw new NotARegularFile('too-large');
    }
    return Buffer.concat(chunks, n);
  } finally {
    closeSync(fd);
  }
}
