/**
 * A vulnerability finding's rule id is the advisory's id (or an alias of it), as the database has
 * it: input, as much as an image's names. An advisory whose id and alias hold an OSC title
 * sequence reached the `scan` table's RULE column raw (`CVE-ESC]0;PWNED BEL…`), the diff table's
 * too, and the explorer's finding detail. Now each shows it escaped.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { vulnerabilityContext } from '../../src/cli/vuln-db.js';
import { earlyFindings, runChecks, sortFindings } from '../../src/findings/index.js';
import { Explorer } from '../../src/ui/explorer.js';
import { screen } from '../../src/ui/render-screen.js';
import { runCli } from '../support/hostile-cli.js';
import { memoryImage } from '../support/image.js';
import { writeOciLayout } from '../support/oci-layout.js';
import { ADVISORIES, osvZip } from '../support/osv-fixtures.js';
import { nonSgrEscapes, press, type } from '../support/ui.js';
import { loadedVulnerableImage, vulnerableImage } from '../support/vulnerable-image.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-advisory-ids-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const H = '\x1b]0;PWNED\x07\u202eRLO';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
const db = path.join(tmp, 'db');
const image = path.join(tmp, 'img');
const other = path.join(tmp, 'other');

before(async () => {
  const mirror = path.join(tmp, 'mirror');
  mkdirSync(path.join(mirror, 'npm'), { recursive: true });
  const advisory = { ...ADVISORIES.lodashTemplate, id: `GHSA-${H}`, aliases: [`CVE-${H}`] };
  writeFileSync(path.join(mirror, 'npm', 'all.zip'), osvZip([advisory]));
  const u = await runCli(['db', 'update', '--db', db, '--db-url', mirror, '--ecosystem', 'npm']);
  assert.equal(u.status, 0, u.stderr);
  const { meta, blobs } = await vulnerableImage();
  await writeOciLayout(image, meta, blobs);
  const plain = await memoryImage([{ entries: [{ name: 'a.txt', content: 'a\n' }] }]);
  await writeOciLayout(other, plain.meta, plain.blobs);
});

test('scan and diff tables: the advisory id escaped', async () => {
  for (const args of [
    ['scan', image, '--db', db],
    ['diff', other, image, '--db', db],
  ]) {
    const r = await runCli(args);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.toString();
    assert.equal(RAW.exec(out), null, `${args[0]}: ${JSON.stringify(out)}`);
    assert.ok(out.includes('CVE-\\e]0;PWNED\\x07\\u202eRLO'), `${args[0]}:\n${out}`);
  }
});

test("the explorer's finding detail: the advisory id escaped", async () => {
  const model = await loadedVulnerableImage();
  const vulnerabilities = await vulnerabilityContext(model, { dir: db, warn: () => {} });
  const findings = runChecks(model, { reference: 'test', vulnerabilities });
  vulnerabilities.db?.close();
  const ex = new Explorer({
    model,
    early: (m) => earlyFindings(m, 'test'),
    findings: () => findings,
    sort: sortFindings,
  });
  ex.resize(160, 45);
  ex.sync();
  await ex.idle();
  type(ex, 'f');
  const i = ex.findings.findIndex((f) => f.category === 'vulnerability' && f.ruleId.startsWith('CVE-'));
  assert.ok(i >= 0, ex.findings.map((f) => f.ruleId).join(' '));
  while (ex.findingIndex < i) press(ex, 'down');
  const raw = screen(ex).join('\n');
  assert.deepEqual(nonSgrEscapes(raw), []);
  assert.ok(raw.includes('CVE-\\e]0;PWNED\\x07\\u202eRLO'), raw);
});
