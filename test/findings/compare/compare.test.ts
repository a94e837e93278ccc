/** compareImages on real in-process images (real tars, the real engine, the real checks): one behaviour per test. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { TarSpec } from '../../../src/engine/build-tar.js';
import type { FileChange } from '../../../src/findings/compare/types.js';
import { compareTestImages } from '../../support/compare-image.js';
import * as f from '../../support/fake-secrets.js';
import type { TestImage } from '../../support/findings-image.js';

const sh = { name: 'bin/sh', content: '#!fake shell\n', mode: 0o755 };

function dpkgStatus(pkgs: Array<[string, string]>): TarSpec {
  return {
    name: 'var/lib/dpkg/status',
    content: pkgs
      .map(([n, v]) => `Package: ${n}\nStatus: install ok installed\nVersion: ${v}\nArchitecture: amd64\n`)
      .join('\n'),
  };
}

const osRelease = (v: string): TarSpec => ({
  name: 'etc/os-release',
  content: `ID=debian\nVERSION_ID="${v}"\nPRETTY_NAME="Debian GNU/Linux ${v}"\n`,
});

const entry = (cmp: { files: { entries: FileChange[] } }, path: string) =>
  cmp.files.entries.find((e) => e.path === path);

test('identical images: no difference in any section; every layer parsed once for both', async () => {
  const img: TestImage = {
    layers: [
      { entries: [sh, osRelease('12'), dpkgStatus([['libc6', '2.36-9']])], createdBy: 'ADD rootfs.tar /' },
      { entries: [{ name: 'app/run.sh', content: 'echo run\n', mode: 0o755 }], createdBy: 'COPY run.sh /app/' },
    ],
    config: { User: '1000', Env: ['PATH=/bin'], ExposedPorts: { '8080/tcp': {} } },
  };
  const { cmp, share } = await compareTestImages(img, img);
  assert.equal(cmp.identical, true);
  assert.equal(cmp.files.entries.length, 0);
  assert.deepEqual(
    cmp.layers.rows.map((r) => r.relation),
    ['shared', 'shared'],
  );
  assert.equal(cmp.layers.commonPrefix, 2);
  assert.equal(cmp.layers.divergence, null);
  assert.equal(cmp.findings.new.length + cmp.findings.resolved.length, 0);
  assert.ok(cmp.findings.unchanged.length > 0);
  assert.equal(cmp.packages.unchanged, 1);
  assert.equal(share.reused, 2, 'the second image took both layers from the first');
  assert.equal(share.held, 0, 'nothing held after both took them');
});

test('an app rebuilt on an updated base: layers, files, packages, config and findings differences', async () => {
  const tokenA = f.githubToken();
  const awsKey = `AKIA${f.upperAlnum(16).replace(/[0189]/g, '7')}`;
  const oldImg: TestImage = {
    layers: [
      {
        entries: [
          sh,
          osRelease('12'),
          dpkgStatus([
            ['libc6', '2.36-9'],
            ['openssl', '3.0.11-1~deb12u1'],
            ['libfoo1', '1.0-1'],
          ]),
          { name: 'etc/motd', content: 'hello\n' },
        ],
        createdBy: 'ADD file:aaa in /',
      },
      {
        entries: [
          { name: 'app/run.sh', content: 'echo run\n', mode: 0o755 },
          { name: 'app/old.txt', content: 'obsolete\n' },
          { name: 'app/config.ini', content: `[github]\ntoken = ${tokenA}\n` },
          { name: 'app/link', type: 'symlink', linkname: 'run.sh' },
          { name: 'app/data.bin', content: 'AAAA' },
        ],
        createdBy: 'COPY app/ /app/',
      },
    ],
    config: { User: '1000', Env: ['PATH=/bin', `API_TOKEN=${f.alnum(32)}`], ExposedPorts: { '8080/tcp': {} } },
  };
  const newImg: TestImage = {
    layers: [
      {
        entries: [
          sh,
          osRelease('12'),
          dpkgStatus([
            ['libc6', '2.36-9'],
            ['openssl', '3.0.13-1~deb12u1'],
            ['curl', '7.88.1-10'],
          ]),
          { name: 'etc/motd', content: 'hello\n', mtime: new Date(1800000000000) },
        ],
        createdBy: 'ADD file:bbb in /',
      },
      {
        entries: [
          { name: 'app/run.sh', content: 'echo run\n', mode: 0o750 },
          { name: 'app/config.ini', content: '[github]\nuser = bot\n' },
          { name: 'app/.aws/credentials', content: `[default]\naws_access_key_id = ${awsKey}\n` },
          { name: 'app/link', type: 'symlink', linkname: 'other.sh' },
          { name: 'app/data.bin', content: 'BBBB' },
        ],
        createdBy: 'COPY app/ /app/',
      },
    ],
    config: {
      User: '1000',
      Env: ['PATH=/bin', `API_TOKEN=${f.alnum(32)}`, 'MODE=prod'],
      ExposedPorts: { '8080/tcp': {}, '5432/tcp': {} },
    },
  };
  const { cmp, share } = await compareTestImages(oldImg, newImg, {
    order: (_eco, a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  assert.equal(cmp.identical, false);
  assert.equal(share.reused, 0);

  // Layers: nothing shared, the histories part at layer 0, the app step rebuilt.
  assert.equal(cmp.layers.commonPrefix, 0);
  assert.deepEqual(cmp.layers.divergence, { layer: 0, old: 'ADD file:aaa in /', new: 'ADD file:bbb in /' });
  assert.deepEqual(
    cmp.layers.rows.map((r) => r.relation),
    ['removed', 'added', 'rebuilt'],
  );
  assert.equal(cmp.layers.shared.byDiffId, 0);

  // Files.
  assert.equal(entry(cmp, '/app/old.txt')?.change, 'removed');
  assert.equal(entry(cmp, '/app/.aws')?.change, 'added');
  assert.equal(entry(cmp, '/app/.aws/credentials')?.change, 'added');
  assert.deepEqual(entry(cmp, '/app/run.sh')?.aspects, ['mode']);
  assert.deepEqual(entry(cmp, '/app/link')?.aspects, ['target']);
  assert.equal(entry(cmp, '/app/link')?.new?.linkTarget, 'other.sh');
  // Same size, other bytes: only the content digest tells.
  const data = entry(cmp, '/app/data.bin')!;
  assert.deepEqual(data.aspects, ['content']);
  assert.equal(data.old!.digest, `sha256:${createHash('sha256').update('AAAA').digest('hex')}`);
  assert.equal(data.new!.digest, `sha256:${createHash('sha256').update('BBBB').digest('hex')}`);
  assert.deepEqual(entry(cmp, '/app/config.ini')?.aspects, ['size', 'content']);
  // Only its modification time moved: counted, not listed.
  assert.equal(entry(cmp, '/etc/motd'), undefined);
  assert.equal(cmp.files.timestampOnly, 1);
  assert.equal(cmp.files.contentCompared, true);
  const app = cmp.files.directories.find((d) => d.path === '/app')!;
  assert.equal(app.removed, 1);
  assert.equal(app.added, 1);
  assert.equal(app.bytesRemoved, 'obsolete\n'.length);

  // Packages.
  assert.deepEqual(
    cmp.packages.upgraded.map((p) => `${p.name} ${p.old} ${p.new}`),
    ['openssl 3.0.11-1~deb12u1 3.0.13-1~deb12u1'],
  );
  assert.deepEqual(
    cmp.packages.added.map((p) => p.name),
    ['curl'],
  );
  assert.deepEqual(
    cmp.packages.removed.map((p) => p.name),
    ['libfoo1'],
  );
  assert.equal(cmp.packages.unchanged, 1);

  // Config: the new port, the new ENV, the changed secret masked on both sides.
  assert.deepEqual(cmp.config.exposedPorts, { added: ['5432/tcp'], removed: [] });
  const tok = cmp.config.env.find((e) => e.key === 'API_TOKEN')!;
  assert.equal(tok.change, 'changed');
  assert.equal(tok.masked, true);
  assert.match(tok.old!, /…\(32 chars\)$/);
  assert.deepEqual(
    cmp.config.env.find((e) => e.key === 'MODE'),
    {
      key: 'MODE',
      change: 'added',
      old: null,
      new: 'prod',
      masked: false,
    },
  );
  assert.equal(cmp.config.user, null);
  assert.ok(!JSON.stringify(cmp).includes(newImg.config!.Env![1].slice(10)), 'no ENV secret in clear');

  // Findings: the AWS key and the database port are new, the GitHub token resolved.
  const rules = (l: Array<{ ruleId: string }>) => l.map((x) => x.ruleId).sort();
  assert.ok(rules(cmp.findings.new).includes('secret-aws-access-key-id'), rules(cmp.findings.new).join());
  assert.ok(rules(cmp.findings.new).includes('port-database'), rules(cmp.findings.new).join());
  assert.ok(rules(cmp.findings.resolved).includes('secret-github-pat'), rules(cmp.findings.resolved).join());
  assert.ok(!rules(cmp.findings.new).includes('port-admin'), 'the unchanged 8080 port is not new');
  assert.ok(cmp.findings.unchanged.some((m) => m.new.ruleId === 'port-admin'));
});

test('a layer rebuilt with the same files: its findings keep matching though their ids change', async () => {
  const token = f.githubToken();
  const app = (note: string): TestImage => ({
    layers: [
      { entries: [sh], createdBy: 'ADD file:base in /' },
      {
        entries: [
          { name: 'srv/app.ini', content: `token = ${token}\n` },
          { name: 'srv/build-note.txt', content: note },
        ],
        createdBy: 'COPY srv/ /srv/',
      },
    ],
  });
  const { cmp } = await compareTestImages(app('build 1\n'), app('build 2\n'));
  const pair = cmp.findings.unchanged.find((m) => m.new.ruleId === 'secret-github-pat');
  assert.ok(pair, 'matched');
  assert.notEqual(pair.old.id, pair.new.id, 'the id names the layer digest, which changed');
  assert.equal(pair.moved, false);
  assert.equal(cmp.findings.new.filter((x) => x.category === 'secret').length, 0);
  assert.equal(cmp.layers.commonPrefix, 1);
  assert.deepEqual(cmp.layers.divergence, { layer: 1, old: 'COPY srv/ /srv/', new: 'COPY srv/ /srv/' });
  assert.equal(cmp.layers.rows[1].relation, 'rebuilt');
});

test('a moved file: its secret is unchanged (moved), not new; a second, different secret is new', async () => {
  const token = f.githubToken();
  const other = f.githubToken();
  const { cmp } = await compareTestImages(
    { layers: [{ entries: [sh, { name: 'opt/a/app.ini', content: `token = ${token}\n` }] }] },
    {
      layers: [
        {
          entries: [
            sh,
            { name: 'srv/b/app.ini', content: `token = ${token}\n` },
            { name: 'srv/c/keys.txt', content: `github_token: "${other}"\n` },
          ],
        },
      ],
    },
  );
  const moved = cmp.findings.unchanged.filter((m) => m.new.ruleId === 'secret-github-pat');
  assert.equal(moved.length, 1);
  assert.equal(moved[0].moved, true);
  assert.equal(moved[0].old.path, '/opt/a/app.ini');
  assert.equal(moved[0].new.path, '/srv/b/app.ini');
  assert.deepEqual(
    cmp.findings.new.filter((x) => x.ruleId === 'secret-github-pat').map((x) => x.path),
    ['/srv/c/keys.txt'],
  );
  assert.equal(cmp.findings.resolved.filter((x) => x.category === 'secret').length, 0);
});

test('a deleted-but-shipped file moved elsewhere with the same content matches by its digest', async () => {
  const key = f.rsaPem();
  const img = (dir: string): TestImage => ({
    layers: [
      { entries: [sh, { name: `${dir}/id_rsa`, content: key, mode: 0o600 }] },
      { entries: [{ name: `${dir}/.wh.id_rsa`, content: '' }] },
    ],
  });
  const { cmp } = await compareTestImages(img('root/.ssh'), img('home/app/.ssh'));
  const del = cmp.findings.unchanged.find((m) => m.new.ruleId === 'deleted-file');
  assert.ok(del, JSON.stringify(cmp.findings.new.map((x) => `${x.ruleId} ${x.path}`)));
  assert.equal(del.moved, true);
  assert.equal(cmp.findings.new.filter((x) => x.ruleId === 'deleted-file').length, 0);
});

test('files: type change, owner change, a directory removed with its subtree, --path narrows', async () => {
  const { cmp } = await compareTestImages(
    {
      layers: [
        {
          entries: [
            sh,
            { name: 'etc/conf', content: 'x' },
            { name: 'var/cache/a/1', content: '11' },
            { name: 'var/cache/a/2', content: '222' },
            { name: 'srv/owned', content: 'o', uid: 0 },
          ],
        },
      ],
    },
    {
      layers: [
        {
          entries: [
            sh,
            { name: 'etc/conf', type: 'directory' },
            { name: 'etc/conf/inside', content: 'y' },
            { name: 'srv/owned', content: 'o', uid: 1000, gid: 1000 },
          ],
        },
      ],
    },
  );
  assert.deepEqual(entry(cmp, '/etc/conf')?.aspects, ['type']);
  assert.equal(entry(cmp, '/etc/conf/inside')?.change, 'added');
  assert.deepEqual(
    cmp.files.entries.filter((e) => e.path.startsWith('/var')).map((e) => `${e.change} ${e.path}`),
    ['removed /var', 'removed /var/cache', 'removed /var/cache/a', 'removed /var/cache/a/1', 'removed /var/cache/a/2'],
  );
  assert.equal(cmp.files.bytesRemoved, 2 + 3);
  // (The file turned directory is modified: its byte goes in the net change.)
  assert.equal(cmp.files.bytesDelta, -1 + 1 - (2 + 3));
  assert.deepEqual(entry(cmp, '/srv/owned')?.aspects, ['owner']);

  const { cmp: narrow } = await compareTestImages(
    { layers: [{ entries: [sh, { name: 'var/cache/a/1', content: '11' }, { name: 'etc/x', content: '1' }] }] },
    { layers: [{ entries: [sh, { name: 'etc/x', content: '2' }] }] },
    { paths: ['/var/cache'] },
  );
  assert.deepEqual(
    narrow.files.entries.map((e) => e.path),
    ['/var/cache', '/var/cache/a', '/var/cache/a/1'],
  );
  assert.deepEqual(narrow.files.paths, ['/var/cache']);
  const { cmp: glob } = await compareTestImages(
    { layers: [{ entries: [sh, { name: 'etc/a.conf', content: '1' }, { name: 'etc/b.txt', content: '1' }] }] },
    { layers: [{ entries: [sh, { name: 'etc/a.conf', content: '2' }, { name: 'etc/b.txt', content: '2' }] }] },
    { paths: ['/etc/*.conf'] },
  );
  assert.deepEqual(
    glob.files.entries.map((e) => e.path),
    ['/etc/a.conf'],
  );
});

test('packages: ordered as their ecosystem orders versions; without an order, "changed", never guessed', async () => {
  const img = (openssl: string, lodash: string): TestImage => ({
    layers: [
      {
        entries: [
          sh,
          osRelease('12'),
          dpkgStatus([['openssl', openssl]]),
          {
            name: 'app/node_modules/lodash/package.json',
            content: JSON.stringify({ name: 'lodash', version: lodash }),
          },
        ],
      },
    ],
  });
  // dpkg: 3.0.9 < 3.0.11 (numbers, not text); the tilde sorts before the release. npm: semver.
  const { cmp } = await compareTestImages(img('3.0.9-1~deb12u1', '4.17.21'), img('3.0.11-1', '4.17.15'));
  assert.deepEqual(
    cmp.packages.upgraded.map((p) => `${p.ecosystem} ${p.name} ${p.old} ${p.new}`),
    ['deb openssl 3.0.9-1~deb12u1 3.0.11-1'],
  );
  assert.deepEqual(
    cmp.packages.downgraded.map((p) => `${p.ecosystem} ${p.name} ${p.old} ${p.new}`),
    ['npm lodash 4.17.21 4.17.15'],
  );
  const { cmp: unordered } = await compareTestImages(img('3.0.11-1', '1.0.0'), img('3.0.13-1', '1.0.0'), {
    order: () => undefined,
  });
  assert.deepEqual(unordered.packages.upgraded, []);
  assert.deepEqual(
    unordered.packages.changed.map((p) => `${p.ecosystem} ${p.name} ${p.arch} ${p.old} ${p.new}`),
    ['deb openssl amd64 3.0.11-1 3.0.13-1'],
  );
});

test('history: metadata steps lined up; an added ENV step and a rebuilt RUN step', async () => {
  const { cmp } = await compareTestImages(
    {
      layers: [
        { entries: [sh], createdBy: 'ADD file:base in /' },
        { entries: [{ name: 'a', content: '1' }], createdBy: '/bin/sh -c make' },
      ],
      emptySteps: ['/bin/sh -c #(nop)  CMD ["run"]'],
    },
    {
      layers: [
        { entries: [sh], createdBy: 'ADD file:base in /' },
        { entries: [{ name: 'a', content: '2' }], createdBy: '/bin/sh -c make' },
      ],
      emptySteps: ['/bin/sh -c #(nop)  ENV MODE=prod', '/bin/sh -c #(nop)  CMD ["run"]'],
    },
  );
  assert.deepEqual(
    cmp.config.history.map((r) => `${r.relation} ${r.new?.createdBy ?? r.old?.createdBy}`),
    ['same ADD file:base in /', 'rebuilt RUN make', 'added ENV MODE=prod', 'same CMD ["run"]'],
  );
});

test('a command whose secret changed is a change, shown masked on both sides (two masks may read alike)', async () => {
  // The same first characters and length: masked, the two tokens read alike.
  const stem = f.alnum(8);
  const [one, two] = [`${stem}${f.alnum(24)}`, `${stem}${f.alnum(24)}`];
  const img = (key: string): TestImage => ({
    layers: [{ entries: [{ name: 'app/run', content: 'x\n' }] }],
    config: {
      Cmd: ['app', '--api-key', key],
      Healthcheck: { Test: ['CMD', 'curl', '-u', `admin:${key}`, 'http://localhost/'] },
    },
  });
  const { cmp } = await compareTestImages(img(one), img(two));
  assert.ok(cmp.config.cmd, 'the command changed');
  assert.ok(cmp.config.healthcheck, 'the health check changed');
  const shown = JSON.stringify(cmp.config);
  for (const k of [one, two]) assert.ok(!shown.includes(k), 'a secret shown in full');
  assert.match(cmp.config.cmd!.old![2], /…\(32 chars\)$/);
  assert.equal((await compareTestImages(img(one), img(one))).cmp.config.cmd, null);
});
