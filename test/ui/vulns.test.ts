/**
 * The Vulnerabilities panel, the layer marker and the Image panel's database line, through the
 * one render path (a Session painting into a virtual terminal, as production paints a real one).
 * The explorer is wired as the CLI wires it: the full checks once loaded, with the vulnerability
 * database opened by the same function `scan` uses (src/cli/vuln-db.ts), so the panel
 * shows exactly the findings scan reports.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { vulnerabilityContext } from '../../src/cli/vuln-db.js';
import type { ImageModel } from '../../src/engine/image.js';
import { earlyFindings, runChecks, sortFindings } from '../../src/findings/index.js';
import { Explorer } from '../../src/ui/explorer.js';
import { screenLines } from '../../src/ui/render-screen.js';
import { Session } from '../../src/ui/session.js';
import { plain } from '../../src/ui/style.js';
import { untilShown, VirtualTerminal } from '../support/vt.js';
import { fixtureDb, loadedVulnerableImage, NPM_COMMAND } from '../support/vulnerable-image.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

const until = untilShown;

const root = mkdtempSync(join(tmpdir(), 'll-ui-vulns-'));
let model: ImageModel;
let db: string;
before(async () => {
  model = await loadedVulnerableImage();
  db = await fixtureDb(root);
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A Session on a virtual terminal, the explorer wired as `layerlens IMAGE --db DIR` wires it. */
function start(opts: { dbDir?: string; now?: Date; columns?: number; rows?: number } = {}) {
  const term = new VirtualTerminal(opts.columns ?? 160, opts.rows ?? 45);
  const input = new PassThrough();
  const ex = new Explorer({
    model,
    early: (m) => earlyFindings(m, 'test'),
    findings: async () => {
      const vulnerabilities = await vulnerabilityContext(model, { dir: opts.dbDir ?? db, warn: () => {} });
      try {
        return runChecks(model, { reference: 'test', vulnerabilities, now: opts.now });
      } finally {
        vulnerabilities.db?.close();
      }
    },
    sort: sortFindings,
  });
  const session = new Session({ explorer: ex, input, output: term, frameMs: 5, findingsMs: 5 });
  session.start();
  const keys = async (s: string) => {
    input.write(s);
    await tick();
  };
  return { term, ex, session, keys, expected: () => screenLines(ex).map(plain) };
}

test('u shows the vulnerable packages grouped, most severe first, with counts, layer and base/own', async () => {
  const { term, ex, session, keys, expected } = start();
  try {
    await keys('u');
    const s = await until(term, /\[Vulns\]/);
    await until(term, /5 known vulnerabilities in 5 packages: 2 in the base image \(layer 0\),/);
    const text = term.text();
    assert.match(text, /│3 in your layers +│/, 'the summary line, wrapped');
    assert.match(text, /│1 critical · 1 high · 1 medium · 1 low · 1 unknown +│/, 'the counts by severity');
    assert.match(text, /\[Vulns\].*5 packages/, 'the number of packages in the border');
    // One row per package: worst severity, name and version, count, layer, base or own.
    const rows = text.split('\n').filter((l) => /│(CRIT|HIGH|MED |LOW |UNKN) \S+ \S+\s+\d+ {2}L\d/.test(l));
    assert.deepEqual(
      rows.map((l) =>
        l
          .match(/│(CRIT|HIGH|MED |LOW |UNKN) (\S+ \S+)\s+(\d+) {2}(L\d)\s*(base|own)/)!
          .slice(1)
          .join(' '),
      ),
      [
        'CRIT minimist 0.0.8 1 L1 own',
        'HIGH lodash 4.17.20 1 L1 own',
        'MED  coreutils 9.1-1 1 L0 base',
        'LOW  tar 1.34+dfsg-1.2+deb12u1 1 L0 base',
        'UNKN layerlens-test-unrated 1.0.0 1 L1 own',
      ],
    );
    // The selected package in detail: its layer's command, the fix, each vulnerability.
    assert.match(text, /minimist 0\.0\.8 · npm · 1 known vulnerability/);
    assert.match(text, /layer 1 \(your layers\): RUN npm install lodash@4\.17\.20/);
    assert.match(text, /fix: upgrade to 0\.2\.4 or later/);
    assert.match(text, /CRIT CVE-2021-44906 {2}fixed in 0\.2\.4 {2}Prototype pollution in minimist/);
    assert.deepEqual(term.screen(), expected(), 'the terminal shows the frame the renderer made');
    assert.deepEqual(term.unknown, []);
    // Down twice: coreutils, from the base image, with no fix.
    await keys('jj');
    const c = term.text();
    assert.match(c, /coreutils 9\.1-1 · Debian:12 · 1 known vulnerability/);
    assert.match(c, /layer 0 \(base image\): ADD file:4b1d2c3e in \//);
    assert.match(c, /no fix available yet for any of them/);
    assert.match(c, /MED {2}CVE-2016-2781 {2}no fix available yet/);
    assert.equal(ex.vulnIndex, 2);
    // Down twice more: the advisory nobody rated, shown as unknown, never as low.
    await keys('jj');
    assert.match(term.text(), /UNKN LAYERLENS-TEST-UNRATED-1 {2}fixed in 2\.0\.0/);
    assert.ok(s.length > 0);
  } finally {
    session.stop();
  }
});

test('Enter goes to the layer that brought the package in and to its files in the tree', async () => {
  const { term, ex, session, keys } = start();
  try {
    await keys('u');
    await until(term, /5 packages/);
    await keys('\r'); // minimist 0.0.8: its own directory, opened
    assert.equal(ex.layer, 1);
    assert.equal(ex.focus, 'tree');
    assert.equal(ex.tree.cursor?.path, '/app/node_modules/old/node_modules/minimist');
    let s = await until(
      term,
      /minimist 0\.0\.8: 1 known vulnerability \[critical\], layer 1: \/app\/node_modules\/old/,
    );
    assert.match(s, /package\.json/, 'the directory is opened: its files are in view');
    // coreutils (a Debian package): its dpkg file list in layer 0.
    await keys('u');
    await keys('jj\r');
    assert.equal(ex.layer, 0);
    assert.equal(ex.tree.cursor?.path, '/var/lib/dpkg/info/coreutils.list');
    // glibc has no file list here: the database it was found in.
    s = term.text();
    assert.match(
      s,
      /coreutils 9\.1-1: 1 known vulnerability \[medium\], layer 0: \/var\/lib\/dpkg\/info\/coreutils\.list/,
    );
    // A click on a package row selects it; a second click goes to it.
    await keys('u');
    const lines = term.screen();
    const y = lines.findIndex((l) => /│HIGH lodash 4\.17\.20/.test(l));
    const x = lines[y].indexOf('HIGH');
    await keys(`\x1b[<0;${x + 1};${y + 1}M\x1b[<0;${x + 1};${y + 1}m`);
    assert.equal(ex.vulnerablePackages()[ex.vulnIndex].name, 'lodash');
    await keys(`\x1b[<0;${x + 1};${y + 1}M\x1b[<0;${x + 1};${y + 1}m`);
    assert.equal(ex.tree.cursor?.path, '/app/node_modules/lodash');
  } finally {
    session.stop();
  }
});

test('the Layers box marks the layers that brought vulnerable packages in; ? explains the mark', async () => {
  const { term, session, keys } = start();
  try {
    await until(term, /✔ 2 layers/);
    const s = await until(term, /◆/);
    const layerRow = (i: number) => s.split('\n').find((l) => new RegExp(`│ +${i} +[\\d.]+ [kM]?B`).test(l))!;
    assert.match(layerRow(0), /◆ ADD file:4b1d2c3e/);
    assert.match(layerRow(1), new RegExp(`◆ ${NPM_COMMAND.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await keys('?');
    await keys('G');
    const help = term.text();
    assert.match(help, /◆ +the layer brought in packages with known vulnerabilities/);
    assert.match(help, /unknown +the worst finding of the layer is a known vulnerability no advisory rated/);
    await keys('\x1b');
    await keys('?');
    let found = false;
    for (let i = 0; i < 20 && !found; i++) {
      found = /Vulns panel/.test(term.text()) && /go to the layer that brought the package in/.test(term.text());
      if (!found) await keys('\x1b[6~');
    }
    assert.ok(found, 'the help lists the panel and its keys');
  } finally {
    session.stop();
  }
});

test("the Image panel shows the database's date and age; a stale one is said stale in both panels", async () => {
  const { term, session, keys } = start();
  try {
    await keys('i');
    const today = new Date().toISOString().slice(0, 10);
    const s = await until(term, /Vuln DB/);
    assert.match(s, new RegExp(`Vuln DB +(Debian|npm) advisories of ${today} \\(today\\)`));
    assert.match(s, new RegExp(`│ +Debian advisories of ${today} \\(today\\)|Vuln DB +Debian advisories`));
    assert.match(s, new RegExp(`│ +npm advisories of ${today} \\(today\\)|Vuln DB +npm advisories`));
    assert.match(s, /layerlens index .*osv-index\.lldb/);
  } finally {
    session.stop();
  }
  const later = start({ now: new Date(Date.now() + 30 * 86_400_000) });
  try {
    await later.keys('u');
    const s = await until(later.term, /⚠ Vulnerability database is (29|30) days old: run layerlens db update/);
    assert.match(s, /5 known vulnerabilities/);
    await later.keys('i');
    await until(later.term, /stale: run layerlens db update before trusting a clean/);
  } finally {
    later.session.stop();
  }
});

test('no database: one line on how to get one, in the panel and the Image panel; every other check ran', async () => {
  const { term, ex, session, keys } = start({ dbDir: join(root, 'empty') });
  try {
    await keys('u');
    const s = await until(term, /No vulnerability database: the 7 packages found were not checked\./);
    assert.match(s, /Get one with `layerlens db update`/);
    assert.match(s, /\[Vulns\].*no database/);
    await keys('i');
    await until(term, /Vuln DB +none: packages not checked \(layerlens db update gets one\)/);
    assert.ok(ex.findings.some((f) => f.ruleId === 'config-user-root' || f.category === 'os'));
    assert.ok(!term.text().includes('◆'), 'no layer is marked');
  } finally {
    session.stop();
  }
});

test('while the full checks run, the panel says so and keeps the early findings', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const term = new VirtualTerminal(160, 45);
  const ex = new Explorer({
    model,
    early: (m) => earlyFindings(m, 'test'),
    findings: async () => {
      await gate;
      return runChecks(model, { reference: 'test' });
    },
    sort: sortFindings,
  });
  const input = new PassThrough();
  const session = new Session({ explorer: ex, input, output: term, frameMs: 5, findingsMs: 5 });
  session.start();
  try {
    input.write('u');
    await until(term, /Matching the packages against the vulnerability database…/);
    assert.equal(ex.findingsFinal, false);
    assert.equal(ex.findings.length, earlyFindings(model, 'test').length, 'the early findings meanwhile');
    release();
    await until(term, /Packages were not checked for known vulnerabilities\./);
    assert.equal(ex.findingsFinal, true);
  } finally {
    session.stop();
  }
});
