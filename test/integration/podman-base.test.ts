/**
 * Base image vs your layers from what a real builder writes: Podman (Buildah) builds an image on
 * the realistic Debian image (`podman load` of its `docker save` archive) with real old npm
 * packages from the npm registry, and writes `org.opencontainers.image.base.name` /
 * `base.digest` on the manifest and `FROM <base>` on the first history step of the new image.
 * `podman save --format oci-dir` gives the OCI layout layerlens scans, with a database built by
 * `db update` from the OSV fixtures. Podman runs on a private storage root (vfs) in the test's
 * work directory, so it touches nothing of the machine's.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { layerlensCli, requireEnv, run, which } from '../support/harness.js';
import { writeOsvMirror } from '../support/osv-fixtures.js';
import { ensureRealisticImage, realisticSkipReason } from '../support/realistic.js';

const skip = realisticSkipReason() ?? (which('podman') ? undefined : 'needs podman on PATH');

const cli = (args: string[]) => layerlensCli(args, { timeoutMs: 5 * 60_000 });

test('an image Podman built on a base: the annotation names it, its FROM mark ends it', {
  skip,
  timeout: 40 * 60_000,
}, async () => {
  const env = requireEnv();
  const log = (s: string) => process.stderr.write(`[podman-base] ${s}\n`);
  const { archive } = await ensureRealisticImage(log);
  const work = mkdtempSync(join(env.workdir, 'podman-base-'));
  const podman = (args: string[], timeoutMs = 10 * 60_000) =>
    run(
      'podman',
      [
        '--root',
        join(work, 'storage'),
        '--runroot',
        join(work, 'run'),
        '--storage-driver',
        'vfs',
        '--events-backend',
        'none',
        '--cgroup-manager',
        'cgroupfs',
        ...args,
      ],
      { timeoutMs },
    );
  try {
    const BASE = 'localhost/layerlens-it/nginx-base:1';
    log('podman load of the realistic image');
    const loaded = await podman(['load', '-q', '-i', archive]);
    const id = loaded.stdout.match(/Loaded image(?:\(s\))?: (\S+)/)?.[1];
    assert.ok(id, loaded.stdout);
    await podman(['tag', id, BASE]);
    const app = join(work, 'app');
    mkdirSync(join(app, 'js'), { recursive: true });
    writeFileSync(join(app, 'js', 'package.json'), JSON.stringify({ name: 'it-app', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', 'lodash@4.17.20'], {
      cwd: join(app, 'js'),
      stdio: 'ignore',
    });
    // COPY only: no RUN, so the build needs no container runtime.
    writeFileSync(join(app, 'Containerfile'), `FROM ${BASE}\nCOPY js/node_modules /srv/app/node_modules\n`);
    log('podman build');
    await podman([
      'build',
      '-q',
      '--pull=never',
      '-f',
      join(app, 'Containerfile'),
      '-t',
      'localhost/layerlens-it/app:1',
      app,
    ]);
    const layout = join(work, 'layout');
    await podman(['save', '--format', 'oci-dir', '-o', layout, 'localhost/layerlens-it/app:1']);

    const mirror = writeOsvMirror(join(work, 'mirror'), ['npm', 'Debian']);
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
    ]);
    assert.equal(up.code, 0, up.stderr);

    const r = await cli(['scan', layout, '--db', db, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const layers = doc.image.layers.filter((l: { index: number | null }) => l.index !== null);
    const copy = layers.find((l: { createdBy: string | null }) =>
      /srv\/app\/node_modules/.test(l.createdBy ?? ''),
    ).index;
    assert.equal(copy, layers.length - 1, 'the COPY is the last layer');
    const summary = doc.findings.find((f: { ruleId: string }) => f.ruleId === 'vulnerability-summary');
    assert.ok(summary, 'vulnerabilities were checked');
    assert.equal(summary.properties.baseImage.how, 'builder-comment');
    assert.equal(summary.properties.baseImage.name, BASE);
    assert.equal(summary.properties.baseImage.namedBy, 'annotation');
    assert.match(summary.properties.baseImage.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(summary.properties.baseImage.layers, copy, 'every layer below the COPY is the base');
    const vulns = doc.findings.filter(
      (f: { category: string; ruleId: string }) =>
        f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-'),
    );
    const lodash = vulns.find((f: { key: string }) => f.key === 'lodash');
    assert.equal(lodash.properties.origin, 'own');
    assert.equal(lodash.layerIndex, copy);
    const coreutils = vulns.find((f: { key: string }) => f.key === 'coreutils');
    assert.equal(coreutils.properties.origin, 'base');
    const base = BASE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(
      summary.title,
      new RegExp(`\\d+ in the base image \\(layers 0–${copy - 1}, ${base}\\), 1 in your layers$`),
    );
  } finally {
    await podman(['rm', '-a', '-f']).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
});
