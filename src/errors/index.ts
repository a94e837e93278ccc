/**
 * The one error type users see: a LayerlensError is printed as one plain line (never with a stack
 * trace) and ends the command with exit status 2. Anything else that reaches the top is a bug.
 *
 * This module sits at the bottom of the layering (beside text and reference), so that every layer
 * can raise and recognise user-facing errors without importing the engine.
 */

/** Every code a LayerlensError carries. Callers branch on these, never on message text. */
export type ErrorCode =
  | 'ERROR'
  // command line
  | 'USAGE'
  | 'BAD_ARGUMENT'
  | 'BAD_REFERENCE'
  | 'BAD_PLATFORM'
  | 'NO_TTY'
  | 'NO_PLATFORM'
  // the image's own documents and bytes
  | 'BAD_SCHEMA'
  | 'BAD_CONFIG'
  | 'BAD_MANIFEST'
  | 'SCHEMA1'
  | 'NOT_IMAGE'
  | 'NOT_TAR'
  | 'CORRUPT'
  | 'TRUNCATED'
  | 'DIGEST_MISMATCH'
  | 'MISSING_BLOB'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNSUPPORTED'
  | 'TOO_LARGE'
  | 'PLATFORM'
  | 'AMBIGUOUS'
  | 'ONE_PASS'
  | 'REOPEN'
  /** A layout member that resolves outside the layout (a symlink to /etc/shadow). */
  | 'UNSAFE_PATH'
  // finding the image
  | 'NOT_FOUND'
  | 'IMAGE_NOT_FOUND'
  | 'NOT_REGISTRY'
  | 'PULL_FAILED'
  | 'PROVENANCE'
  // network, registry and daemon
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP'
  | 'TLS'
  | 'AUTH'
  | 'RATE_LIMITED'
  | 'DENIED'
  | 'DAEMON_UNREACHABLE'
  | 'DAEMON_ERROR'
  | 'DAEMON_TLS'
  | 'DAEMON_TIMEOUT'
  | 'DAEMON_PERMISSION'
  // local files
  | 'IO'
  | 'WRITE'
  | 'EXISTS'
  | 'PERMISSION'
  | 'ENOENT'
  | 'EEXIST'
  | 'EPERM'
  | 'UNAVAILABLE';

/** A user-facing failure: printed as one line, never with a stack trace. */
export class LayerlensError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'ERROR',
  ) {
    super(message);
    this.name = 'LayerlensError';
  }
}

/** Plain words for a failed write or create, by its errno code (never Node's raw message). */
const WRITE_FAILURES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a folder',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in the path',
  EEXIST: 'it already exists',
  EBUSY: 'the file is busy',
  EMFILE: 'too many open files',
};

/**
 * A failed write of `target` as one plain line: "cannot write /x/out.json: the folder /x does
 * not exist". `folder` is the directory the file was to be written in (for ENOENT).
 */
export function writeFailure(err: unknown, target: string, folder: string): LayerlensError {
  if (err instanceof LayerlensError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const why =
    code === 'ENOENT' ? `the folder ${folder} does not exist` : (WRITE_FAILURES[code] ?? `error ${code || 'unknown'}`);
  return new LayerlensError(`cannot write ${target}: ${why}`, code === 'EEXIST' ? 'EXISTS' : 'WRITE');
}
