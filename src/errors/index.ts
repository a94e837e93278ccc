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
