/**
 * Known vulnerabilities in a comparison, against a real index built from OSV fixtures (real
 * advisories' facts): fixed by NEW, introduced by NEW, kept (a package upgraded but still affected
 * stays one vulnerability, not fixed and introduced again).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TarSpec } from '../../../src/engine/build-tar.js';
import type { VulnDb } from '../../../src/vulndb/index.js';
import { compareTestImages } from '../../support/compare-image.js';
import type { TestImage } from '../../support/findings-image.js';
import { fixtureVulnDb } from '../../support/vuln-db.js';

let db: VulnDb;
let dispose: () => void;

before(async () => {
  ({ db, dispose } = await fixtureVulnDb());
});
after(() => dispose?.());

const dpkg = (pkgs: Array<[string, string, string?]>): TarSpec => ({
  name: 'var/lib/dpkg/status',
  content: pkgs
    .map(
      ([n, v, src]) => `Package: ${n}\nStatus: install ok installed\nVersion: ${v}\n${src ? `Source: ${src}\n` : ''}`,
    )
    .join('\n'),
});
const osRelease: TarSpec = {
  name: 'etc/os-release',
  content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
};
const npm = (name: string, version: string): TarSpec => ({
  name: `app/node_modules/${name}/package.json`,
  content: JSON.stringify({ name, version }),
});

test('fixed by NEW, introduced by NEW, kept across an upgrade that does not fix it', async () => {
  const image = (libc: string, coreutils: string, lodash: string): TestImage => ({
    layers: [
      {
        entries: [
          osRelease,
          dpkg([
            ['libc6', libc, 'glibc'],
            ['coreutils', coreutils],
          ]),
        ],
      },
      { entries: [npm('lodash', lodash)] },
    ],
  });
  // OLD: glibc before the Looney Tunables fix; NEW: after it, and lodash before the template fix.
  // coreutils has no fix for CVE-2016-2781: upgraded, still affected.
  const { cmp } = await compareTestImages(
    image('2.36-9+deb12u1', '9.1-1', '4.17.21'),
    image('2.36-9+deb12u4', '9.1-1+b1', '4.17.20'),
    { db },
  );
  const v = cmp.vulnerabilities;
  assert.equal(v.checked, true);
  assert.deepEqual(
    v.fixed.map((x) => `${x.id} ${x.package} ${x.version} ${x.fixedVersion}`),
    ['CVE-2023-4911 glibc 2.36-9+deb12u1 2.36-9+deb12u3'],
  );
  assert.deepEqual(
    v.introduced.map((x) => `${x.id} ${x.package} ${x.version} ${x.fixedVersion} ${x.severity}`),
    ['CVE-2021-23337 lodash 4.17.20 4.17.21 high'],
  );
  assert.equal(v.unchanged, 1, 'coreutils: upgraded but still affected, one vulnerability kept');
  assert.ok(cmp.packages.upgraded.some((p) => p.name === 'coreutils'));
  assert.ok(cmp.packages.downgraded.some((p) => p.name === 'lodash'));
  // The same ones are findings NEW introduces and resolves (what --fail-on judges).
  assert.ok(cmp.findings.new.some((f) => f.ruleId === 'CVE-2021-23337'));
  assert.ok(cmp.findings.resolved.some((f) => f.ruleId === 'CVE-2023-4911'));
});

test('without a database nothing is said fixed or introduced', async () => {
  const img: TestImage = { layers: [{ entries: [osRelease, dpkg([['libc6', '2.36-9+deb12u1', 'glibc']])] }] };
  const { cmp } = await compareTestImages(img, img);
  assert.equal(cmp.vulnerabilities.checked, false);
  assert.deepEqual(cmp.vulnerabilities.fixed, []);
  assert.deepEqual(cmp.vulnerabilities.introduced, []);
});
