/**
 * Known vulnerabilities end to end with real parts: a Debian base made by debootstrap (with a CMD
 * step, as debian's official image has), real old npm packages installed from the npm registry
 * (lodash 4.17.20, minimist 1.2.5; minimist 1.2.6 is the fix), Debian's python3-urllib3 (its
 * dist-info as a Debian-based Python image carries it), a Go binary built by Debian's Go
 * toolchain when installed; the image built by the real Docker engine; `layerlens db update` from
 * a mirror directory of OSV fixtures (real advisories' facts), then `layerlens scan`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docker, layerlensCli, requireEnv } from '../support/harness.js';
import { ensureRealisticBase, realisticSkipReason } from '../support/realistic.js';
import { writeOsvMirror } from '../support/osv-fixtures.js';
import { goBinary, hasGo } from '../support/package-files.js';

const skip = realisticSkipReason();

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => layerlensCli(args, { env, timeoutMs: 10 * 60_000 });

test('a real image: the expected vulnerabilities at the right layers, none for fixed versions', {
  skip,
  timeout: 40 * 60_000,
}, async () => {
  const env = requireEnv();
  const log = (s: string) => process.stderr.write(`[vulns] ${s}\n`);
  const minbase = await ensureRealisticBase(log);
  const work = mkdtempSync(join(env.workdir, 'vulns-'));
  try {
    // The base: debootstrap's rootfs plus its CMD step (debian's own Dockerfile ends that way).
    const baseCtx = join(work, 'base');
    mkdirSync(baseCtx);
    writeFileSync(join(baseCtx, 'Dockerfile'), `FROM ${minbase}\nCMD ["bash"]\n`);
    await docker(['build', '-q', '-t', 'layerlens-it/vulns-base:1', baseCtx], { timeoutMs: 10 * 60_000 });
    // Real old npm packages from the npm registry.
    const app = join(work, 'app');
    mkdirSync(join(app, 'js'), { recursive: true });
    writeFileSync(join(app, 'js', 'package.json'), JSON.stringify({ name: 'it-app', version: '1.0.0', private: true }));
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', 'lodash@4.17.20', 'minimist@1.2.5'],
      {
        cwd: join(app, 'js'),
        stdio: 'ignore',
      },
    );
    mkdirSync(join(app, 'fixed'), { recursive: true });
    writeFileSync(
      join(app, 'fixed', 'package.json'),
      JSON.stringify({ name: 'it-fixed', version: '1.0.0', private: true }),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', 'minimist@1.2.6'], {
      cwd: join(app, 'fixed'),
      stdio: 'ignore',
    });
    const go = hasGo();
    if (go) writeFileSync(join(app, 'hello'), goBinary().binary, { mode: 0o755 });
    writeFileSync(
      join(app, 'Dockerfile'),
      [
        'FROM layerlens-it/vulns-base:1',
        'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-urllib3 && rm -rf /var/lib/apt/lists/*',
        'COPY js/node_modules /srv/app/node_modules',
        'COPY fixed/node_modules /srv/fixed/node_modules',
        ...(go ? ['COPY hello /usr/local/bin/hello'] : []),
        '',
      ].join('\n'),
    );
    log('docker build --network host: python3-urllib3, npm packages' + (go ? ', a Go binary' : ''));
    await docker(['build', '-q', '--network', 'host', '-t', 'layerlens-it/vulns-app:1', app], {
      timeoutMs: 20 * 60_000,
    });

    // The database, from a mirror directory in the OSV bucket's layout.
    const mirror = writeOsvMirror(join(work, 'mirror'), ['npm', 'Debian', 'Go', 'PyPI']);
    const db = join(work, 'db');
    const up = await cli([
      'db',
      'update',
      '--db',
      db,
      '--db-url',
      mirror,
      '--ecosystem',
      'npm',
      '--ecosystem',
      'Debian',
      '--ecosystem',
      'Go',
      '--ecosystem',
      'PyPI',
    ]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /updated: npm, Debian, Go, PyPI/);
    const status = await cli(['db', 'status', '--db', db]);
    assert.match(status.stdout, /npm: 5 advisories \(1 withdrawn\)/); // with the unrated one

    const r = await cli([
      'scan',
      'layerlens-it/vulns-app:1',
      '--source',
      'docker',
      '--db',
      db,
      '--format',
      'json',
      '--fail-on',
      'critical',
    ]);
    assert.equal(r.code, 1, `minimist 1.2.5 is critical: ${r.stderr}`);
    const doc = JSON.parse(r.stdout);
    const vulns = doc.findings.filter(
      (f: { category: string; ruleId: string }) =>
        f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-'),
    );
    const by = (id: string, pkg?: string) =>
      vulns.filter((f: { ruleId: string; key: string }) => f.ruleId === id && (!pkg || f.key === pkg));
    const layers = doc.image.layers.filter((l: { index: number | null }) => l.index !== null);
    const layerOf = (re: RegExp) => layers.find((l: { createdBy: string | null }) => re.test(l.createdBy ?? '')).index;
    // npm: lodash 4.17.20 (fixed in 4.17.21) and minimist 1.2.5 (fixed in 1.2.6) from the COPY layer; 1.2.6 clean.
    const lodash = by('CVE-2021-23337', 'lodash');
    assert.equal(lodash.length, 1);
    assert.equal(lodash[0].layerIndex, layerOf(/\/srv\/app\/node_modules/));
    assert.equal(lodash[0].properties.origin, 'own');
    assert.equal(lodash[0].properties.fixedVersion, '4.17.21');
    const minimist = by('CVE-2021-44906', 'minimist');
    assert.equal(minimist.length, 1, 'only 1.2.5; 1.2.6 is the fixed version');
    assert.equal(minimist[0].properties.installedVersion, '1.2.5');
    assert.equal(minimist[0].path, '/srv/app/node_modules/minimist/package.json');
    // Debian base: coreutils and tar have no fix in bookworm; glibc is past the Looney Tunables fix.
    const coreutils = by('CVE-2016-2781', 'coreutils');
    assert.equal(coreutils.length, 1);
    assert.equal(coreutils[0].layerIndex, 0);
    assert.equal(coreutils[0].properties.origin, 'base');
    assert.equal(coreutils[0].properties.fixedVersion, null);
    assert.equal(by('CVE-2005-2541', 'tar').length, 1);
    assert.equal(by('CVE-2023-4911').length, 0, 'bookworm glibc is past 2.36-9+deb12u3');
    // Debian's urllib3 dist-info: in the inventory at its layer, matched through Debian, not PyPI.
    assert.equal(by('CVE-2023-43804').length, 0);
    if (go) {
      const gov = by('CVE-2023-29403', 'stdlib');
      assert.equal(gov.length, 1, "Debian's Go 1.19.8 predates the fix (1.19.10)");
      assert.equal(gov[0].layerIndex, layerOf(/\/usr\/local\/bin\/hello/));
    }
    const summary = doc.findings.find((f: { ruleId: string }) => f.ruleId === 'vulnerability-summary');
    assert.match(summary.message, /in the base image \(layer 0\), \d+ in your layers/);
    // The SBOM: every ecosystem with its layer.
    const sbom = await cli([
      'scan',
      'layerlens-it/vulns-app:1',
      '--source',
      'docker',
      '--db',
      db,
      '--format',
      'cyclonedx',
    ]);
    const comps = JSON.parse(sbom.stdout).components as Array<{
      purl?: string;
      properties?: Array<{ name: string; value: string }>;
    }>;
    const comp = (purl: string) => comps.find((c) => c.purl?.startsWith(purl));
    const urllib3 = comp('pkg:pypi/urllib3@');
    assert.ok(urllib3, 'dist-info of python3-urllib3');
    assert.equal(
      urllib3.properties?.find((p) => p.name === 'layerlens:layer-index')?.value,
      String(layerOf(/apt-get install/)),
    );
    assert.ok(comp('pkg:npm/lodash@4.17.20'));
    assert.ok(comp('pkg:deb/debian/coreutils@'));
    // No database: every other check still runs, and one line says how to get one.
    const none = await cli([
      'scan',
      'layerlens-it/vulns-app:1',
      '--source',
      'docker',
      '--db',
      join(work, 'empty'),
      '--format',
      'json',
    ]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /no vulnerability database.*layerlens db update/);
    assert.ok(
      JSON.parse(none.stdout).findings.some((f: { ruleId: string }) => f.ruleId === 'vulnerability-db-missing'),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
