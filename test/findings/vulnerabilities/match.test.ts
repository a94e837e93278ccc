/**
 * Matching, end to end inside the process: a real index built from OSV fixtures (real advisories'
 * facts), an image of real tar layers read by the engine, runChecks with the database. Checks the
 * introducing layer, base image vs own layers, fixed versions and "no fix yet", aliases merged,
 * withdrawn ignored, fixed versions not reported, severities (CVSS, distribution urgency,
 * unknown), the summary, ignore entries by id or alias with expiry, and the database's own state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseIgnoreFile } from '../../../src/findings/ignore.js';
import { affects } from '../../../src/findings/vulnerabilities/index.js';
import type { Finding } from '../../../src/findings/types.js';
import { INDEX_FILE, openIndex, updateDb, type VulnDb } from '../../../src/vulndb/index.js';
import { check, type TestImage } from '../../support/findings-image.js';
import { ADVISORIES, DEBIAN_ZIP, NPM_ZIP, osvZip, PYPI_ZIP } from '../../support/osv-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'll-match-'));
let db: VulnDb;

before(async () => {
  const mirror = join(root, 'mirror');
  const put = (eco: string, zip: Buffer) => {
    mkdirSync(join(mirror, eco), { recursive: true });
    writeFileSync(join(mirror, eco, 'all.zip'), zip);
  };
  put('npm', NPM_ZIP());
  put('Debian', DEBIAN_ZIP());
  put('PyPI', PYPI_ZIP());
  await updateDb({ dir: join(root, 'db'), base: mirror, ecosystems: ['npm', 'Debian', 'PyPI'] });
  db = openIndex(join(root, 'db', INDEX_FILE));
});
after(() => {
  db?.close();
  rmSync(root, { recursive: true, force: true });
});

const dpkg = (pkgs: Array<[string, string, string?]>) =>
  pkgs
    .map(
      ([n, v, src]) => `Package: ${n}\nStatus: install ok installed\nVersion: ${v}\n${src ? `Source: ${src}\n` : ''}`,
    )
    .join('\n');
const json = (o: unknown) => JSON.stringify(o);

const IMAGE: TestImage = {
  layers: [
    {
      createdBy: '/bin/sh -c #(nop) ADD file:abc in / ',
      entries: [
        {
          name: 'etc/os-release',
          content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
        },
        {
          name: 'var/lib/dpkg/status',
          content: dpkg([
            ['libc6', '2.36-9+deb12u7', 'glibc'],
            ['libc-bin', '2.36-9+deb12u7', 'glibc'],
            ['coreutils', '9.1-1'],
            ['tar', '1.34+dfsg-1.2+deb12u1'],
            ['python3-urllib3', '1.26.12-1', 'python-urllib3'],
          ]),
        },
        {
          name: 'usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO',
          content: 'Name: urllib3\nVersion: 1.26.12\n',
        },
      ],
    },
    {
      createdBy: 'RUN npm install lodash@4.17.20 minimist@1.2.6 # buildkit',
      entries: [
        { name: 'app/node_modules/lodash/package.json', content: json({ name: 'lodash', version: '4.17.20' }) },
        { name: 'app/node_modules/minimist/package.json', content: json({ name: 'minimist', version: '1.2.6' }) },
        {
          name: 'app/node_modules/old/node_modules/minimist/package.json',
          content: json({ name: 'minimist', version: '0.0.8' }),
        },
        {
          name: 'app/node_modules/layerlens-test-unrated/package.json',
          content: json({ name: 'layerlens-test-unrated', version: '1.0.0' }),
        },
      ],
    },
  ],
  emptySteps: [],
};
// The base image ends with its CMD (as debian's does): layer 0 is the base, layer 1 is yours.
IMAGE.layers[0].createdBy = '/bin/sh -c #(nop) ADD file:abc in / ';

/** IMAGE with the CMD step between its layers (a history the base-image heuristic reads). */
async function scanWithCmd(extra: Partial<Parameters<typeof check>[1]> = {}): Promise<Finding[]> {
  const { loadImage } = await import('../../support/findings-image.js');
  const { runChecks } = await import('../../../src/findings/index.js');
  const { mapHistory } = await import('../../../src/engine/history.js');
  const model = await loadImage(IMAGE);
  const cfg = model.meta!.config;
  cfg.history = [
    cfg.history![0],
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    cfg.history![1],
  ];
  model.meta!.history = mapHistory(cfg);
  return runChecks(model, { reference: 'memory', vulnerabilities: { db, maxAgeDays: 7 }, ...extra });
}

const vulns = (fs: Finding[]) =>
  fs.filter((f) => f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-'));

test('findings: the right ids, packages, layers, fixes and severities; fixed versions not reported', async () => {
  const fs = await scanWithCmd();
  const got = vulns(fs)
    .map(
      (f) =>
        `${f.ruleId} ${f.key} ${(f.properties as { installedVersion: string }).installedVersion} L${f.layerIndex} ${f.severity} fix=${(f.properties as { fixedVersion: string | null }).fixedVersion}`,
    )
    .sort();
  assert.deepEqual(got, [
    'CVE-2005-2541 tar 1.34+dfsg-1.2+deb12u1 L0 low fix=null',
    'CVE-2016-2781 coreutils 9.1-1 L0 medium fix=null',
    // (CVE-2020-8203 was fixed in 4.17.19: not reported for 4.17.20.)
    'CVE-2021-23337 lodash 4.17.20 L1 high fix=4.17.21',
    'CVE-2021-44906 minimist 0.0.8 L1 critical fix=0.2.4',
    // No score, no rating: unknown, never a guessed level.
    'LAYERLENS-TEST-UNRATED-1 layerlens-test-unrated 1.0.0 L1 unknown fix=2.0.0',
  ]);
  const unrated = fs.find((f) => f.ruleId === 'LAYERLENS-TEST-UNRATED-1')!;
  assert.equal((unrated.properties as { severity: string }).severity, 'unknown');
  assert.equal((unrated.properties as { severitySource: string }).severitySource, 'none');
  assert.match(unrated.message, /severity unknown \(no advisory gives a score or rating\)/);
  // It sorts after low and before info (the one order), visible as unknown.
  const order = fs.map((f) => f.severity).filter((s, i, a) => a.indexOf(s) === i);
  assert.ok(order.indexOf('unknown') > order.indexOf('low') && order.indexOf('unknown') < order.indexOf('info'));
  // glibc 2.36-9+deb12u7 is past the fix for CVE-2023-4911 (2.36-9+deb12u3); minimist 1.2.6 is the fix.
  assert.ok(!fs.some((f) => f.ruleId === 'CVE-2023-4911'));
  const tmpl = fs.find((f) => f.ruleId === 'CVE-2021-23337')!;
  const p = tmpl.properties as Record<string, unknown>;
  assert.deepEqual(p.aliases, ['GHSA-35jh-r3h4-6jhm']);
  assert.equal(p.origin, 'own');
  assert.equal(p.cvssScore, 7.2);
  assert.equal(p.advisoryUrl, 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
  assert.equal(tmpl.path, '/app/node_modules/lodash/package.json');
  assert.match(tmpl.message, /Introduced in layer 1 \(RUN npm install lodash@4\.17\.20/);
  const tar = fs.find((f) => f.ruleId === 'CVE-2005-2541')!;
  assert.equal((tar.properties as { origin: string }).origin, 'base');
  assert.equal((tar.properties as { severitySource: string }).severitySource, 'Debian urgency');
  assert.match(tar.message, /No fix available yet/);
  const coreutils = fs.find((f) => f.ruleId === 'CVE-2016-2781')!;
  assert.deepEqual((coreutils.properties as { aliases: string[] }).aliases, ['DEBIAN-CVE-2016-2781']);
  // Debian's python3-urllib3 is not matched against PyPI (its fixes come as Debian updates).
  assert.ok(!fs.some((f) => f.ruleId === 'CVE-2023-43804'));
  const sum = fs.find((f) => f.ruleId === 'vulnerability-summary')!;
  assert.match(
    sum.message,
    /^5 known vulnerabilities \(1 critical, 1 high, 1 medium, 1 low, 1 unknown\) in 5 packages: 2 in the base image \(layer 0\), 3 in your layers\. The single change that fixes the most: upgrade minimist to 0\.2\.4: fixes 1\.$/,
  );
  assert.equal(sum.title, '5 known vulnerabilities in 5 packages: 2 in the base image (layer 0), 3 in your layers');
  assert.deepEqual((sum.properties as { baseImage: unknown }).baseImage, {
    layers: 1,
    how: 'history-cmd',
    name: null,
    digest: null,
    namedBy: null,
    vulnerabilities: 2,
  });
});

test('the version order of each ecosystem decides: the fixed version and later are not affected', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the fixtures' literal types differ per advisory
  const rec = (a: any) => ({
    id: 'X',
    severity: { level: 'high' as const, source: 'x' },
    url: '',
    ranges: (a.affected[0].ranges as Array<{ type: string; events: object[] }>).map((r) => ({
      type: r.type as 'ECOSYSTEM',
      events: r.events.map((e) => Object.entries(e)[0] as [string, string]),
    })),
  });
  const glibc = rec(ADVISORIES.glibcLooneyTunables);
  assert.deepEqual(affects(glibc, 'Debian:12', '2.36-9+deb12u2'), { fixed: '2.36-9+deb12u3' });
  assert.equal(affects(glibc, 'Debian:12', '2.36-9+deb12u3'), undefined);
  assert.equal(
    affects(glibc, 'Debian:12', '2.36-9+deb12u10'),
    undefined,
    'u10 > u3 in dpkg order, not in string order',
  );
  const minimist = rec(ADVISORIES.minimist);
  assert.deepEqual(affects(minimist, 'npm', '1.2.5'), { fixed: '1.2.6' });
  assert.deepEqual(affects(minimist, 'npm', '0.1.0'), { fixed: '0.2.4' });
  assert.equal(affects(minimist, 'npm', '0.2.4'), undefined);
  assert.equal(affects(minimist, 'npm', '1.2.6'), undefined);
  const go = rec(ADVISORIES.goSetuid);
  assert.deepEqual(affects(go, 'Go', '1.19.8'), { fixed: '1.19.10' });
  assert.deepEqual(affects(go, 'Go', '1.20.4'), { fixed: '1.20.5' });
  assert.equal(affects(go, 'Go', '1.19.10'), undefined);
  const last = {
    ...glibc,
    ranges: [
      {
        type: 'ECOSYSTEM' as const,
        events: [
          ['introduced', '1.0'],
          ['last_affected', '1.5'],
        ] as Array<[string, string]>,
      },
    ],
  };
  assert.deepEqual(affects(last, 'PyPI', '1.5'), { fixed: null });
  assert.equal(affects(last, 'PyPI', '1.5.1'), undefined);
  const listed = { ...glibc, ranges: [], versions: ['2.0.0'] };
  assert.deepEqual(affects(listed, 'npm', '2.0.0'), { fixed: null });
  assert.equal(affects(listed, 'npm', '2.0.1'), undefined);
});

test('aliases merged across advisories: one finding per CVE per package', async () => {
  const mirror = join(root, 'mirror2');
  mkdirSync(join(mirror, 'npm'), { recursive: true });
  // A second advisory naming the same CVE (as OSV's other sources do): merged with the GHSA.
  const twin = {
    ...ADVISORIES.lodashTemplate,
    id: 'CVE-2021-23337',
    aliases: ['GHSA-35jh-r3h4-6jhm'],
    severity: [],
    database_specific: { severity: 'CRITICAL' },
  };
  writeFileSync(join(mirror, 'npm', 'all.zip'), osvZip([ADVISORIES.lodashTemplate, twin]));
  await updateDb({ dir: join(root, 'db2'), base: mirror, ecosystems: ['npm'] });
  const db2 = openIndex(join(root, 'db2', INDEX_FILE));
  try {
    const fs = await check({ layers: [IMAGE.layers[1]] }, { vulnerabilities: { db: db2 }, now: new Date() });
    const lodash = vulns(fs).filter((f) => f.key === 'lodash');
    assert.equal(lodash.length, 1);
    assert.equal(lodash[0].ruleId, 'CVE-2021-23337');
    assert.equal(lodash[0].severity, 'critical', 'the most severe rating of the merged advisories');
  } finally {
    db2.close();
  }
});

test('thousands of advisories of one package are merged in linear time, transitively', async () => {
  // 30,000 advisories for one package, each pair naming one CVE (as a GHSA and a distribution's
  // record do): comparing each record with every group so far took 23 s here (now 1.5 s).
  const pairs = 15_000;
  const affected = [
    { package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
  ];
  const advisories = Array.from({ length: pairs }, (_, i) => [
    { id: `GHSA-a${i}`, aliases: [`CVE-2099-${i}`], modified: '2026-01-01T00:00:00Z', affected },
    { id: `OSV-b${i}`, aliases: [`CVE-2099-${i}`], modified: '2026-01-01T00:00:00Z', affected },
  ]).flat();
  // One more that names two of them: their groups become one (CVE-2099-0 and CVE-2099-1).
  advisories.push({ id: 'OSV-link', aliases: ['GHSA-a1', 'OSV-b0'], modified: '2026-01-01T00:00:00Z', affected });
  const mirror = join(root, 'mirror-many');
  mkdirSync(join(mirror, 'npm'), { recursive: true });
  writeFileSync(join(mirror, 'npm', 'all.zip'), osvZip(advisories));
  await updateDb({ dir: join(root, 'db-many'), base: mirror, ecosystems: ['npm'] });
  const many = openIndex(join(root, 'db-many', INDEX_FILE));
  try {
    const t0 = performance.now();
    const fs = await check({ layers: [IMAGE.layers[1]] }, { vulnerabilities: { db: many }, now: new Date() });
    const ms = performance.now() - t0;
    const lodash = vulns(fs).filter((f) => f.key === 'lodash');
    assert.equal(lodash.length, pairs - 1);
    const linked = lodash.find((f) => f.ruleId === 'CVE-2099-0')!;
    assert.deepEqual((linked.properties as { aliases: string[] }).aliases, [
      'CVE-2099-1',
      'GHSA-a0',
      'GHSA-a1',
      'OSV-b0',
      'OSV-b1',
      'OSV-link',
    ]);
    assert.ok(lodash.some((f) => f.ruleId === 'CVE-2099-14999'));
    assert.ok(ms < 8_000, `${Math.round(ms)} ms`);
  } finally {
    many.close();
  }
});

test('.layerlensignore by id or alias, with expiry; --fail-on sees vulnerability severities', async () => {
  const { entries } = parseIgnoreFile(
    'GHSA-35jh-r3h4-6jhm until=2099-01-01 # template not used\nCVE-2021-44906 until=2020-01-01 # expired\n',
  );
  const warnings: string[] = [];
  const fs = await scanWithCmd({ ignore: entries, onWarning: (w) => warnings.push(w) });
  assert.ok(!fs.some((f) => f.ruleId === 'CVE-2021-23337'), 'ignored by its GHSA alias');
  assert.ok(
    fs.some((f) => f.ruleId === 'CVE-2021-44906'),
    'expired entry: reported again',
  );
  assert.ok(warnings.some((w) => /expired/.test(w)));
});

test("the database's own state: missing, stale, without an ecosystem the image needs", async () => {
  const none = await check({ layers: IMAGE.layers }, { vulnerabilities: { db: undefined, looked: ['/x'] } });
  const missing = none.find((f) => f.ruleId === 'vulnerability-db-missing')!;
  assert.equal(missing.severity, 'info');
  assert.match(missing.message, /looked in \/x.*were not checked/);
  assert.equal(vulns(none).length, 0);
  const later = new Date(Date.now() + 30 * 86_400_000);
  const stale = await check({ layers: IMAGE.layers }, { vulnerabilities: { db, maxAgeDays: 7 }, now: later });
  const s = stale.find((f) => f.ruleId === 'vulnerability-db-stale')!;
  assert.match(s.message, /30 days ago|29 days ago/);
  assert.match(s.message, /not evidence/);
  const fresh = await check({ layers: IMAGE.layers }, { vulnerabilities: { db, maxAgeDays: 7 }, now: new Date() });
  assert.ok(!fresh.some((f) => f.ruleId === 'vulnerability-db-stale'));
  // A jar in the image, no Maven advisories in the database.
  const { zipOf, pomProperties } = await import('../../support/package-files.js');
  const jar = zipOf({
    'META-INF/maven/org.yaml/snakeyaml/pom.properties': pomProperties('org.yaml', 'snakeyaml', '1.33'),
  });
  const withJar = await check(
    { layers: [{ entries: [{ name: 'app.jar', content: jar }] }] },
    { vulnerabilities: { db }, now: new Date() },
  );
  assert.match(withJar.find((f) => f.ruleId === 'vulnerability-db-incomplete')!.message, /1 packages of Maven/);
  // No vulnerability context at all (a caller that did not ask): no vulnerability findings.
  const off = await check({ layers: IMAGE.layers });
  assert.equal(off.filter((f) => f.category === 'vulnerability').length, 0);
});
