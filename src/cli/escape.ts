/**
 * Text from an image (file names, history, labels) printed to a terminal: control characters,
 * escape sequences, bidi overrides and other invisible format characters are shown escaped, so
 * an image cannot retitle the terminal, move the cursor or hide text.
 */
// C0, DEL, C1, zero-width and bidi controls, line/paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function escapeText(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    if (code === 0x1b) return '\\e';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
