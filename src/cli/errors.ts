/** One-line failures: what the user sees instead of a stack trace. */
import { LayerlensError } from '../errors/index.js';
import { safeText } from '../text/safe-text.js';

export function errorMessage(err: unknown): string {
  if (err instanceof LayerlensError) return err.message;
  // (JavaScript's own limits, not a failure to say as it is: `Invalid string length`.)
  if (err instanceof RangeError) return crashMessage(err);
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

/**
 * Characters of an error line past which its middle is left out. A message may quote an input of
 * any length (a name, a reference, a path); its start says what failed and its end why. (A line
 * longer than a pipe holds was also cut at exit, its end lost.)
 */
const MAX_ERROR_LINE = 4096;

/** `layerlens: message` as printed: escaped (one line, no control characters) and bounded. */
export function errorLine(message: string): string {
  let text = safeText(message);
  if (text.length > MAX_ERROR_LINE) {
    // (By code point: a cut must not leave half a surrogate pair.)
    const chars = Array.from(text);
    const keep = MAX_ERROR_LINE / 2;
    if (chars.length > 2 * keep)
      text = `${chars.slice(0, keep).join('')} … (${chars.length - 2 * keep} characters left out) … ${chars.slice(-keep).join('')}`;
  }
  return `layerlens: ${text}\n`;
}

/**
 * Print `layerlens: message` (one line, control characters escaped) and exit 2. The line is
 * written by the last exit handler, after the others have run: the explorer's puts the terminal
 * back, and a line written on its alternate screen would vanish with it.
 */
export function die(message: string, err?: unknown): never {
  process.once('exit', () => {
    // Escaped: a message may quote a name from the image; and it stays one line.
    process.stderr.write(errorLine(message));
    if (process.env.LAYERLENS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  });
  process.exit(2);
}

/**
 * What an error nothing caught says (a bug, or input deeper than some walk could take): one plain
 * line, no JavaScript message; the details with LAYERLENS_DEBUG=1.
 */
export function crashMessage(err: unknown): string {
  if (err instanceof LayerlensError) return err.message;
  if (err instanceof RangeError && /call stack/i.test(err.message))
    return 'the image is nested too deeply to process (a path or a document deeper than layerlens can walk): please report it';
  if (err instanceof RangeError && /string length|array length|allocation failed/i.test(err.message))
    return 'a result too large to hold in memory as one piece (over ~512 MiB of text or its like): please report it (LAYERLENS_DEBUG=1 prints the details)';
  return 'internal error: this is a bug in layerlens, please report it (LAYERLENS_DEBUG=1 prints the details)';
}
