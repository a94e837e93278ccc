/**
 * Standard output and error as a command-line tool uses them.
 *
 * A reader that stops early (`layerlens inspect --json | head -c 100`) closes the pipe: the next
 * write fails with EPIPE. Every command then ends quietly with status 141, what a shell reports
 * for a program killed by SIGPIPE (Node ignores that signal, so it is said with the status): no
 * stack trace, and not 1, which a CI script would read as "findings found".
 *
 * Long outputs are written in pieces as they are produced, waiting while the reader is behind,
 * so memory does not grow with the length of the output.
 */
import { batches } from '../text/pieces.js';

/** The status a writer killed by SIGPIPE ends with (128 + 13). */
export const CLOSED_OUTPUT_STATUS = 141;

/** True for the errors a closed stdout/stderr gives. */
export function isClosedOutput(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

let onClose: () => void = () => {};

/** End quietly when stdout or stderr is closed; `cleanup` runs first (e.g. stop worker threads). */
export function exitQuietlyOnClosedOutput(cleanup: () => void): void {
  onClose = () => {
    cleanup();
    process.exit(CLOSED_OUTPUT_STATUS);
  };
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (isClosedOutput(err)) return onClose();
      // Anything else (a full disk under a redirect): one line, if stderr still takes it.
      try {
        process.stderr.write(`layerlens: cannot write the output: ${(err as Error).message.split('\n')[0]}\n`);
      } finally {
        process.exit(2);
      }
    });
  }
}

/** What a command does when its output was closed under it (called where a write is awaited). */
export function outputClosed(): never {
  onClose();
  process.exit(CLOSED_OUTPUT_STATUS);
}

/** Write `pieces` to `out` as they come, in batches of ~64 KiB, waiting whenever `out` is full. */
export async function writePieces(
  pieces: Iterable<string>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  for (const batch of batches(pieces)) await writeOne(out, batch);
}

/** Write `text` to stdout and wait until it is taken; a closed stdout ends the command (status 141). */
export function writeStdout(text: string): Promise<void> {
  return writeOne(process.stdout, text);
}

function writeOne(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err?: Error | null) => {
      if (settled) return;
      settled = true;
      out.off?.('drain', onDrain);
      if (err) {
        if (isClosedOutput(err)) outputClosed();
        reject(err);
      } else resolve();
    };
    const onDrain = () => done();
    // The callback says the write is done (or failed); 'drain' that the buffer has room again.
    // Taken at once: go on after the stream's own next-tick work for this write (its callback and
    // the chunk it holds), not before. Resolving here made the writer's loop run on microtasks only,
    // and a file or /dev/null as stdout (written synchronously) then kept every chunk written until
    // the end: `inspect --json > file` of a million-file image peaked 300 MB higher.
    if (out.write(text, (err) => (err ? done(err) : undefined))) process.nextTick(done);
    else out.once('drain', onDrain);
  });
}
