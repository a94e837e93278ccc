/**
 * `layerlens diff` and `layerlens shared` end to end on images built by the real Docker engine
 * (test/support/diff-images.ts): an app rebuilt on an updated base, compared across sources
 * (daemon, docker save archive, OCI layout, registry), every difference asserted; identical
 * images from two sources report no difference.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureDiffImages, type DiffImages } from '../support/diff-images.js';
import { docker, layerlensCli, skipReasonUnless } from '../support/harness.js';
import { ensureRealisticImageV2, realisticSkipReason } from '../support/realistic.js';
import { fixtureVulnDb } from '../support/vuln-db.js';

const skip = skipReasonUnless('skopeo');

const layerlens = (args: string[]) => layerlensCli(args, { timeoutMs: 10 * 60_000 });

interface DiffDoc {
  report: string;
  identical: boolean;
  old: { source: string };
  new: { source: string };
  summary: { findings: { new: Record<string, number> } };
  layers: {
    rows: Array<{ relation: string }>;
    commonPrefix: number;
    divergence: { layer: number } | null;
    shared: { byDiffId: number };
  };
  files: {
    entries: Array<{
      path: string;
      change: string;
      aspects: string[];
      old: { digest: string | null } | null;
      new: { digest: string | null } | null;
    }>;
    timestampOnly: number;
  };
  packages: {
    added: Array<{ ecosystem: string; name: string }>;
    removed: Array<{ ecosystem: string; name: string }>;
    changed: Array<{ ecosystem: string; name: string; old: string; new: string }>;
    upgraded: Array<{ ecosystem: string; name: string; old: string; new: string }>;
    downgraded: Array<{ ecosystem: string; name: string; old: string; new: string }>;
    unchanged: number;
  };
  config: {
    exposedPorts: { added: string[]; removed: string[] };
    env: Array<{ key: string; change: string; new: string | null }>;
    user: unknown;
  };
  findings: {
    new: Array<{ ruleId: string; path: string | null; key: string | null; severity: string; evidence: string | null }>;
    resolved: Array<{ ruleId: string; path: string | null }>;
    unchanged: Array<{ ruleId: string; moved: boolean }>;
  };
}

async function diffJson(
  oldRef: string,
  newRef: string,
  extra: string[] = [],
): Promise<{ doc: DiffDoc; raw: string; code: number }> {
  const r = await layerlens(['diff', oldRef, newRef, '--format', 'json', ...extra]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { doc: JSON.parse(r.stdout) as DiffDoc, raw: r.stdout, code: r.code };
}

/** Every difference between app-a:1 and app-a:2, whatever the sources. */
function assertRebuildDiff(d: DiffDoc, raw: string, fx: DiffImages): void {
  assert.equal(d.report, 'diff');
  assert.equal(d.identical, false);
  // Layers: the busybox layer is the same in both bases; the base's files layer and the app's
  // COPY are the same steps with other content (the classic builder's COPY hashes differ).
  assert.equal(d.layers.commonPrefix, 1);
  assert.equal(d.layers.divergence?.layer, 1);
  assert.equal(d.layers.shared.byDiffId, 1);
  assert.deepEqual(
    d.layers.rows.map((r) => r.relation),
    ['shared', 'rebuilt', 'rebuilt'],
  );

  const e = (p: string) => d.files.entries.find((x) => x.path === p);
  assert.equal(e('/etc/legacy.conf')?.change, 'removed');
  assert.deepEqual(e('/etc/base.ini')?.aspects, ['size', 'content']);
  assert.equal(e('/app/.aws/credentials')?.change, 'added');
  const data = e('/app/data.bin');
  assert.deepEqual(data?.aspects, ['content'], 'same size, other bytes');
  assert.match(data!.old!.digest!, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(data!.old!.digest, data!.new!.digest);
  assert.equal(e('/app/run.sh'), undefined, 'unchanged content is no change');
  assert.equal(e('/bin/busybox'), undefined);
  // Rebuilt, same content, another modification time: /etc/os-release, /app/run.sh, /app/settings.ini.
  assert.equal(d.files.timestampOnly, 3);

  // Packages of every ecosystem, ordered as each orders its versions.
  assert.deepEqual(
    d.packages.added.map((p) => p.name),
    ['curl'],
  );
  assert.deepEqual(
    d.packages.removed.map((p) => p.name),
    ['libfoo1'],
  );
  assert.deepEqual(
    d.packages.upgraded.map((p) => `${p.name} ${p.old} ${p.new}`),
    ['libc6 2.36-9+deb12u1 2.36-9+deb12u4', 'openssl 3.0.11-1~deb12u1 3.0.13-1~deb12u1'],
  );
  assert.deepEqual(
    d.packages.downgraded.map((p) => `${p.ecosystem} ${p.name} ${p.old} ${p.new}`),
    ['npm lodash 4.17.21 4.17.15'],
  );
  assert.equal(d.packages.changed.length, 0);
  assert.equal(d.packages.unchanged, 0);

  // Config: the port added, ENV added, USER unchanged.
  assert.deepEqual(d.config.exposedPorts, { added: ['5432/tcp'], removed: [] });
  assert.deepEqual(
    d.config.env.map((x) => `${x.change} ${x.key}=${x.new}`),
    ['added MODE=prod'],
  );
  assert.equal(d.config.user, null);

  // Findings: the AWS key and the database port are new; the base's token is resolved.
  const aws = d.findings.new.find((f) => f.ruleId === 'secret-aws-access-key-id');
  assert.ok(aws, JSON.stringify(d.findings.new.map((f) => f.ruleId)));
  assert.equal(aws.path, '/app/.aws/credentials');
  assert.ok(d.findings.new.some((f) => f.ruleId === 'port-database' && f.key === '5432/tcp'));
  assert.ok(d.findings.resolved.some((f) => f.ruleId === 'secret-github-pat' && f.path === '/etc/base.ini'));
  // The unchanged findings of a rebuilt image are not new: 8080 and the non-root user stay.
  assert.ok(d.findings.unchanged.some((f) => f.ruleId.startsWith('port-')));
  assert.ok(!d.findings.new.some((f) => f.key === '8080/tcp'));
  // Secrets never in full.
  assert.ok(!raw.includes(fx.secrets.awsKey), 'AWS key printed');
  assert.ok(!raw.includes(fx.secrets.baseToken), 'token printed');
}

test('diff: the app rebuilt on an updated base, daemon vs docker save archive', {
  skip,
  timeout: 15 * 60_000,
}, async () => {
  const fx = await ensureDiffImages();
  const { doc, raw } = await diffJson(`docker-daemon:${fx.images.a1}`, `docker-archive:${fx.archives.a2}`);
  assert.equal(doc.old.source, 'docker');
  assert.equal(doc.new.source, 'archive');
  assertRebuildDiff(doc, raw, fx);
});

test('diff: the same comparison from an OCI layout and the registry gives the same differences', {
  skip,
  timeout: 15 * 60_000,
}, async () => {
  const fx = await ensureDiffImages();
  const { doc, raw } = await diffJson(`oci:${fx.layouts.a1}:1`, `docker://${fx.registry.a2}`);
  assert.equal(doc.old.source, 'oci');
  assert.equal(doc.new.source, 'registry');
  assertRebuildDiff(doc, raw, fx);
  const daemon = (await diffJson(`docker-daemon:${fx.images.a1}`, `docker-archive:${fx.archives.a2}`)).doc;
  const files = (d: DiffDoc) => d.files.entries.map((x) => `${x.change} ${x.path} ${x.aspects.join(',')}`);
  assert.deepEqual(files(doc), files(daemon));
});

test('diff: the same image from two sources reports no difference', { skip, timeout: 15 * 60_000 }, async () => {
  const fx = await ensureDiffImages();
  for (const [a, b] of [
    [`docker-daemon:${fx.images.a1}`, `docker-archive:${fx.archives.a1}`],
    [`oci:${fx.layouts.a1}:1`, `docker://${fx.registry.a1}`],
  ]) {
    const { doc, code } = await diffJson(a, b, ['--fail-on', 'info']);
    assert.equal(doc.identical, true, `${a} vs ${b}: ${JSON.stringify(doc.files.entries.slice(0, 5))}`);
    assert.equal(code, 0);
    assert.ok(doc.layers.rows.every((r) => r.relation === 'shared'));
    const table = await layerlens(['diff', a, b]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /No differences/);
  }
});

test('diff: --fail-on judges what NEW introduces; table, Markdown and --output; --path narrows', {
  skip,
  timeout: 15 * 60_000,
}, async () => {
  const fx = await ensureDiffImages();
  const a = `docker-archive:${fx.archives.a1}`;
  const b = `docker-archive:${fx.archives.a2}`;
  // The new AWS key is high: fails at high, not at critical (the token it resolved does not count).
  assert.equal((await layerlens(['diff', a, b, '--fail-on', 'high', '--format', 'json'])).code, 1);
  assert.equal((await layerlens(['diff', a, b, '--fail-on', 'critical', '--format', 'json'])).code, 0);

  const table = await layerlens(['diff', a, b]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^Summary$/m);
  assert.match(table.stdout, /Findings introduced by new/);
  assert.match(table.stdout, /secret-aws-access-key-id/);
  assert.match(table.stdout, /\+ 5432\/tcp/);
  assert.match(table.stdout, /- \/etc\/legacy\.conf/);
  assert.ok(!table.stdout.includes(fx.secrets.awsKey));

  const dir = await mkdtemp(join(tmpdir(), 'layerlens-diff-'));
  try {
    const out = join(dir, 'diff.md');
    const md = await layerlens(['diff', a, b, '--format', 'markdown', '--output', out]);
    assert.equal(md.code, 0);
    assert.equal(md.stdout, '');
    const text = await readFile(out, 'utf8');
    assert.match(text, /^# layerlens diff: /);
    assert.match(text, /## Findings introduced by new/);
    assert.match(text, /<details>/);
    assert.ok(!text.includes(fx.secrets.awsKey));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const narrow = (await diffJson(a, b, ['--path', '/app/**'])).doc;
  assert.ok(narrow.files.entries.length > 0);
  assert.ok(
    narrow.files.entries.every((x) => x.path.startsWith('/app/')),
    JSON.stringify(narrow.files.entries.map((x) => x.path)),
  );
});

test('diff with a vulnerability database: what NEW fixes (glibc) and introduces (lodash)', {
  skip,
  timeout: 15 * 60_000,
}, async () => {
  const fx = await ensureDiffImages();
  const { dir, dispose } = await fixtureVulnDb();
  try {
    const { doc, code } = await diffJson(`docker-daemon:${fx.images.a1}`, `docker://${fx.registry.a2}`, [
      '--db',
      dir,
      '--db-max-age',
      '100000',
      '--fail-on',
      'high',
    ]);
    assert.equal(code, 1, 'NEW introduces high vulnerabilities');
    const v = (
      doc as unknown as {
        vulnerabilities: {
          checked: boolean;
          fixed: Array<{ id: string; package: string }>;
          introduced: Array<{ id: string; package: string }>;
        };
      }
    ).vulnerabilities;
    assert.equal(v.checked, true);
    assert.deepEqual(
      v.fixed.map((x) => `${x.id} ${x.package}`),
      ['CVE-2023-4911 glibc'],
    );
    assert.deepEqual(v.introduced.map((x) => `${x.id} ${x.package}`).sort(), [
      'CVE-2020-8203 lodash',
      'CVE-2021-23337 lodash',
    ]);
    const table = await layerlens([
      'diff',
      `docker-daemon:${fx.images.a1}`,
      `docker://${fx.registry.a2}`,
      '--db',
      dir,
      '--db-max-age',
      '100000',
    ]);
    assert.match(table.stdout, /^Vulnerabilities fixed by new \(1\)$/m);
    assert.match(table.stdout, /CVE-2023-4911 +glibc 2\.36-9\+deb12u1 \(Debian:12\) +fixed in 2\.36-9\+deb12u3/);
  } finally {
    dispose();
  }
});

test('shared: the layers and bytes app-a:1, app-b:1 (same base) and app-a:2 share', {
  skip,
  timeout: 15 * 60_000,
}, async () => {
  const fx = await ensureDiffImages();
  const r = await layerlens([
    'shared',
    `docker-archive:${fx.archives.a1}`,
    `docker-daemon:${fx.images.b1}`,
    `docker-archive:${fx.archives.a2}`,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    report: string;
    sizes: string;
    images: Array<{
      reference: string;
      layers: number;
      sharedLayers: number;
      sharedPrefix: number;
      sharedBytes: number;
    }>;
    total: { images: number; layers: number; distinctLayers: number; bytes: number; distinctBytes: number };
    layers: Array<{ images: number[] }>;
  };
  assert.equal(doc.report, 'shared');
  // A daemon image has no stored sizes in its metadata: every image is read, sizes uncompressed.
  assert.equal(doc.sizes, 'uncompressed');
  const [a1, b1, a2] = doc.images;
  // base:1 has two layers (rootfs, files), each app one more.
  assert.equal(a1.layers, 3);
  assert.equal(a1.sharedLayers, 2);
  assert.equal(a1.sharedPrefix, 2);
  assert.equal(b1.sharedLayers, 2);
  // app-a:2's base has the same busybox layer as base:1.
  assert.equal(a2.sharedLayers, 1);
  assert.equal(a2.sharedPrefix, 1);
  assert.equal(doc.total.layers, 9);
  assert.equal(doc.total.distinctLayers, 6);
  assert.ok(doc.total.distinctBytes < doc.total.bytes);
  assert.deepEqual(doc.layers.map((l) => l.images).sort(), [
    [0, 1],
    [0, 1, 2],
  ]);
});

test('realistic: two versions of a Debian image (security updates, curl added); packages against dpkg in the images', {
  skip: realisticSkipReason(),
  timeout: 40 * 60_000,
}, async () => {
  const v2 = await ensureRealisticImageV2((s) => process.stderr.write(`[realistic] ${s}\n`));
  const { doc } = await diffJson(`docker-archive:${v2.base.archive}`, `docker-daemon:${v2.image}`);
  // The oracle: dpkg itself, run in each image.
  const dpkg = async (image: string) =>
    new Map(
      (
        await docker(['run', '--rm', '--network', 'none', image, 'dpkg-query', '-W', '-f', '${Package} ${Version}\\n'])
      ).stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
  const [a, b] = await Promise.all([dpkg(v2.base.image), dpkg(v2.image)]);
  const added = [...b.keys()].filter((k) => !a.has(k)).sort();
  const removed = [...a.keys()].filter((k) => !b.has(k)).sort();
  const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).sort();
  assert.ok(added.includes('curl'));
  const deb = <T extends { ecosystem: string }>(l: T[]) => l.filter((p) => p.ecosystem === 'deb');
  assert.deepEqual(
    deb(doc.packages.added)
      .map((p) => p.name)
      .sort(),
    added,
  );
  assert.deepEqual(
    deb(doc.packages.removed)
      .map((p) => p.name)
      .sort(),
    removed,
  );
  // apt-get upgrade only upgrades: every changed version is an upgrade in dpkg's order.
  assert.deepEqual(
    deb(doc.packages.upgraded)
      .map((p) => `${p.name} ${p.old} ${p.new}`)
      .sort(),
    changed.map((k) => `${k} ${a.get(k)} ${b.get(k)}`),
  );
  assert.deepEqual(deb([...doc.packages.downgraded, ...doc.packages.changed]), []);
  // The base layer is shared; the files curl brings are added; the port added.
  assert.equal(doc.layers.commonPrefix, 1);
  assert.ok(doc.files.entries.some((e) => e.path === '/usr/bin/curl' && e.change === 'added'));
  assert.deepEqual(doc.config.exposedPorts, { added: ['443/tcp'], removed: [] });
  // The same image from the daemon and from its archive: no difference.
  const same = await diffJson(`docker-daemon:${v2.base.image}`, `docker-archive:${v2.base.archive}`);
  assert.equal(same.doc.identical, true);
});
