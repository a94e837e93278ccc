/**
 * The terminal around the explorer: keys from /dev/tty when stdin carries the image, raw mode,
 * the alternate screen and mouse reporting, and putting everything back on quit, crash, SIGTERM
 * or SIGHUP.
 */
import { closeSync, openSync } from 'node:fs';
import tty from 'node:tty';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[?25h\x1b[?1049l';
// Mouse: button presses and releases (1000), reported as SGR coordinates (1006), which have no
// 223-column limit. Off again on leave, whatever happens.
const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';

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

/** Raw mode on a key stream (each key as it is typed, no echo, Ctrl+C as a key); returns undo. */
export function rawKeys(stream: NodeJS.ReadStream): () => void {
  const tty = stream as NodeJS.ReadStream & { setRawMode?: (on: boolean) => void; isTTY?: boolean };
  if (tty.isTTY) tty.setRawMode?.(true);
  stream.setEncoding('utf8');
  stream.resume();
  return () => {
    try {
      if (tty.isTTY) tty.setRawMode?.(false);
    } catch {
      /* the terminal is gone */
    }
    stream.pause();
  };
}

/**
 * Enter the alternate screen (with mouse reporting unless `mouse` is false); returns `restore`,
 * idempotent, also run on exit and on fatal signals. The terminal title is never touched.
 */
export function enterScreen(
  out: NodeJS.WriteStream,
  onSignal: (signal: NodeJS.Signals) => void,
  mouse = true,
): () => void {
  out.write(ENTER + (mouse ? MOUSE_ON : ''));
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    out.write((mouse ? MOUSE_OFF : '') + LEAVE);
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
