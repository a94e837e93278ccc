/**
 * The reach read from a pattern's literal start (src/findings/secrets/rules/prefix-reach.ts): how
 * far into every match a keyword lies, or undefined where a start may hold none. Whether each
 * rule's reach holds on real lines is near-hits.test.ts's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefixReach } from '../../../src/findings/secrets/rules/prefix-reach.js';

test('a keyword at or inside the literal every match starts with gives its offset', () => {
  assert.equal(prefixReach(/\b(?<secret>ghp_[A-Za-z0-9]{36})\b/g, ['ghp_']), 0);
  assert.equal(prefixReach(/\b(?<secret>github_pat_[A-Za-z0-9]{22})\b/g, ['ub_pat_']), 4);
  // Lookbehinds hold no character; a small class and a group of literals are expanded.
  assert.equal(prefixReach(/(?<![A-Z0-9])(?<secret>EAA[MC][A-Za-z0-9]{100,})/g, ['eaam', 'eaac']), 0);
  assert.equal(
    prefixReach(/\b(?<secret>(?:sk|rk)_(?:live|prod)_[0-9a-z]{24})\b/g, [
      'sk_live_',
      'rk_live_',
      'sk_prod_',
      'rk_prod_',
    ]),
    0,
  );
  // Every alternative of the whole pattern counts, and the furthest keyword sets the reach.
  assert.equal(prefixReach(/\b(?<secret>EAAA[0-9A-Z]{60}|xsq0atp-[0-9A-Z]{22})/g, ['eaaa', 'sq0atp-']), 1);
  // An alternative read in part still starts with its literal (AKIA … or A3T followed by a class).
  assert.equal(prefixReach(/(?<secret>(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z2-7]{16})/g, ['akia', 'asia', 'a3t']), 0);
});

test('a start that may hold no keyword gives no reach', () => {
  // The keyword is after an unbounded or non-literal part.
  assert.equal(prefixReach(/(?<secret>\d{8,10}:AA[0-9A-Za-z_-]{33})/g, ['0:aa']), undefined);
  assert.equal(prefixReach(/(?<secret>sk-(?:proj-)?[A-Za-z0-9_-]{16,}T3BlbkFJ)/g, ['t3blbkfj']), undefined);
  // One alternative holds none of the keywords.
  assert.equal(prefixReach(/\b(?<secret>ntn_\d{11}|other_[A-Za-z0-9]{43})\b/g, ['ntn_']), undefined);
  // An optional part: the start without it must hold a keyword too.
  assert.equal(prefixReach(/\b(?<secret>FLWSECK(?:_TEST)?-[a-h0-9]{12})\b/g, ['flwseck_test']), undefined);
  // Syntax it does not read: a start of its own, not guessed.
  assert.equal(prefixReach(/(?<scheme>[a-z]+):\/\//g, ['://']), undefined);
});
