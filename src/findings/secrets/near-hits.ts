/**
 * A rule's matches on a long line, looked for only where they can start: near the line's hits of
 * the rule's keywords (SecretRule.reach).
 *
 * Why: a line rule runs over the whole of each line that holds one of its keywords, and a
 * package's JavaScript is often one line of hundreds of kilobytes (a minified bundle) that holds
 * "token", "secret" or "twitter" somewhere. Each keyed rule then read the whole line, one after
 * the other: a tree of npm packages spent more time in those regexes than in everything else.
 *
 * The matches are the same, in the same order, as `pattern.exec` over the whole line finds them:
 * every match starts at most `reach` characters before a hit of one of the rule's keywords that
 * it holds (test/support/keyword-hits.ts checks it on random lines), so the leftmost match from
 * any position starts at one of the positions tried here, and each position is tried with the
 * pattern made sticky (the same regex, anchored there: its lookbehind still sees the line).
 */
import type { SecretRule } from './rules/types.js';

/** Lines at least this long are matched near their hits; shorter ones are read whole (as fast). */
export const NEAR_HITS_MIN_LINE = 512;

const sticky = new WeakMap<SecretRule, RegExp>();

/** The rule's pattern anchored at `lastIndex` (made once per rule). */
function stickyPattern(rule: SecretRule): RegExp {
  let re = sticky.get(rule);
  if (!re) {
    re = new RegExp(rule.pattern.source, rule.pattern.flags.replace('g', '') + 'y');
    sticky.set(rule, re);
  }
  return re;
}

/**
 * The matches of `rule` (which has a `reach`) in `subject`, given the offsets in `subject` of the
 * hits of its keywords, ascending: a function that returns the next match, or null after the last.
 */
export function matchesNearHits(
  rule: SecretRule,
  subject: string,
  hits: readonly number[],
): () => RegExpExecArray | null {
  const re = stickyPattern(rule);
  const reach = rule.reach!;
  let h = 0;
  /** Where a scan of the whole subject would look on from: the end of the last match. */
  let from = 0;
  /** The next start to try, and the last one of the current hit's range. */
  let at = 0;
  let last = -1;
  return () => {
    for (;;) {
      if (at < from) at = from;
      if (at > last) {
        if (h === hits.length) return null;
        const p = hits[h++];
        // (Ranges of near hits overlap: a start is tried once.)
        at = Math.max(at, p - reach, 0);
        last = Math.min(p, subject.length - 1);
        continue;
      }
      re.lastIndex = at;
      const m = re.exec(subject);
      at++;
      if (m) {
        from = m.index + Math.max(m[0].length, 1);
        return m;
      }
    }
  };
}
