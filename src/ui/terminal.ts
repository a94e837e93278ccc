/**
 * The terminal around the explorer: keys from /dev/tty when stdin carries the image, the
 * alternate screen, and putting everything back on quit, crash, Ctrl-C, SIGTERM or SIGHUP.
 */
import { closeSync, openSync } from 'node:fs';
import { Writable } from 'node:stream';
import tty from 'node:tty';

/** A sink that looks like a terminal of `like`'s size (Ink's output when we paint ourselves). */
export function nullOutput(like: NodeJS.WriteStream): NodeJS.WriteStream {
  const w = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream & { isTTY: boolean };
  Object.defineProperty(w, 'columns', { get: () => like.columns });
  Object.defineProperty(w, 'rows', { get: () => like.rows });
  w.isTTY = false;
  return w;
}

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export interface CanRun {
  ok: boolean;
  reason?: string;
}

/** Can the explorer run here? `stdinIsData`: stdin carries the image (`layerlens -`). */
export function canRunExplorer(opts: { stdinIsData: boolean }): { ok: true } | { ok: false; reason: string } {
  if (!process.stdout.isTTY)
    return {
      ok: false,
      reason: 'no terminal: the explorer needs one; use `layerlens scan IMAGE` for output you can pipe or save',
    };
  if (opts.stdinIsData || !process.stdin.isTTY) {
    try {
      closeSync(openSync('/dev/tty', 'r'));
    } catch {
      return {
        ok: false,
        reason:
          'no terminal to read keys from (stdin carries the image and /dev/tty cannot be opened): use `layerlens scan -`',
      };
    }
  }
  return { ok: true };
}

/** A key stream: stdin when it is a terminal, else the controlling terminal. */
export function openKeys(forceTty: boolean): { stream: NodeJS.ReadStream; close: () => void } {
  if (!forceTty && process.stdin.isTTY) return { stream: process.stdin, close: () => {} };
  const fd = openSync('/dev/tty', 'r');
  const stream = new tty.ReadStream(fd) as unknown as NodeJS.ReadStream;
  return {
    stream,
    close: () => {
      try {
        (stream as unknown as tty.ReadStream).setRawMode?.(false);
      } catch {
        /* already closed */
      }
      stream.destroy();
    },
  };
}

/**
 * Enter the alternate screen; returns `restore`, idempotent, also run on exit and on fatal
 * signals. The terminal title is never touched.
 */
export function enterScreen(out: NodeJS.WriteStream, onSignal: (signal: NodeJS.Signals) => void): () => void {
  out.write(ENTER);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    out.write(LEAVE);
    process.off('exit', restore);
    for (const s of SIGNALS) process.off(s, handlers[s]);
  };
  const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  const handlers = {} as Record<NodeJS.Signals, () => void>;
  for (const s of SIGNALS) {
    handlers[s] = () => {
      restore();
      onSignal(s);
    };
    process.on(s, handlers[s]);
  }
  process.on('exit', restore);
  return restore;
}
