/** One-line failures: what the user sees instead of a stack trace. */
import { LayerlensError } from '../engine/types.js';

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
  const oneLine = message.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  process.stderr.write(`layerlens: ${oneLine}\n`);
  if (process.env.LAYERLENS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(2);
}
