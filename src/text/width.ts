/**
 * Display width of text already made safe (safe-text.ts), and cutting/padding it to an exact
 * number of terminal cells, so columns line up and nothing wraps: the explorer's frames and the
 * scan table use these. Also tab expansion for file content.
 */

import { safeText } from './safe-text.js';

/** One line of file content: tabs expanded, everything else made safe. */
export function safeLine(s: string, tabWidth = 4): string {
  if (s.includes('\t')) {
    let out = '';
    let col = 0;
    for (const ch of s) {
      if (ch === '\t') {
        const n = tabWidth - (col % tabWidth);
        out += ' '.repeat(n);
        col += n;
      } else {
        out += ch;
        col++;
      }
    }
    s = out;
  }
  return safeText(s);
}

const COMBINING = /[\p{Mn}\p{Me}]/u;

/** Terminal cells taken by one code point of SAFE text. */
export function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  if (COMBINING.test(String.fromCodePoint(cp)) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  return 1;
}

/** Terminal cells taken by SAFE text. */
export function textWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

/** Cut SAFE text to at most `width` cells, ending with `…` when cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (s.length <= width && isNarrow(s)) return s;
  if (textWidth(s) <= width) return s;
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** Cut SAFE text keeping its END (paths: the file name matters most). */
export function truncateLeft(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  const chars = Array.from(s);
  let w = 0;
  let start = chars.length;
  while (start > 0) {
    const cw = charWidth(chars[start - 1].codePointAt(0)!);
    if (w + cw > width - 1) break;
    w += cw;
    start--;
  }
  return '…' + chars.slice(start).join('');
}

/** SAFE text cut or right-padded to exactly `width` cells. */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  const t = truncate(s, width);
  const w = t.length === s.length && isNarrow(t) ? t.length : textWidth(t);
  return w < width ? t + ' '.repeat(width - w) : t;
}

/** SAFE text cut or left-padded to exactly `width` cells. */
export function fitRight(s: string, width: number): string {
  if (width <= 0) return '';
  const t = truncate(s, width);
  const w = textWidth(t);
  return w < width ? ' '.repeat(width - w) + t : t;
}

function isNarrow(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x300) return false;
  return true;
}

/**
 * Wrap SAFE text to lines of at most `width` cells, breaking at spaces where it can (a word
 * longer than a line is cut); `\n` starts a new line.
 */
export function wrapWidth(s: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    let lineW = 0;
    for (const word of para.split(/(?<= )/)) {
      const w = textWidth(word);
      if (lineW + w <= width) {
        line += word;
        lineW += w;
        continue;
      }
      if (line) out.push(line.trimEnd());
      line = '';
      lineW = 0;
      let rest = word;
      while (textWidth(rest) > width) {
        let cut = '';
        let cw = 0;
        for (const ch of rest) {
          const c = charWidth(ch.codePointAt(0)!);
          if (cw + c > width) break;
          cut += ch;
          cw += c;
        }
        if (!cut) break;
        out.push(cut);
        rest = rest.slice(cut.length);
      }
      line = rest;
      lineW = textWidth(rest);
    }
    out.push(line.trimEnd());
  }
  return out;
}
