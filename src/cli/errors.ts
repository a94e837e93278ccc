/** One-line failures: what the user sees instead of a stack trace. */
import { LayerlensError } from '../errors/index.js';
import { safeText } from '../text/safe-text.js';

export function errorMessage(err: unknown): string {
  if (err instanceof LayerlensError) return err.message;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const path = (err as NodeJS.ErrnoException).path;
    if (code === 'ENOENT' && path) return `${path}: no such file or directory`;
    if (code === 'EACCES' && path) return `${path}: permission denied`;
    if (code === 'EISDIR' && path) return `${path}: is a directory`;
    if (code === 'EPIPE') return 'output closed early';
    return err.message.split('\n')[0];
  }
  return String(err);
}

/** Print `layerlens: message` (one line, control characters escaped) and exit 2. */
export function die(message: string, err?: unknown): never {
  // Escaped: a message may quote a name from the image; and it stays one line.
  process.stderr.write(`layerlens: ${safeText(message)}\n`);
  if (process.env.LAYERLENS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(2);
}
