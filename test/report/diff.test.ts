/** The diff documents (JSON, table, Markdown) and the sharing report, from real in-process comparisons. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedLayers } from '../../src/findings/compare/shared.js';
import { diffJsonDocument, diffJsonPieces, toDiffJson } from '../../src/report/diff/json.js';
import { safeJson } from '../../src/text/safe-json.js';
import { toDiffMarkdown } from '../../src/report/diff/markdown.js';
import { toSharedJson, toSharedMarkdown, toSharedTable } from '../../src/report/diff/shared.js';
import { toDiffTable } from '../../src/report/diff/table.js';
import { compareTestImages } from '../support/compare-image.js';
import * as f from '../support/fake-secrets.js';
import type { TestImage } from '../support/findings-image.js';

const sh = { name: 'bin/sh', content: '#!fake\n', mode: 0o755 };
const token = f.githubToken();
const envSecret = f.alnum(32);
const hostile = 'evil\x1b]0;pwned\x07\u202e.txt';

const OLD: TestImage = {
  layers: [
    { entries: [sh], createdBy: 'ADD file:base in /' },
    { entries: [{ name: 'srv/a.ini', content: `token = ${token}\n` }], createdBy: 'COPY srv/ /srv/' },
  ],
  config: { Env: [`API_TOKEN=${envSecret}`], ExposedPorts: { '80/tcp': {} } },
};
const NEW: TestImage = {
  layers: [
    { entries: [sh], createdBy: 'ADD file:base in /' },
    {
      entries: [
        { name: 'srv/a.ini', content: 'nothing here\n' },
        { name: `srv/${hostile}`, content: 'x' },
      ],
      createdBy: 'COPY srv/ /srv/',
    },
  ],
  config: { Env: [`API_TOKEN=${f.alnum(32)}`], ExposedPorts: { '80/tcp': {}, '22/tcp': {} }, User: '1000' },
};

test('JSON: versioned, every section present, findings new/resolved with ids, secrets masked', async () => {
  const { cmp } = await compareTestImages(OLD, NEW);
  const doc = JSON.parse(toDiffJson(cmp));
  assert.equal(doc.schemaVersion, 1);
  assert.equal(doc.report, 'diff');
  assert.equal(doc.tool.name, 'layerlens');
  for (const k of [
    'old',
    'new',
    'identical',
    'summary',
    'layers',
    'history',
    'files',
    'config',
    'sizes',
    'packages',
    'findings',
  ])
    assert.ok(k in doc, k);
  assert.equal(doc.config.history, undefined, 'history is its own section');
  assert.deepEqual(doc.summary.layers, { old: 2, new: 2, sharedByDiffId: 1, sharedByDigest: 1, commonPrefix: 1 });
  assert.ok(doc.findings.new.some((x: { ruleId: string }) => x.ruleId === 'port-remote-access'));
  assert.ok(doc.findings.resolved.some((x: { ruleId: string }) => x.ruleId === 'secret-github-pat'));
  assert.equal(
    doc.summary.findings.new.high,
    doc.findings.new.filter((x: { severity: string }) => x.severity === 'high').length,
  );
  const text = JSON.stringify(doc);
  assert.ok(!text.includes(token) && !text.includes(envSecret), 'no secret in clear');
  // --severity: the lists and their summary count only what is shown.
  const high = diffJsonDocument(cmp, { shown: (x) => x.severity === 'critical' });
  assert.ok(high.findings.new.every((x) => x.severity === 'critical'));
  assert.equal(
    high.findings.hidden,
    cmp.findings.new.length + cmp.findings.resolved.length - high.findings.new.length - high.findings.resolved.length,
  );
});

test('table: summary first, sections, names escaped, no colour unless asked, cut to the width on a terminal', async () => {
  const { cmp } = await compareTestImages(OLD, NEW);
  const t = toDiffTable(cmp);
  const lines = t.split('\n');
  assert.equal(lines[0], 'layerlens diff');
  assert.ok(lines.indexOf('Summary') < lines.findIndex((l) => l.startsWith('Findings introduced by new')));
  assert.match(t, /identical up to layer 0, then they part at layer 1/);
  assert.match(t, /\+ 22\/tcp/);
  assert.match(t, /~ API_TOKEN=.*…\(32 chars\) → .*…\(32 chars\)/);
  assert.ok(!t.includes('\x1b'), 'no escape sequence: no colour asked, and the hostile name is escaped');
  assert.ok(t.includes('evil\\e]0;pwned\\x07\\u202e.txt'));
  assert.ok(!t.includes(token));
  const coloured = toDiffTable(cmp, { color: true });
  assert.ok(coloured.includes('\x1b[1m'));
  const narrow = toDiffTable(cmp, { width: 60 });
  assert.ok(
    narrow.split('\n').every((l) => [...l].length <= 60),
    'cut to 60 columns',
  );
});

test('table and Markdown: identical images say so and stop', async () => {
  const { cmp } = await compareTestImages(OLD, OLD);
  assert.equal(cmp.identical, true);
  assert.match(toDiffTable(cmp), /No differences: the same layers, files, config, packages and findings\./);
  const md = toDiffMarkdown(cmp);
  assert.match(md, /\*\*No differences\*\*/);
  assert.ok(!md.includes('## Summary'));
});

test('Markdown: a pull-request comment; names and values cannot inject markup', async () => {
  const { cmp } = await compareTestImages(OLD, NEW);
  const md = toDiffMarkdown(cmp);
  assert.match(md, /^# layerlens diff: memory → memory$/m);
  assert.match(md, /^## Summary$/m);
  assert.match(md, /^## Findings introduced by new \(\d+\)$/m);
  assert.match(md, /<summary>Files \(1 added, 1 modified, 0 removed; /);
  assert.ok(!md.includes('\x1b') && !md.includes('\u202e'));
  assert.ok(md.includes('`/srv/evil\\e]0;pwned\\x07\\u202e.txt`'));
  assert.ok(!md.includes(token) && !md.includes(envSecret));
  // Every <details> is closed.
  assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
});

test('shared: per image and in total, by diffID and by chain; three renderers', () => {
  const L = (id: string, size: number) => ({
    diffId: `sha256:${id.repeat(64).slice(0, 64)}`,
    size,
    createdBy: `RUN ${id}`,
  });
  const r = sharedLayers([
    { reference: 'svc-a:1', layers: [L('a', 100), L('b', 50), L('c', 10)] },
    { reference: 'svc-b:1', layers: [L('a', 100), L('b', 50), L('d', 20)] },
    // The same content at another place in the stack: shared by content, not as a stack.
    { reference: 'svc-c:1', layers: [L('e', 30), L('b', 50)] },
  ]);
  assert.deepEqual(
    r.images.map((i) => [i.reference, i.layers, i.bytes, i.sharedLayers, i.sharedBytes, i.sharedPrefix]),
    [
      ['svc-a:1', 3, 160, 2, 150, 2],
      ['svc-b:1', 3, 170, 2, 150, 2],
      ['svc-c:1', 2, 80, 1, 50, 0],
    ],
  );
  assert.deepEqual(r.total, {
    images: 3,
    layers: 8,
    bytes: 410,
    distinctLayers: 5,
    distinctBytes: 210,
    chainLayers: 6,
    chainBytes: 260,
  });
  assert.deepEqual(
    r.layers.map((l) => [l.createdBy, l.images]),
    [
      ['RUN a', [0, 1]],
      ['RUN b', [0, 1, 2]],
    ],
  );
  const json = JSON.parse(toSharedJson(r, 'stored'));
  assert.equal(json.report, 'shared');
  assert.equal(json.sizes, 'stored');
  assert.match(
    toSharedTable(r, 'stored'),
    /5 distinct layers by content \(diffID\): 210 B stored once, 200 B \(49%\) shared/,
  );
  assert.match(toSharedMarkdown(r, 'uncompressed'), /^\| `svc-c:1` \| 2 \| 80 B \| 1 \| 50 B \| 30 B \|$/m);
});

test('a finding kept with another severity is unchanged, and the reports say it was regraded', async () => {
  const port = { ExposedPorts: { '8080/tcp': {} } };
  const { cmp } = await compareTestImages(
    { layers: [{ entries: [sh] }], config: port },
    { layers: [{ entries: [sh, { name: 'var/www/phpmyadmin/index.php', content: '<?php\n' }] }], config: port },
  );
  const m = cmp.findings.unchanged.find((x) => x.new.key === '8080/tcp');
  assert.ok(m);
  assert.equal(m.old.severity, 'low');
  assert.equal(m.new.severity, 'high', 'an admin panel in the image raises the port');
  assert.ok(!cmp.findings.new.some((x) => x.key === '8080/tcp'));
  assert.match(toDiffTable(cmp), /Findings kept with another severity \(1\)\n {2}LOW → HIGH/);
  assert.match(toDiffMarkdown(cmp), /\| low → high \| `port-admin` \| `8080\/tcp` \|/);
});

test('vulnerabilities: their own sections and summary row; not in the other findings lists', async () => {
  const { fixtureVulnDb } = await import('../support/vuln-db.js');
  const { db, dispose } = await fixtureVulnDb();
  try {
    const npm = (v: string): TestImage => ({
      layers: [
        {
          entries: [
            { name: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: v }) },
          ],
        },
      ],
    });
    const { cmp } = await compareTestImages(npm('4.17.21'), npm('4.17.15'), { db });
    const t = toDiffTable(cmp);
    assert.match(t, /^ {2}vulns {5}0 fixed, 2 introduced \(2 high\), 0 unchanged$/m);
    assert.match(t, /^Vulnerabilities introduced by new \(2\)$/m);
    assert.match(t, /CVE-2021-23337 +lodash 4\.17\.15 \(npm\) +fixed in 4\.17\.21/);
    assert.equal(t.split('CVE-2021-23337').length - 1, 1, 'listed once, in its own section');
    const md = toDiffMarkdown(cmp);
    assert.match(md, /^## Vulnerabilities introduced by new \(2\)$/m);
    assert.match(md, /\| high \| `CVE-2020-8203` \| `lodash` \(npm\) \| `4\.17\.15` \| `4\.17\.19` \|/);
    const doc = JSON.parse(toDiffJson(cmp));
    assert.equal(doc.vulnerabilities.checked, true);
    assert.deepEqual(doc.vulnerabilities.introduced.map((v: { id: string }) => v.id).sort(), [
      'CVE-2020-8203',
      'CVE-2021-23337',
    ]);
    assert.equal(doc.summary.vulnerabilities.introduced.high, 2);
  } finally {
    dispose();
  }
});

test('the diff JSON in pieces is the very text of one JSON.stringify, file lists of any length', async () => {
  // Over two pieces of the file list (512 entries each), with a name that must be escaped.
  const many = Array.from({ length: 1100 }, (_, i) => ({ name: `srv/d${i % 7}/f${i}`, content: `${i}` }));
  const odd = { name: `srv/${hostile}`, content: 'x' };
  for (const [a, b] of [
    [OLD, { layers: [{ entries: [sh, ...many, odd] }] }],
    [OLD, OLD], // no file changed: an empty list
    // A history line (before the file list in the document) that is the text of a placeholder a
    // fixed one would have been: the list is still written where it stands.
    [
      { ...OLD, layers: [{ ...OLD.layers[0], createdBy: '\u0000entries' }, OLD.layers[1]] },
      { layers: [{ entries: [sh, ...many] }] },
    ],
  ] as Array<[TestImage, TestImage]>) {
    const { cmp } = await compareTestImages(a, b);
    const whole = `${safeJson(diffJsonDocument(cmp))}\n`;
    const pieces = [...diffJsonPieces(cmp)];
    assert.equal(pieces.join(''), whole);
    assert.equal(toDiffJson(cmp), whole);
    if (cmp.files.entries.length > 1000) assert.ok(pieces.length > 3, 'the file list came in pieces');
    else assert.equal(cmp.files.entries.length, 0);
    assert.deepEqual(JSON.parse(pieces.join('')), JSON.parse(whole));
    assert.ok(!pieces.join('').includes('\u202e'), 'the name stays escaped');
  }
});
