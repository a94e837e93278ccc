/**
 * A small virtual terminal for tests of what the explorer writes: it applies the sequences the
 * painter and the terminal module use (cursor position, SGR, erase line/screen, alternate screen,
 * synchronized output, mouse and cursor modes) to a grid of cells, and fails on anything else, so
 * a test sees the screen a terminal would show, not the bytes.
 */
import { Writable } from 'node:stream';
import { textWidth } from '../../src/text/width.js';

export class VirtualTerminal extends Writable {
  columns: number;
  rows: number;
  readonly isTTY = true;
  private grid: string[][];
  private row = 0;
  private col = 0;
  /** Private modes set (1049 alternate screen, 1000/1006 mouse, 25 cursor). */
  readonly modes = new Set<number>();
  /** Every byte written (tests look for what must never be there). */
  raw = '';
  /** Escape sequences the terminal did not understand. */
  readonly unknown: string[] = [];

  constructor(columns = 100, rows = 30) {
    super({ decodeStrings: false });
    this.columns = columns;
    this.rows = rows;
    this.grid = this.blank();
  }

  private blank(): string[][] {
    return Array.from({ length: this.rows }, () => Array.from({ length: this.columns }, () => ' '));
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.raw += s;
    this.apply(s);
    cb();
  }

  /** Change the size and emit 'resize' as a TTY does. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.grid = this.blank();
    this.emit('resize');
  }

  /** The screen as text lines (trailing spaces kept: the frame is exactly the width). */
  screen(): string[] {
    return this.grid.map((r) => r.join(''));
  }

  text(): string {
    return this.screen().join('\n');
  }

  private apply(s: string): void {
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === '\x1b') {
        const m = /^\x1b\[([?]?)([0-9;]*)([A-Za-z])/.exec(s.slice(i));
        if (!m) {
          this.unknown.push(JSON.stringify(s.slice(i, i + 8)));
          i++;
          continue;
        }
        this.csi(m[1], m[2], m[3]);
        i += m[0].length;
        continue;
      }
      if (c === '\r') this.col = 0;
      else if (c === '\n') this.row = Math.min(this.rows - 1, this.row + 1);
      else {
        const cp = s.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        const w = textWidth(ch);
        if (this.row < this.rows && this.col < this.columns) this.grid[this.row][this.col] = ch;
        // A wide character takes two cells: the second stays empty in the text.
        if (w === 2 && this.col + 1 < this.columns) this.grid[this.row][this.col + 1] = '';
        this.col += w;
        i += ch.length;
        continue;
      }
      i++;
    }
  }

  private csi(priv: string, params: string, final: string): void {
    const ps = params.split(';').map((p) => (p === '' ? undefined : Number(p)));
    if (priv === '?' && (final === 'h' || final === 'l')) {
      for (const p of ps) if (p !== undefined) final === 'h' ? this.modes.add(p) : this.modes.delete(p);
      return;
    }
    switch (final) {
      case 'H':
        this.row = Math.max(0, (ps[0] ?? 1) - 1);
        this.col = Math.max(0, (ps[1] ?? 1) - 1);
        return;
      case 'm':
        return; // colours: not kept
      case 'K':
        if ((ps[0] ?? 0) === 2) this.grid[this.row] = Array.from({ length: this.columns }, () => ' ');
        else for (let c = this.col; c < this.columns; c++) this.grid[this.row][c] = ' ';
        return;
      case 'J':
        if ((ps[0] ?? 0) === 2) this.grid = this.blank();
        return;
      default:
        this.unknown.push(`CSI ${priv}${params}${final}`);
    }
  }
}

/** Wait until the terminal shows `re` (the machine may be busy: no fixed sleep); the screen's text. */
export async function untilShown(term: VirtualTerminal, re: RegExp, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (re.test(term.text())) return term.text();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${re}:\n${term.text()}`);
}
