/**
 * A vulnerability database is input: an OSV archive whose advisories hold fields of the wrong
 * JSON type (null where an object belongs, a number where a list does) is read as far as it makes
 * sense, never ended by the TypeError of reading it. Through the CLI: `db update` from a mirror
 * directory, then `scan` against the index it built, and `scan` reading the same archive in
 * osv-scanner's cache layout.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RAW_JS_ERROR, assertOneLineError, runCli } from '../support/hostile-cli.js';
import { memoryImage } from '../support/image.js';
import { writeOciLayout } from '../support/oci-layout.js';
import { osvZip } from '../support/osv-fixtures.js';
import { sharedBytesZip } from '../support/bombs.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-vulndb-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NAME = 'layerlens-hostile-fixture';
const pkg = { ecosystem: 'npm', name: NAME };
const ranges = [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }];
const good = (id: string, extra: object = {}) => ({ id, modified: '2026-01-01T00:00:00Z', ...extra });

/** Each advisory breaks one field; the comments say what of it still counts. */
const ADVISORIES = [
  good('GHSA-good-0000-0000', { summary: 'the well-formed one', affected: [{ package: pkg, ranges }] }),
  // Affected entries that are not objects, or whose parts are not: left out, the rest read.
  good('GHSA-aff1-0000-0000', { affected: [null, 5, 'x', { package: null }, { package: pkg, ranges }] }),
  good('GHSA-rng1-0000-0000', { affected: [{ package: pkg, ranges: null }] }),
  good('GHSA-rng2-0000-0000', { affected: [{ package: pkg, ranges: [null, { type: 'SEMVER', events: 5 }] }] }),
  good('GHSA-evt1-0000-0000', {
    affected: [{ package: pkg, ranges: [{ type: 'SEMVER', events: [null, { introduced: 5 }, { introduced: '0' }] }] }],
  }),
  good('GHSA-ver1-0000-0000', { affected: [{ package: pkg, versions: 'abc' }] }),
  good('GHSA-ver2-0000-0000', { affected: [{ package: pkg, versions: [1, null, '1.0.0'] }] }),
  // Fields around the ranges: each of the wrong type is absent.
  good('GHSA-sev1-0000-0000', { severity: 5, affected: [{ package: pkg, ranges, severity: [null] }] }),
  good('GHSA-sev2-0000-0000', {
    database_specific: 'HIGH',
    affected: [{ package: pkg, ranges, ecosystem_specific: 5, database_specific: [1] }],
  }),
  good('GHSA-ali1-0000-0000', { aliases: 5, upstream: {}, affected: [{ package: pkg, ranges }] }),
  good('GHSA-sum1-0000-0000', { summary: 5, details: ['x'], affected: [{ package: pkg, ranges }] }),
  good('GHSA-sum2-0000-0000', { summary: ['not text'], affected: [{ package: pkg, ranges }] }),
  good('GHSA-ref1-0000-0000', { references: 5, affected: [{ package: pkg, ranges }] }),
  good('GHSA-ref2-0000-0000', { references: [null, 'x'], modified: 7, affected: [{ package: pkg, ranges }] }),
];
/** Those whose range still affects version 1.0.0 (the others lose it to the broken field). */
const AFFECTING = [
  'GHSA-good-0000-0000',
  'GHSA-aff1-0000-0000',
  'GHSA-evt1-0000-0000',
  'GHSA-ver2-0000-0000',
  'GHSA-sev1-0000-0000',
  'GHSA-sev2-0000-0000',
  'GHSA-ali1-0000-0000',
  'GHSA-sum1-0000-0000',
  'GHSA-sum2-0000-0000',
  'GHSA-ref1-0000-0000',
  'GHSA-ref2-0000-0000',
];

let image: string;
const env = (home: string) => ({ XDG_CACHE_HOME: join(home, 'cache'), LAYERLENS_DB_DIR: join(home, 'no-default-db') });

before(async () => {
  const { meta, blobs } = await memoryImage([
    {
      entries: [
        { name: `app/node_modules/${NAME}/package.json`, content: JSON.stringify({ name: NAME, version: '1.0.0' }) },
      ],
      createdBy: 'COPY node_modules /app/node_modules # buildkit',
    },
  ]);
  image = join(dir, 'image');
  await writeOciLayout(image, meta, blobs);
  mkdirSync(join(dir, 'mirror', 'npm'), { recursive: true });
  writeFileSync(join(dir, 'mirror', 'npm', 'all.zip'), osvZip(ADVISORIES));
});

/** The vulnerability findings of `scan IMAGE --db DB`: id and title. */
async function vulnerabilities(db: string): Promise<Array<{ ruleId: string; title: string }>> {
  const r = await runCli(['scan', image, '--format', 'json', '--db', db], { env: env(dir) });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, RAW_JS_ERROR);
  const findings = JSON.parse(r.stdout.toString()).findings as Array<{
    ruleId: string;
    title: string;
    category: string;
  }>;
  return findings.filter((f) => f.category === 'vulnerability' && f.ruleId.startsWith('GHSA-'));
}

test('db update reads an archive of advisories with fields of the wrong type; scan finds what they still say', async () => {
  const db = join(dir, 'db');
  const up = await runCli(['db', 'update', '--db', db, '--db-url', join(dir, 'mirror'), '--ecosystem', 'npm'], {
    env: env(dir),
  });
  assert.equal(up.status, 0, up.stderr);
  assert.doesNotMatch(up.stderr, RAW_JS_ERROR);
  const found = await vulnerabilities(db);
  assert.deepEqual(found.map((f) => f.ruleId).sort(), [...AFFECTING].sort());
  // A summary that is not text is no summary: the title names the advisory instead.
  assert.equal(found.find((f) => f.ruleId === 'GHSA-sum1-0000-0000')?.title, `${NAME} 1.0.0: GHSA-sum1-0000-0000`);
  assert.equal(found.find((f) => f.ruleId === 'GHSA-good-0000-0000')?.title, `${NAME} 1.0.0: the well-formed one`);
});

test("scan reads the same archive in osv-scanner's cache layout", async () => {
  const cache = join(dir, 'osv-cache');
  mkdirSync(join(cache, 'osv-scanner', 'npm'), { recursive: true });
  writeFileSync(join(cache, 'osv-scanner', 'npm', 'all.zip'), osvZip(ADVISORIES));
  assert.deepEqual((await vulnerabilities(cache)).map((f) => f.ruleId).sort(), [...AFFECTING].sort());
});

test('an index that is a FIFO is refused at once, not waited on', async () => {
  const db = join(dir, 'fifo-db');
  mkdirSync(db);
  execFileSync('mkfifo', [join(db, 'osv-index.lldb')]);
  for (const args of [
    ['scan', image, '--db', db],
    ['db', 'status', '--db', db],
  ]) {
    const r = await runCli(args, { env: env(dir), killAfterMs: 30_000 });
    assert.equal(r.killed, false, `${args[0]}: still waiting after ${Math.round(r.ms)} ms`);
    assert.match(assertOneLineError(r, args.join(' ')), /osv-index\.lldb is not a regular file/);
  }
});

test("an osv-scanner archive over 2 GiB is read with positioned reads, not refused by Node's file reader", async () => {
  const cache = join(dir, 'big-cache');
  mkdirSync(join(cache, 'osv-scanner', 'npm'), { recursive: true });
  // 3 GiB of holes (a sparse file): no zip, as the message says; readFileSync's own error was
  // "File size (3221225472) is greater than 2 GiB".
  execFileSync('truncate', ['-s', '3G', join(cache, 'osv-scanner', 'npm', 'all.zip')]);
  const r = await runCli(['scan', image, '--db', cache], { env: env(dir), killAfterMs: 60_000 });
  assert.match(assertOneLineError(r, 'scan'), /all\.zip: not a valid OSV archive \(not a zip archive/);
});

test('an archive whose entries share bytes (a zip bomb) is refused before anything is inflated', async () => {
  // ~0.3 MB that inflates to 2,000 × 16 MiB = 31 GiB: minutes to hours of db update, and of a
  // scan reading it in osv-scanner's cache.
  const data = Buffer.alloc(16 << 20, 0x20);
  data.write('{"id":"X-1","affected":[]');
  data.write('}', data.length - 1);
  const zip = sharedBytesZip(2000, data, (i) => `e${i}.json`);
  assert.ok(zip.length < 400_000);
  mkdirSync(join(dir, 'bomb-mirror', 'npm'), { recursive: true });
  writeFileSync(join(dir, 'bomb-mirror', 'npm', 'all.zip'), zip);
  const up = await runCli(
    ['db', 'update', '--db', join(dir, 'bomb-db'), '--db-url', join(dir, 'bomb-mirror'), '--ecosystem', 'npm'],
    { env: env(dir), killAfterMs: 60_000 },
  );
  assert.equal(up.killed, false, `db update still inflating after ${Math.round(up.ms)} ms`);
  const last = up.stderr.trimEnd().split('\n').at(-1) ?? '';
  assert.equal(up.status, 2, up.stderr);
  assert.match(last, /all\.zip: not a valid OSV archive \(entries "e0\.json" and "e1\.json" share bytes/);
  assert.doesNotMatch(up.stderr, RAW_JS_ERROR);
  const cache = join(dir, 'bomb-cache');
  mkdirSync(join(cache, 'osv-scanner', 'npm'), { recursive: true });
  writeFileSync(join(cache, 'osv-scanner', 'npm', 'all.zip'), zip);
  const scan = await runCli(['scan', image, '--db', cache], { env: env(dir), killAfterMs: 60_000 });
  assert.equal(scan.killed, false, `scan still inflating after ${Math.round(scan.ms)} ms`);
  assert.match(assertOneLineError(scan, 'scan'), /share bytes \(a zip bomb's layout\)/);
});
