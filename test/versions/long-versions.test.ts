/**
 * A version is input: an image can write a megabyte of one in a package.json. Each comparison of
 * it cost 0.2–2.5 s, and matching compares the installed version with every event of every
 * advisory of its package, so one package held a scan for minutes. Versions past
 * MAX_VERSION_LENGTH are not compared (docs/limits.md). Through the CLI: `db update` of an archive
 * of 100 advisories for one package, then `scan` of an image holding that package at such a
 * version, beside one at a real version.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compareVersions, MAX_VERSION_LENGTH, VersionTooLong } from '../../src/versions/index.js';
import { runCli } from '../support/hostile-cli.js';
import { memoryImage } from '../support/image.js';
import { writeOciLayout } from '../support/oci-layout.js';
import { osvZip } from '../support/osv-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-long-versions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('every order refuses a version past the bound, and compares one at it', () => {
  const long = `1.${'1'.repeat(MAX_VERSION_LENGTH)}`;
  const atBound = `1.${'1'.repeat(MAX_VERSION_LENGTH - 2)}`;
  for (const eco of ['Debian:12', 'Alpine:v3.19', 'Rocky Linux:9', 'npm', 'PyPI', 'Maven', 'RubyGems', 'NuGet']) {
    assert.throws(() => compareVersions(eco, long, '1.0'), VersionTooLong, eco);
    assert.throws(() => compareVersions(eco, '1.0', long), VersionTooLong, eco);
    assert.equal(Math.sign(compareVersions(eco, atBound, '1.0')), 1, eco);
  }
});

test('a package at a megabyte-long version does not hold the scan; the others are still matched', async () => {
  const pkg = (name: string, version: string) => ({
    name: `app/node_modules/${name}/package.json`,
    content: JSON.stringify({ name, version }),
  });
  // Passes npm's "exact version" test (digits, a dot, digits, no space): it is compared.
  const huge = `1.1${'a1'.repeat(499_999)}`;
  const { meta, blobs } = await memoryImage([
    { entries: [pkg('layerlens-long', huge), pkg('layerlens-short', '1.0.0')], createdBy: 'COPY . /app' },
  ]);
  const image = join(dir, 'image');
  await writeOciLayout(image, meta, blobs);
  const advisories = ['layerlens-long', 'layerlens-short'].flatMap((name) =>
    Array.from({ length: 100 }, (_, i) => ({
      id: `GHSA-${name.slice(10)}-${String(i).padStart(4, '0')}-0000`,
      modified: '2026-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name },
          ranges: [{ type: 'SEMVER', events: [{ introduced: `1.${i}` }, { fixed: `1.${i}.1` }] }],
        },
      ],
    })),
  );
  mkdirSync(join(dir, 'mirror', 'npm'), { recursive: true });
  writeFileSync(join(dir, 'mirror', 'npm', 'all.zip'), osvZip(advisories));
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), LAYERLENS_DB_DIR: join(dir, 'no-default-db') };
  const db = join(dir, 'db');
  const up = await runCli(['db', 'update', '--db', db, '--db-url', join(dir, 'mirror'), '--ecosystem', 'npm'], { env });
  assert.equal(up.status, 0, up.stderr);
  const r = await runCli(['scan', image, '--format', 'json', '--db', db], { env, killAfterMs: 60_000 });
  assert.equal(r.killed, false, `scan still comparing after ${Math.round(r.ms)} ms`);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.ms < 20_000, `${Math.round(r.ms)} ms`);
  const ids = (JSON.parse(r.stdout.toString()).findings as Array<{ ruleId: string }>)
    .map((f) => f.ruleId)
    .filter((id) => id.startsWith('GHSA-'));
  // 1.0.0 is in the first advisory's range only ([1.0, 1.0.1)).
  assert.deepEqual(ids, ['GHSA-short-0000-0000']);
});
