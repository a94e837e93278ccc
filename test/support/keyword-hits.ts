/** Checks shared by the prefilter's tests: every match of a rule's pattern holds a hit of its keywords. */
import assert from 'node:assert/strict';
import type { KeywordScan } from '../../src/findings/secrets/keyword-types.js';
import type { SecretRule } from '../../src/findings/secrets/rules/types.js';

/**
 * Runs `rule`'s pattern over `line` and asserts that every match holds one of `hits` of the
 * rule's keywords (`kws`: their indexes), so that the line reaches the rule. Returns the matches.
 */
export function assertMatchesHoldHits(rule: SecretRule, kws: number[], line: string, hits: KeywordScan): number {
  let matches = 0;
  rule.pattern.lastIndex = 0;
  for (let m; (m = rule.pattern.exec(line)); ) {
    if (m[0].length === 0) rule.pattern.lastIndex++;
    matches++;
    const at = m.index;
    const end = at + m[0].length;
    const held = (p: number, h: number) => p >= at && p < end && kws.includes(hits.keywords[h]);
    const ok = hits.positions.some(held);
    assert.ok(ok, `${rule.id}: match ${JSON.stringify(m[0])} holds no keyword hit in ${JSON.stringify(line)}`);
    // And one within the rule's reach of the match's start (SecretRule.reach: near-hits.ts).
    if (rule.reach !== undefined)
      assert.ok(
        hits.positions.some((p, h) => held(p, h) && p - at <= rule.reach!),
        `${rule.id}: match ${JSON.stringify(m[0])} holds no keyword hit within ${rule.reach} of its start`,
      );
  }
  return matches;
}
