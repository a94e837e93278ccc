/**
 * Text that came from an image (file names, link targets, history, labels, file content) on its
 * way to a terminal or a report. Control characters, escape sequences, bidi overrides and other
 * invisible format characters are shown escaped (`\e`, `\x07`, `\u202e`), so a hostile image
 * cannot set the terminal title, move the cursor, clear the screen or make text read differently
 * than it is. Shared by the explorer, the reports and the CLI's one-line errors.
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

/** `s` in double quotes, escaped as safeText() escapes it (and its quotes and backslashes), for messages that quote input. */
export function quoted(s: string): string {
  return `"${safeText(s.replace(/[\\"]/g, '\\$&'))}"`;
}
