/**
 * Masking: how a secret value is shown everywhere (findings' evidence, every report, the
 * explorer's panels, viewer and hex view). By default a value shows its first 4 characters when
 * it is 12 or longer, 2 when 6 or longer, none below, and its length: `ghp_…(40 chars)`. With
 * `reveal` (scan --reveal, the explorer's r key) the value itself. Either way every character
 * that could drive a terminal is escaped the way all image text is (src/text/safe-text.ts).
 */
import { safeText } from '../../text/safe-text.js';

/** How many characters of a value of `length` characters stay visible when masked. */
export function visiblePrefix(length: number): number {
  return length >= 12 ? 4 : length >= 6 ? 2 : 0;
}

/** `ghp_…(40 chars)`; with `reveal`, the value itself (control characters still escaped). */
export function maskSecret(value: string, reveal = false): string {
  if (reveal) return safeText(value);
  const chars = [...value];
  return `${safeText(chars.slice(0, visiblePrefix(chars.length)).join(''))}…(${chars.length} chars)`;
}

/**
 * Evidence for a match: the text around the secret with the secret itself masked, cut to a
 * readable length. `before` is what precedes the value on its line (a key name, `Authorization:`).
 */
export function evidence(before: string, value: string, reveal = false, after = ''): string {
  const pre = before.length > 60 ? '…' + before.slice(-59) : before;
  const post = after.length > 20 ? after.slice(0, 19) + '…' : after;
  return safeText(pre.trimStart()) + maskSecret(value, reveal) + safeText(post);
}

/** A secret's place in a text: [start, end) offsets. */
export type Span = [number, number];

/** Sorted, with overlapping or touching spans merged. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Span[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * `text` with each span masked. A span that runs over several lines (a key block) keeps the
 * line breaks, so line numbers stay true: its first line shows the mask of the whole value and
 * its other lines `…`. Returns the masked text and how many values were masked. The text is not
 * made safe here (callers escape what they show, line by line).
 */
export function maskSpans(text: string, spans: readonly Span[]): { text: string; masked: number } {
  const merged = mergeSpans(spans);
  if (!merged.length) return { text, masked: 0 };
  let out = '';
  let at = 0;
  for (const [a, b] of merged) {
    out += text.slice(at, a);
    const value = text.slice(a, b);
    const lines = value.split('\n');
    if (lines.length === 1) out += maskSecret(value);
    else {
      const whole = value.replace(/\s+/g, '');
      out += [maskSecret(whole), ...lines.slice(1).map((l) => (l.trim() ? '…' : l))].join('\n');
    }
    at = b;
  }
  return { text: out + text.slice(at), masked: merged.length };
}
