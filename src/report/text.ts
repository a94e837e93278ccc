/** Making image-derived text safe for terminals and Markdown. */
import { safeText as escapeText } from '../text/safe-text.js';

export { escapeText };

/** Markdown prose: control characters escaped, markup characters neutralised, HTML disabled. */
export function mdText(s: string): string {
  return escapeText(s)
    .replace(/[\\`*_[\]|#~]/g, '\\$&')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Markdown prose in which `backquoted` spans stay code (messages and remediations write commands
 * that way: `RUN --mount=type=secret`). Each span goes through mdCode (a fence longer than any
 * backtick run inside, pipes escaped); everything else through mdText. An odd backtick is text.
 */
export function mdProse(s: string): string {
  let out = '';
  let at = 0;
  const re = /`([^`\n]+)`/g;
  for (let m; (m = re.exec(s)); ) {
    out += mdText(s.slice(at, m.index)) + mdCode(m[1]);
    at = m.index + m[0].length;
  }
  return out + mdText(s.slice(at));
}

/** Markdown inline code; chooses a fence longer than any backtick run inside. */
export function mdCode(s: string): string {
  const t = escapeText(s).replace(/\|/g, '\\|');
  const runs = t.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** `sha256:0123456789ab`; what is not a sha256 digest (a daemon's answer) whole, escaped. */
export function shortDigest(d: string | null | undefined): string {
  if (!d) return '';
  const m = d.match(/^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/);
  return m ? `${m[1] ?? ''}${m[2]}` : escapeText(d);
}

/** Findings left out by --severity. */
export interface HiddenFindings {
  count: number;
  /** Which ones: "below high", "other than critical, low". */
  leftOut: string;
}

/** "(41 findings below high not shown: --severity info shows them)" (callers skip a count of 0). */
export function hiddenNote(h: HiddenFindings): string {
  return `(${h.count} finding${h.count === 1 ? '' : 's'} ${h.leftOut} not shown: --severity info shows them)`;
}

/**
 * The line for an empty list: "No findings." when nothing was left out, else what was left out
 * with it ("No findings at high or above; 37 below high not shown: --severity info shows them."),
 * never "No findings." followed by a count of findings.
 */
export function emptyNote(h: HiddenFindings | undefined): string {
  if (!h?.count) return 'No findings.';
  const shown = h.leftOut.startsWith('below ')
    ? `at ${h.leftOut.slice(6)} or above`
    : h.leftOut.startsWith('other than ')
      ? `of severity ${h.leftOut.slice(11).replace(/, ([^,]*)$/, ' or $1')}`
      : 'shown';
  return `No findings ${shown}; ${h.count} ${h.leftOut} not shown: --severity info shows them.`;
}
