/**
 * JSON text whose bytes are as safe on a terminal as the text reports (safe-text.ts), and that
 * parses to the very same value. JSON.stringify escapes C0 controls and lone surrogates but leaves
 * DEL, C1 controls (U+009B is a CSI to some terminals), bidi overrides, zero-width and other
 * format characters and U+2028/U+2029 raw: a name, label or history line holding them reordered
 * or hid text when `scan --format json` or `inspect --json` was read in a terminal or a CI log.
 * Written as `\uXXXX` escapes they are the same characters to every JSON parser.
 */

// Outside strings JSON text is ASCII, so these can only stand inside strings, where \u escapes are valid.
const RAW = /[\u007f-\u009f\u2028\u2029\p{Cf}]/gu;
const RAW_TEST = /[\u007f-\u009f\u2028\u2029\p{Cf}]/u;

function escapeUnits(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** JSON text (JSON.stringify's output, or whole pieces of it) with those characters escaped. */
export function safeJsonText(json: string): string {
  // (ASCII below DEL needs nothing: most text is, and a loop over it is cheaper than the regex.)
  let i = 0;
  while (i < json.length && json.charCodeAt(i) < 0x7f) i++;
  if (i === json.length) return json;
  return RAW_TEST.test(json) ? json.replace(RAW, escapeUnits) : json;
}

/** JSON.stringify(value, null, indent), safe to print. */
export function safeJson(value: unknown, indent = 2): string {
  return safeJsonText(JSON.stringify(value, null, indent));
}
