/**
 * OSV advisories in the real schema (osv.dev, schema 1.x), written here from the facts of real
 * published advisories: ids, aliases, affected packages, ranges, fixed versions and, where given,
 * CVSS vectors or ratings. Summaries are short paraphrases. Two entries are local test ids: one
 * for the `withdrawn` field, one (for a made-up package name) for an advisory that gives no score
 * or rating at all, which layerlens reports as severity `unknown`. `osvZip` packs them the way
 * OSV's bucket does (one JSON file per advisory).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipOf } from './package-files.js';

const cvss3 = (score: string) => [{ type: 'CVSS_V3', score }];

export const ADVISORIES = {
  lodashTemplate: {
    schema_version: '1.4.0',
    id: 'GHSA-35jh-r3h4-6jhm',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2021-23337'],
    summary: 'Command injection in lodash template',
    severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H'),
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      },
    ],
    references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' }],
    database_specific: { severity: 'HIGH', github_reviewed: true },
  },
  lodashZipObjectDeep: {
    id: 'GHSA-p6mc-m468-83gw',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2020-8203'],
    summary: 'Prototype pollution in lodash zipObjectDeep',
    severity: cvss3('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H'),
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.7.0' }, { fixed: '4.17.19' }] }],
      },
    ],
    database_specific: { severity: 'HIGH' },
  },
  minimist: {
    id: 'GHSA-xvch-5gv4-984h',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2021-44906'],
    summary: 'Prototype pollution in minimist',
    severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    affected: [
      {
        package: { ecosystem: 'npm', name: 'minimist' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.2.4' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }] },
        ],
      },
    ],
    database_specific: { severity: 'CRITICAL' },
  },
  withdrawn: {
    id: 'LAYERLENS-TEST-WITHDRAWN-1',
    modified: '2024-01-01T00:00:00Z',
    withdrawn: '2024-02-01T00:00:00Z',
    affected: [
      { package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
    ],
  },
  unrated: {
    id: 'LAYERLENS-TEST-UNRATED-1',
    modified: '2024-01-01T00:00:00Z',
    summary: 'An advisory with neither a CVSS vector nor a rating',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'layerlens-test-unrated' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
    ],
  },
  glibcLooneyTunables: {
    id: 'DEBIAN-CVE-2023-4911',
    modified: '2024-01-01T00:00:00Z',
    upstream: ['CVE-2023-4911'],
    summary: 'Buffer overflow in the dynamic loader (GLIBC_TUNABLES)',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'glibc' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }],
      },
    ],
  },
  coreutilsChroot: {
    id: 'DEBIAN-CVE-2016-2781',
    modified: '2024-01-01T00:00:00Z',
    upstream: ['CVE-2016-2781'],
    summary: 'chroot --userspec: TIOCSTI from a session keeps the terminal',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:C/C:N/I:H/A:N' }],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'coreutils' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      },
    ],
  },
  tarSetuid: {
    id: 'DEBIAN-CVE-2005-2541',
    modified: '2024-01-01T00:00:00Z',
    upstream: ['CVE-2005-2541'],
    summary: 'tar does not warn about setuid files when extracting',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'tar' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        ecosystem_specific: { urgency: 'unimportant' },
      },
    ],
  },
  goSetuid: {
    id: 'GO-2023-1840',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2023-29403'],
    summary: 'Unsafe behavior in setuid/setgid binaries in runtime',
    affected: [
      {
        package: { ecosystem: 'Go', name: 'stdlib' },
        ranges: [
          {
            type: 'SEMVER',
            events: [{ introduced: '0' }, { fixed: '1.19.10' }, { introduced: '1.20.0-0' }, { fixed: '1.20.5' }],
          },
        ],
      },
    ],
  },
  urllib3Cookie: {
    id: 'GHSA-v845-jxx5-vc9f',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2023-43804'],
    summary: 'Cookie request header is not stripped during cross-origin redirects',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'urllib3' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.26.17' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '2.0.6' }] },
        ],
      },
    ],
  },
  snakeyaml: {
    id: 'GHSA-mjmj-j48q-9wg2',
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2022-1471'],
    summary: 'SnakeYaml Constructor deserialization',
    affected: [
      {
        package: { ecosystem: 'Maven', name: 'org.yaml:snakeyaml' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
      },
    ],
    database_specific: { severity: 'HIGH' },
  },
};

/** An all.zip of these advisories (one `ID.json` per advisory), as OSV's bucket serves it. */
export function osvZip(advisories: object[]): Buffer {
  return zipOf(Object.fromEntries(advisories.map((a) => [`${(a as { id: string }).id}.json`, JSON.stringify(a)])));
}

export const NPM_ZIP = () =>
  osvZip([
    ADVISORIES.lodashTemplate,
    ADVISORIES.lodashZipObjectDeep,
    ADVISORIES.minimist,
    ADVISORIES.withdrawn,
    ADVISORIES.unrated,
  ]);
export const DEBIAN_ZIP = () =>
  osvZip([ADVISORIES.glibcLooneyTunables, ADVISORIES.coreutilsChroot, ADVISORIES.tarSetuid]);
export const GO_ZIP = () => osvZip([ADVISORIES.goSetuid]);
export const PYPI_ZIP = () => osvZip([ADVISORIES.urllib3Cookie]);
export const MAVEN_ZIP = () => osvZip([ADVISORIES.snakeyaml]);

const ZIPS = { npm: NPM_ZIP, Debian: DEBIAN_ZIP, Go: GO_ZIP, PyPI: PYPI_ZIP, Maven: MAVEN_ZIP } as const;
export type FixtureEcosystem = keyof typeof ZIPS;

/** `dir/<Ecosystem>/all.zip` for each ecosystem, the layout `db update --db-url DIR` reads; returns `dir`. */
export function writeOsvMirror(dir: string, ecosystems: readonly FixtureEcosystem[] = ['npm', 'Debian']): string {
  for (const eco of ecosystems) {
    mkdirSync(join(dir, eco), { recursive: true });
    writeFileSync(join(dir, eco, 'all.zip'), ZIPS[eco]());
  }
  return dir;
}
