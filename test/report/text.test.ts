/** Report text: Markdown code spans, the empty-list line after --severity, the table's columns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/findings/types.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { noImage } from '../../src/report/json.js';
import { toTable } from '../../src/report/table.js';
import { testFinding } from '../support/finding.js';
import { emptyNote, mdProse } from '../../src/report/text.js';

const image = noImage('app:1', 'registry');
const finding = (over: Partial<Finding>) =>
  testFinding({
    ruleId: 'registry-no-auth',
    category: 'permissions',
    severity: 'high',
    title: 'No authentication',
    ...over,
  });

test('Markdown keeps backquoted commands as code and escapes the rest, backticks inside a command included', () => {
  assert.equal(mdProse('use `RUN --mount=type=secret` instead'), 'use `RUN --mount=type=secret` instead');
  assert.equal(mdProse('a *b* <i> `x|y`'), 'a \\*b\\* &lt;i&gt; `x\\|y`');
  assert.equal(mdProse('odd ` tick'), 'odd \\` tick', 'an unpaired backtick is text');
  assert.equal(mdProse('`\x1b]0;t\x07`'), '`\\e]0;t\\x07`', 'control characters escaped inside code');
  const md = toMarkdown([finding({ remediation: 'Pass it with `RUN --mount=type=secret` (BuildKit).' })], image);
  assert.match(md, /\*\*Remediation:\*\* Pass it with `RUN --mount=type=secret` \(BuildKit\)\./);
  assert.doesNotMatch(md, /\\`RUN/);
});

test('--severity: an empty list says what was left out, never "No findings." and a count', () => {
  assert.equal(emptyNote(undefined), 'No findings.');
  assert.equal(
    emptyNote({ count: 37, leftOut: 'below high' }),
    'No findings at high or above; 37 below high not shown: --severity info shows them.',
  );
  assert.equal(
    emptyNote({ count: 2, leftOut: 'other than critical, high' }),
    'No findings of severity critical or high; 2 other than critical, high not shown: --severity info shows them.',
  );
  const t = toTable([], image, { hidden: { count: 37, leftOut: 'below high' } });
  assert.doesNotMatch(t, /No findings\.\n/);
  assert.equal(
    t.trim().split('\n').at(-1),
    'No findings at high or above; 37 below high not shown: --severity info shows them.',
  );
  const md = toMarkdown([], image, { count: 37, leftOut: 'below high' });
  assert.match(md, /No findings at high or above; 37 below high not shown/);
});

test('the table leaves out the columns no row fills (a registry audit has no layers or paths)', () => {
  const audit = toTable([finding({}), finding({ id: 'j', ruleId: 'registry-plain-http', severity: 'low' })], image);
  const head = audit.split('\n').find((l) => l.startsWith('SEVERITY'))!;
  assert.equal(head.replace(/\s+/g, ' '), 'SEVERITY RULE FINDING');
  const scan = toTable(
    [finding({ path: '/etc/日本語.conf', layerIndex: 2 }), finding({ id: 'k', path: '/a' })],
    image,
    {
      width: 100,
    },
  );
  const lines = scan.split('\n');
  assert.equal(lines.find((l) => l.startsWith('SEVERITY'))!.replace(/\s+/g, ' '), 'SEVERITY RULE LAYER WHERE FINDING');
  // Wide characters count two cells: the FINDING column starts at the same cell on every row.
  const col = (l: string) => {
    let w = 0;
    for (const ch of l.slice(0, l.indexOf('No authentication'))) w += /[\u3000-\u9fff]/.test(ch) ? 2 : 1;
    return w;
  };
  const rows = lines.filter((l) => l.includes('No authentication'));
  assert.equal(col(rows[0]), col(rows[1]));
});
