/**
 * Secret values never leave layerlens in full by default: the first 4 characters and the length.
 * The kept characters are escaped so a value cannot carry terminal escape sequences out.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `ghp_…(40 chars)`; with `reveal`, the value itself (still with control characters escaped). */
export function maskSecret(value: string, reveal = false): string {
  if (reveal) return escapeControls(value);
  const chars = [...value];
  // Short values would be mostly shown by 4 characters: show fewer.
  const keep = chars.length >= 12 ? 4 : chars.length >= 6 ? 2 : 0;
  return `${escapeControls(chars.slice(0, keep).join(''))}…(${chars.length} chars)`;
}

/**
 * Evidence for a match: the text around the secret with the secret itself masked, cut to a
 * readable length. `before` is what precedes the value on its line (a key name, `Authorization:`).
 */
export function evidence(before: string, value: string, reveal = false, after = ''): string {
  const pre = before.length > 60 ? '…' + before.slice(-59) : before;
  const post = after.length > 20 ? after.slice(0, 19) + '…' : after;
  return escapeControls(pre.trimStart()) + maskSecret(value, reveal) + escapeControls(post);
}
