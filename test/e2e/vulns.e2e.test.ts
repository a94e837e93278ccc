/**
 * End to end in a real terminal (tmux): `layerlens DIR --db DB` on an OCI layout with known
 * vulnerabilities (test/support/vulnerable-image.ts, written by the tests' OCI writer) and a
 * database built by `db update` from the OSV fixtures. The layer marks, the Vulnerabilities panel
 * and its jump to the package's files, the Image panel's database line, the help; and the same
 * image with no database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeOciLayout } from '../support/oci-layout.js';
import { cli, killServer, Pane, tmuxMissing } from '../support/tmux.js';
import { fixtureDb, vulnerableImage } from '../support/vulnerable-image.js';

const noTmux = tmuxMissing();
let dir: string;
let image: string;
let db: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'layerlens-e2e-vulns-'));
  image = path.join(dir, 'image');
  const { meta, blobs } = await vulnerableImage();
  await writeOciLayout(image, meta, blobs);
  db = await fixtureDb(dir);
});
after(() => {
  killServer();
  rmSync(dir, { recursive: true, force: true });
});

test('the Vulnerabilities panel: marks, packages by severity, Enter to the files, the database in the Image panel', {
  skip: noTmux,
  timeout: 90_000,
}, async () => {
  const pane = Pane.start('vulns', dir, cli(`${JSON.stringify(image)} --db ${JSON.stringify(db)}`));
  try {
    let s = await pane.waitFor(/✔ 2 layers/);
    s = await pane.waitFor(/◆ RUN npm install/);
    assert.match(s, /◆ ADD file:4b1d2c3e/);
    pane.keys('u');
    s = await pane.waitFor(/\[Vulns\]/);
    s = await pane.waitFor(/5 known vulnerabilities in 5 packages: 2 in the base image \(layer 0\),/);
    assert.match(s, /1 critical · 1 high · 1 medium · 1 low · 1 unknown/);
    assert.match(s, /CRIT minimist 0\.0\.8 +1 {2}L1 {2}own/);
    assert.match(s, /MED {2}coreutils 9\.1-1 +1 {2}L0 {2}base/);
    assert.match(s, /UNKN layerlens-test-unrated 1\.0\.0/);
    assert.match(s, /CRIT CVE-2021-44906 {2}fixed in 0\.2\.4/);
    pane.keys('j');
    s = await pane.waitFor(/lodash 4\.17\.20 · npm · 1 known vulnerability/);
    assert.match(s, /HIGH CVE-2021-23337 {2}fixed in 4\.17\.21/);
    pane.keys('j');
    s = await pane.waitFor(/coreutils 9\.1-1 · Debian:12/);
    assert.match(s, /no fix available yet for any of them/);
    pane.keys('Enter');
    s = await pane.waitFor(
      /coreutils 9\.1-1: 1 known vulnerability \[medium\], layer 0: \/var\/lib\/dpkg\/info\/coreutils\.list/,
    );
    assert.match(s, /Filesystem at layer 0|Changes in layer 0/);
    pane.keys('i');
    s = await pane.waitFor(/Vuln DB/);
    assert.match(s, /Vuln DB +(Debian|npm) advisories of \d{4}-\d\d-\d\d \(today\)/);
    pane.keys('?');
    pane.keys('G');
    s = await pane.waitFor(/◆ +the layer brought in packages with known vulnerabilities/);
    pane.keys('Escape');
    await pane.waitFor(/Filesystem at layer|Changes in layer/);
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});

test('no database: the panel says how to get one, and the explorer works as before', {
  skip: noTmux,
  timeout: 90_000,
}, async () => {
  const pane = Pane.start('nodb', dir, cli(`${JSON.stringify(image)} --db ${JSON.stringify(path.join(dir, 'none'))}`));
  try {
    await pane.waitFor(/✔ 2 layers/);
    pane.keys('u');
    const s = await pane.waitFor(/No vulnerability database: the 7 packages found were not checked\./);
    assert.match(s, /Get one with `layerlens db update`/);
    assert.doesNotMatch(s, /◆/);
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});
