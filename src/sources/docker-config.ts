/**
 * Docker's client configuration directory ($DOCKER_CONFIG or ~/.docker), shared by the daemon
 * source (contexts) and the registry source (credentials), and reading its files.
 *
 * They are read where the environment points, synchronously (the daemon's address is resolved
 * before anything else): one that is a FIFO would hang the command before any time-out starts,
 * one linked to a device would never end. So each must be a regular file of at most
 * CLIENT_FILE_MAX bytes (opened without blocking, its size counted as read: /proc files say 0).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { LayerlensError } from '../errors/index.js';

/** config.json, auth files, a context's meta.json, PEM files: 16 MiB is far past any real one. */
export const CLIENT_FILE_MAX = 16 << 20;

export function dockerConfigDir(env: NodeJS.ProcessEnv, home: string): string {
  return env.DOCKER_CONFIG || path.join(home, '.docker');
}

/**
 * A client file's bytes: `undefined` when it cannot be opened (missing, unreadable: each caller
 * decides what that means); BAD_CONFIG when it is not a regular file or is too large.
 */
export function readClientFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new LayerlensError(`${file}: not a regular file`, 'BAD_CONFIG');
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 << 10);
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      n += got;
      if (n > CLIENT_FILE_MAX)
        throw new LayerlensError(
          `${file}: larger than ${CLIENT_FILE_MAX >> 20} MiB: not a Docker client file`,
          'BAD_CONFIG',
        );
    }
    return Buffer.concat(chunks, n);
  } catch (err) {
    if (err instanceof LayerlensError) throw err;
    return undefined; // (EISDIR and the like: as unreadable)
  } finally {
    closeSync(fd);
  }
}

/**
 * A JSON file's content: `undefined` when it cannot be read (missing, unreadable), `'invalid'`
 * when it is not JSON — each caller decides whether that is an error or a warning.
 */
export function readJsonFile(file: string): unknown | 'invalid' | undefined {
  const data = readClientFile(file);
  if (data === undefined) return undefined;
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch {
    return 'invalid';
  }
}
