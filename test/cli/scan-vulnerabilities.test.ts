/**
 * `layerlens scan` and known vulnerabilities through the real CLI entry: an OCI layout written by
 * the tests' OCI writer, a database built by `layerlens db update` from OSV fixtures. Severity
 * `unknown` with --fail-on (a threshold does not count it, as trivy and grype; `unknown` or a
 * list naming it does, and the scan says what did not count) and --severity; the vulnerability
 * line in every format, whatever --severity shows.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { memoryImage } from '../support/image.js';
import { writeOciLayout } from '../support/oci-layout.js';
import { CLI_FROM_SOURCE } from '../support/cli-source.js';
import { NPM_ZIP } from '../support/osv-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-scan-vulns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, [...CLI_FROM_SOURCE, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LAYERLENS_DB_DIR: join(dir, 'no-default-db'), XDG_CACHE_HOME: dir },
  });

const image = join(dir, 'image');
const db = join(dir, 'db');

before(async () => {
  const pkg = (name: string, version: string) => ({
    name: `app/node_modules/${name}/package.json`,
    content: JSON.stringify({ name, version }),
  });
  const { meta, blobs } = await memoryImage([
    {
      entries: [pkg('layerlens-test-unrated', '1.0.0'), pkg('minimist', '1.2.6')],
      createdBy: 'COPY node_modules /app/node_modules # buildkit',
    },
  ]);
  meta.config.config = { User: '1000' }; // (no low finding of another check)
  await writeOciLayout(image, meta, blobs);
  mkdirSync(join(dir, 'mirror', 'npm'), { recursive: true });
  writeFileSync(join(dir, 'mirror', 'npm', 'all.zip'), NPM_ZIP());
  const up = run('db', 'update', '--db', db, '--db-url', join(dir, 'mirror'), '--ecosystem', 'npm');
  assert.equal(up.status, 0, up.stderr);
});

test('--fail-on: a threshold does not count unknown (and says so); unknown or a list naming it does', () => {
  const low = run('scan', image, '--db', db, '--fail-on', 'low');
  assert.equal(low.status, 0, low.stderr);
  assert.match(
    low.stderr,
    /warning: 1 vulnerability of unknown severity \(no advisory rated it\) did not count for --fail-on low; --fail-on unknown, or a list such as critical,high,unknown, counts them/,
  );
  assert.match(low.stdout, /UNKNOWN\s+LAYERLENS-TEST-UNRATED-1\s+0\s+\/app\/node_modules\/layerlens-test-unrated/);
  assert.equal(run('scan', image, '--db', db, '--fail-on', 'UNKNOWN').status, 1);
  const list = run('scan', image, '--db', db, '--fail-on', 'critical,unknown');
  assert.equal(list.status, 1);
  assert.doesNotMatch(list.stderr, /did not count/);
  assert.equal(run('scan', image, '--db', db, '--fail-on', 'critical,high').status, 0);
  const bad = run('scan', image, '--db', db, '--fail-on', 'severe');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--fail-on "severe": use one of critical, high, medium, low, unknown, info/);
});

test('--severity low leaves unknown out and says so; the vulnerability line stays in every format', () => {
  const t = run('scan', image, '--db', db, '--severity', 'low');
  assert.equal(t.status, 0, t.stderr);
  assert.doesNotMatch(t.stdout, /^UNKNOWN/m);
  assert.match(t.stdout, /4 below low not shown/);
  assert.match(
    t.stdout,
    /\nVulnerabilities: 1 known vulnerability \(1 unknown\) in 1 package: the base image could not be told apart/,
  );
  const only = run('scan', image, '--db', db, '--severity', 'unknown', '--format', 'json');
  const doc = JSON.parse(only.stdout);
  assert.ok(doc.findings.some((f: { severity: string }) => f.severity === 'unknown'));
  assert.ok(!doc.findings.some((f: { severity: string }) => f.severity === 'info'));
  assert.equal(doc.summary.unknown, 1);
  assert.equal(doc.vulnerabilities.checked, true);
  assert.equal(doc.vulnerabilities.vulnerabilities, 1);
  assert.deepEqual(doc.vulnerabilities.bySeverity, { unknown: 1 });
  assert.equal(doc.vulnerabilities.packagesChecked, 2);
  assert.match(doc.vulnerabilities.database.fetched.npm, /^\d{4}-\d\d-\d\dT/);
  const md = run('scan', image, '--db', db, '--severity', 'critical', '--format', 'markdown');
  assert.match(md.stdout, /\*\*Vulnerabilities:\*\* 1 known vulnerability \(1 unknown\)/);
  const sarif = JSON.parse(run('scan', image, '--db', db, '--format', 'sarif').stdout);
  assert.equal(sarif.runs[0].properties.vulnerabilities.vulnerabilities, 1);
});

test('no database: the line says the packages were not checked and how to get a database', () => {
  const r = run('scan', image, '--db', join(dir, 'empty'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\nVulnerabilities: Not checked: no vulnerability database \(run `layerlens db update`/);
  assert.match(r.stderr, /no vulnerability database: packages were not checked/);
});
