/**
 * Keywords that count in one casing only (keyword-case.ts): what the pattern's text must say for
 * a keyword to be exact, and, on the real rule set, that every match of an exact keyword's rules
 * still holds a hit of the rule's keywords on lines that write the keywords in every casing.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { exactKeywordForm } from '../../../src/findings/secrets/keyword-case.js';
import { KEYWORD_LIST, KW_EXACT } from '../../../src/findings/secrets/keyword-tables.js';
import { scanKeywordsJs, scanKeywordsWasm } from '../../../src/findings/secrets/keywords.js';
import { SECRET_RULES } from '../../../src/findings/secrets/rules.js';
import type { SecretRule } from '../../../src/findings/secrets/rules/types.js';
import * as f from '../../support/fake-secrets.js';
import { assertMatchesHoldHits } from '../../support/keyword-hits.js';
import { CASES } from '../../support/secret-cases.js';

const rule = (pattern: RegExp, keywords: string[]) => ({ id: 'x', keywords, pattern }) as unknown as SecretRule;
const form = (keyword: string, ...rules: SecretRule[]) => exactKeywordForm(keyword, rules);

test('a keyword is exact only where every match of its rules writes it in one casing', () => {
  // Plain literals of case-sensitive patterns.
  assert.equal(form('rdme_', rule(/\b(?<secret>rdme_[a-z0-9]{70})\b/g, ['rdme_'])), 'rdme_');
  assert.equal(form('eyj', rule(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/g, ['eyj'])), 'eyJ');
  // Alternatives that each start with a keyword of the rule.
  const aws = rule(/(?<![A-Z0-9])(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z2-7]{16}/g, ['akia', 'asia', 'a3t']);
  assert.equal(form('akia', aws), 'AKIA');
  assert.equal(form('a3t', aws), 'A3T');
  // Not exact: any case allowed, optional, in a class, beside an alternative without a keyword,
  // in a lookaround, a quantifier on its last character, alternatives at the top.
  assert.equal(form('rdme_', rule(/rdme_[a-z0-9]{70}/gi, ['rdme_'])), undefined);
  assert.equal(form('ghp_', rule(/(?:ghp_)?[A-Za-z0-9]{36}/g, ['ghp_'])), undefined);
  assert.equal(form('ghp_', rule(/(?:ghp_)*[A-Za-z0-9]{36}/g, ['ghp_'])), undefined);
  assert.equal(form('ghp_', rule(/(ghp_){0,1}x/g, ['ghp_'])), undefined);
  assert.equal(form('ghp_', rule(/ghp_?[A-Za-z0-9]{36}/g, ['ghp_'])), undefined);
  assert.equal(form('abc', rule(/[abc]+x/g, ['abc'])), undefined);
  assert.equal(form('rdme_', rule(/(?:rdme_|other)x/g, ['rdme_'])), undefined);
  assert.equal(form('rdme_', rule(/(?<=rdme_)[a-z]{70}/g, ['rdme_'])), undefined);
  assert.equal(form('rdme_', rule(/rdme_x|y{70}/g, ['rdme_'])), undefined);
  assert.equal(form('a.b', rule(/a.bc/g, ['a.b'])), undefined);
  assert.equal(form('rdme_', rule(/token/g, ['rdme_'])), undefined, 'a keyword the pattern does not hold');
  // Two rules that write it in two casings.
  assert.equal(form('tok', rule(/tok_[a-z]{9}/g, ['tok']), rule(/TOK-[0-9]{9}/g, ['tok'])), undefined);
  assert.equal(form('tok', rule(/tok_[a-z]{9}/g, ['tok']), rule(/tok-[0-9]{9}/g, ['tok'])), 'tok');
});

test('the rule set has exact keywords, and README or RDME_ is not a hit of rdme_', () => {
  const exact = KEYWORD_LIST.filter((_, k) => KW_EXACT[k]);
  assert.ok(exact.length >= 40, `${exact.length} exact keywords`);
  assert.ok(!KW_EXACT[KEYWORD_LIST.indexOf('password')], 'the generic keywords count in any case');
  const k = KEYWORD_LIST.indexOf('rdme_');
  assert.ok(KW_EXACT[k]);
  for (const scan of [scanKeywordsJs, scanKeywordsWasm]) {
    if (!scan) continue;
    const hits = (s: string) =>
      scan(Buffer.from(s, 'latin1'), 0, s.length, true).keywords.filter((x) => x === k).length;
    assert.equal(hits('see RDME_ and README and rdme_ here'), 1);
  }
});

test('every match of an exact keyword’s rules keeps a hit of the rule’s keywords, whatever the casing around it', () => {
  // Lines built from each such rule's true positive, pieces of it and its keywords in every
  // casing: wherever the (case-sensitive) pattern matches, the prefilter must still report one of
  // the rule's keywords inside the match, so that its line reaches the rule.
  const rules = SECRET_RULES.filter((r) => r.keywords.some((kw) => KW_EXACT[KEYWORD_LIST.indexOf(kw)]));
  assert.ok(rules.length >= 30, `${rules.length} rules have exact keywords`);
  let matches = 0;
  for (const r of rules) {
    const c = CASES.find((x) => x.id === r.id);
    assert.ok(c, `${r.id} has generated cases`);
    const kws = r.keywords.map((kw) => KEYWORD_LIST.indexOf(kw));
    for (let i = 0; i < 200; i++) {
      const tp = String(c.tp()).split('\n')[0];
      let line = '';
      while (line.length < 200) {
        const x = randomInt(7);
        if (x === 0) line += tp;
        else if (x === 1) line += tp.slice(randomInt(tp.length), randomInt(tp.length + 1));
        else if (x === 2) {
          const kw = r.keywords[randomInt(r.keywords.length)];
          line += [kw, kw.toUpperCase(), [...kw].map((ch) => (randomInt(2) ? ch.toUpperCase() : ch)).join('')][
            randomInt(3)
          ];
        } else if (x === 3) line += [' ', '=', ':', '"', '_', '-', '.'][randomInt(7)];
        else if (x === 4) line += f.alnum(randomInt(1, 40));
        else line += f.upperAlnum(randomInt(1, 40));
      }
      const buf = Buffer.from(line, 'latin1');
      const found = scanKeywordsJs(buf, 0, buf.length, true);
      if (scanKeywordsWasm) assert.deepEqual(scanKeywordsWasm(buf, 0, buf.length, true), found, line);
      matches += assertMatchesHoldHits(r, kws, line, found);
    }
  }
  assert.ok(matches > 1000, `only ${matches} matches: the lines do not exercise the rules`);
});
