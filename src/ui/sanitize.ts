/**
 * Text that came from an image (file names, link targets, history, labels, file content) on its
 * way to a terminal. Control characters, escape sequences, bidi overrides and other invisible
 * format characters are shown escaped (`\e`, `\x07`, `\u202e`), so a hostile image cannot set the
 * terminal title, move the cursor, clear the screen or make text read differently than it is.
 * Ink passes OSC sequences through untouched, so this must happen before text reaches <Text>.
 *
 * Also: display width of (already safe) text, and cutting/padding to an exact width, so columns
 * line up and nothing wraps.
 */

// C0, DEL, C1; Unicode format characters (bidi embeddings/overrides/isolates, LRM/RLM, zero
// width joiners and spaces, word joiner, BOM, soft hyphen…), line/paragraph separators, lone
// surrogates. \p{Cf} covers U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+2069, U+FEFF, U+00AD.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\p{Cs}]/gu;
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\p{Cs}]/u;

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  switch (c) {
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
    case '\x1b':
      return '\\e';
  }
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every unsafe character replaced by a visible escape. */
export function safeText(s: string): string {
  if (!UNSAFE_TEST.test(s)) return s;
  return s.replace(UNSAFE, escapeChar);
}

/** True when `s` holds something safeText() would escape (worth a warning marker). */
export function hasUnsafe(s: string): boolean {
  return UNSAFE_TEST.test(s);
}

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
