/**
 * A rule matched near its keywords' hits on a long line (src/findings/secrets/near-hits.ts) finds
 * exactly what its pattern finds over the whole line, and a scan of a long line reports what the
 * same assignments report on a short one.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { KEYWORD_LIST } from '../../../src/findings/secrets/keyword-tables.js';
import { scanKeywordsJs } from '../../../src/findings/secrets/keywords.js';
import { matchesNearHits, NEAR_HITS_MIN_LINE } from '../../../src/findings/secrets/near-hits.js';
import { SECRET_RULES } from '../../../src/findings/secrets/rules.js';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';
import { CASES } from '../../support/secret-cases.js';

const SEPS = [' ', '\t', '"', "'", ':', '=', ' = ', ': ', ':=', '=>', ';', ',', '(', '{', '.', '_', '-', '  \t '];

/** A long line of a rule's true positives, pieces of them, its keywords and random filler. */
function longLine(rule: (typeof SECRET_RULES)[number], length: number): string {
  const c = CASES.find((x) => x.id === rule.id)!;
  let line = '';
  while (line.length < length) {
    const r = randomInt(10);
    const tp = String(c.tp()).split('\n')[0];
    if (r === 0) line += tp;
    else if (r === 1) line += tp.slice(randomInt(tp.length), randomInt(tp.length + 1));
    else if (r === 2) {
      const k = rule.keywords[randomInt(rule.keywords.length)];
      line += randomInt(2) ? k : k.toUpperCase();
    } else if (r === 3) line += SEPS[randomInt(SEPS.length)];
    else if (r === 4) line += f.alnum(randomInt(1, 60));
    else if (r === 5)
      line += ' '.repeat(randomInt(1, 80)); // (runs of spaces: the patterns allow any number)
    else line += f.urlsafe(randomInt(1, 30));
  }
  return line.replace(/\n/g, ' ');
}

const found = (next: () => RegExpExecArray | null) => {
  const out: string[] = [];
  for (let m; (m = next()); ) out.push(`${m.index}:${m[0]}`);
  return out;
};

test('near the hits, each rule with a reach finds what its pattern finds over the whole line', () => {
  const rules = SECRET_RULES.filter((r) => r.reach !== undefined);
  assert.ok(rules.length >= 190, `${rules.length} rules have a reach`);
  let total = 0;
  for (const rule of rules) {
    const kws = new Set(rule.keywords.map((k) => KEYWORD_LIST.indexOf(k)));
    for (let i = 0; i < 40; i++) {
      const line = longLine(rule, randomInt(NEAR_HITS_MIN_LINE, 4 * NEAR_HITS_MIN_LINE));
      const hits = scanKeywordsJs(Buffer.from(line, 'latin1'));
      const near = hits.positions.filter((_, h) => kws.has(hits.keywords[h]));
      const re = rule.pattern;
      re.lastIndex = 0;
      const whole = found(() => {
        const m = re.exec(line);
        if (m && m[0].length === 0) re.lastIndex++;
        return m;
      });
      assert.deepEqual(found(matchesNearHits(rule, line, near)), whole, `${rule.id} on ${JSON.stringify(line)}`);
      total += whole.length;
    }
  }
  assert.ok(total > 1000, `only ${total} matches: the lines do not exercise the rules`);
});

test('a scan of one long line reports what the same assignments report on a short line', () => {
  // Minified JavaScript: assignments of generated fakes joined by `;` with long filler, one line;
  // the same without the filler is a short line (read whole). (A line's findings are judged
  // together, so the oracle is a line too.)
  const parts = [
    `const TWITTER_CONSUMER_SECRET="${f.alnum(50)}"`,
    `config.algolia_admin_key = '${f.hex(32)}'`,
    `DISCORD_BOT_TOKEN:"${f.alnum(24)}.${f.alnum(6)}.${f.urlsafe(27)}"`,
    `db_password: "${f.alnum(18)}"`,
    `var gitter_token = "${f.hex(40)}"`,
  ];
  const filler = () => `function f${f.alnum(6)}(a,b){return a+b*${randomInt(1000)}}`.repeat(randomInt(3, 12));
  const oneLine = parts.map((p) => `${filler()};${p};${filler()}`).join(';');
  assert.ok(oneLine.length >= NEAR_HITS_MIN_LINE);
  const short = parts.join(';');
  assert.ok(short.length < NEAR_HITS_MIN_LINE);
  const seen = (text: string) =>
    scanFile('/srv/app/bundle.js', `${text}\n`)
      // (The masked value: its first 4 characters and its length; the context before it differs.)
      .map((m) => `${m.ruleId} ${m.severity} ${/.{0,4}…\(\d+ chars\)$/.exec(m.evidence)?.[0]}`)
      .sort();
  const long = seen(oneLine);
  assert.ok(long.length >= 3, long.join('\n'));
  assert.deepEqual(long, seen(short));
});
