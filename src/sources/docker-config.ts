/**
 * Docker's client configuration directory ($DOCKER_CONFIG or ~/.docker), shared by the daemon
 * source (contexts) and the registry source (credentials), and reading its files.
 *
 * They are read where the environment points, synchronously (the daemon's address is resolved
 * before anything else): one that is a FIFO would hang the command before any time-out starts,
 * one linked to a device would never end. So each must be a regular file of at most
 * CLIENT_FILE_MAX bytes (opened without blocking, its size counted as read: /proc files say 0).
 */
import path from 'node:path';
import { LayerlensError } from '../errors/index.js';
import { NotARegularFile, readRegularFile } from '../text/regular-file.js';

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
  try {
    return readRegularFile(file, CLIENT_FILE_MAX);
  } catch (err) {
    if (!(err instanceof NotARegularFile)) return undefined; // (missing, unreadable, EISDIR: as unreadable)
    throw new LayerlensError(
      err.why === 'not-regular'
        ? `${file}: not a regular file`
        : `${file}: larger than ${CLIENT_FILE_MAX >> 20} MiB: not a Docker client file`,
      'BAD_CONFIG',
    );
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
