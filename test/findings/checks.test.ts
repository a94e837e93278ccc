/** The model-level checks on real in-process images: one behaviour per test. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBuildArgs, redactCommand } from '../../src/findings/config.js';
import { nodeIndex } from '../../src/findings/content.js';
import { computeEfficiency } from '../../src/findings/efficiency.js';
import { fingerprint } from '../../src/findings/make.js';
import { PORT_TABLE } from '../../src/findings/ports.js';
import * as f from '../support/fake-secrets.js';
import { byRule, check, loadImage } from '../support/findings-image.js';

const busybox = { name: 'bin/sh', content: '#!fake shell\n', mode: 0o755 };

test('deleted secret: added in layer i, deleted in layer j — still recoverable; stable id', async () => {
  const key = f.rsaPem();
  const img = {
    layers: [
      { entries: [busybox] },
      {
        entries: [{ name: 'root/.ssh/id_rsa', content: key, mode: 0o600 }],
        createdBy: 'COPY id_rsa /root/.ssh/id_rsa',
      },
      { entries: [{ name: 'root/.ssh/.wh.id_rsa', content: '' }], createdBy: 'RUN rm /root/.ssh/id_rsa' },
    ],
  };
  const fs = await check(img);
  const [s] = byRule(fs, 'secret-private-key');
  assert.equal(s.layerIndex, 1);
  assert.equal(s.deletedInLayerIndex, 2);
  assert.equal(s.path, '/root/.ssh/id_rsa');
  assert.match(s.message, /added in layer 1, deleted in layer 2 — still recoverable from layer 1/);
  assert.ok(!JSON.stringify(fs).includes(key.split('\n')[1]), 'key body never in findings');
  const [d] = byRule(fs, 'deleted-file');
  assert.equal(d.severity, 'critical');
  assert.equal(d.deletedInLayerIndex, 2);
  assert.equal(d.properties?.sensitiveBy, 'content');
  // Same image again → same ids; the id is a hash of rule, path, layer digest, key and line only.
  const again = await check(img);
  assert.equal(byRule(again, 'secret-private-key')[0].id, s.id);
  assert.equal(byRule(again, 'deleted-file')[0].id, d.id);
  assert.equal(s.id, fingerprint(['secret-private-key', '/root/.ssh/id_rsa', s.layerDigest, null, 1, undefined]));
});

test('deleted by a parent whiteout and by an opaque directory; overwritten', async () => {
  const tok = `${f.githubToken()}`;
  const fs = await check({
    layers: [
      {
        entries: [
          { name: 'a/dir/token.txt', content: `t=${tok}\n` },
          { name: 'b/x/.npmrc', content: 'registry=https://r.internal/\n' },
          { name: 'etc/app.ini', content: `t=${tok}\n` },
        ],
      },
      {
        entries: [
          { name: '.wh.a', content: '' },
          { name: 'b/.wh..wh..opq', content: '' },
          { name: 'etc/app.ini', content: 'clean\n' },
        ],
      },
    ],
  });
  const paths = byRule(fs, 'deleted-file').map(
    (x) => `${x.path}@${x.layerIndex}->${x.deletedInLayerIndex}:${x.severity}`,
  );
  assert.ok(paths.includes('/a/dir/token.txt@0->1:critical'), paths.join(' '));
  assert.ok(paths.includes('/b/x/.npmrc@0->1:high'), 'sensitive by name');
  const [o] = byRule(fs, 'overwritten-file');
  assert.equal(o.path, '/etc/app.ini');
  assert.equal(o.severity, 'critical');
  assert.match(byRule(fs, 'secret-github-pat').find((x) => x.path === '/etc/app.ini')!.message, /replaced in layer 1/);
});

test('a copy its own layer superseded (a name twice; a directory written over) is still shipped: every check of shipped bytes reads it', async () => {
  const tok = f.githubToken();
  const key = f.rsaPem();
  const first = `t=${tok}\n`;
  const img = {
    layers: [
      { entries: [busybox] },
      {
        entries: [
          { name: 'app/config.env', content: first },
          { name: 'app/config.env', content: `again=${tok}\n` },
          { name: 'cache/', type: 'directory' as const },
          { name: 'cache/id_rsa', content: key, mode: 0o600 },
          { name: 'cache', content: 'x' },
          { name: 'app/config.env', content: 'clean\n' },
        ],
        createdBy: 'COPY . /',
      },
    ],
  };
  const model = await loadImage(img);
  const fs = await check(img);
  const pats = byRule(fs, 'secret-github-pat');
  assert.equal(pats.length, 2, 'both superseded copies; the live one holds none');
  for (const s of pats) {
    assert.equal(s.path, '/app/config.env');
    assert.equal(s.layerIndex, 1);
    assert.equal(s.deletedInLayerIndex, 1);
    assert.equal(s.properties?.withinLayer, true);
    assert.notEqual(s.severity, 'info');
    assert.match(
      s.message,
      /added in layer 1 and replaced by a later entry of the same layer — not in the layer's file system, but still recoverable from layer 1/,
    );
  }
  assert.notEqual(pats[0].id, pats[1].id, 'two copies of one path in one layer: two findings, two ids');
  const [pk] = byRule(fs, 'secret-private-key');
  assert.equal(pk.path, '/cache/id_rsa');
  assert.match(pk.message, /removed by a later entry of the same layer/);
  const sensitive = fs
    .filter((x) => x.category === 'deleted-file')
    .map((x) => `${x.ruleId} ${x.path} ${x.layerIndex}->${x.deletedInLayerIndex} ${x.severity}`)
    .sort();
  assert.deepEqual(sensitive, [
    'deleted-file /cache/id_rsa 1->1 critical',
    `overwritten-file /app/config.env 1->1 ${pats[0].severity}`,
    `overwritten-file /app/config.env 1->1 ${pats[1].severity}`,
  ]);
  const ow = byRule(fs, 'overwritten-file')[0];
  assert.match(
    ow.message,
    /added in layer 1 and replaced by a later entry of the same layer, but layer 1 still ships it/,
  );
  assert.deepEqual(
    byRule(fs, 'unpack-rewritten').map(
      (x) => `${x.path} ${x.severity} ${x.properties?.files} ${!!x.properties?.duplicate}`,
    ),
    // cache/ and then cache: one path twice, the directory's id_rsa superseded with it.
    ['/app/config.env medium 1 true', '/app/config.env medium 1 true', '/cache medium 1 true'],
  );
  assert.equal(new Set(fs.map((x) => x.id)).size, fs.length, 'every finding its own id');
  // The efficiency check counts the superseded copies as waste (dive cannot see them).
  const r = computeEfficiency(model);
  const againLen = `again=${tok}\n`.length;
  assert.deepEqual(r.byCause, { deleted: key.length, overwritten: first.length + againLen, 'metadata-only': 0 });
  assert.equal(r.totalBytes, busybox.content.length + first.length + againLen + key.length + 1 + 'clean\n'.length);
  assert.equal(r.dive.wastedBytes, 0);
  assert.deepEqual(
    r.top.map((t) => `${t.path} ${t.bytes} ${t.copies} ${t.causes.join(',')}`),
    [`/cache/id_rsa ${key.length} 1 deleted`, `/app/config.env ${first.length + againLen} 2 overwritten`],
  );
  // The same image again: the same ids.
  const again = await check(img);
  assert.deepEqual(
    byRule(again, 'secret-github-pat').map((x) => x.id),
    pats.map((x) => x.id),
  );
});

test('plain deleted files are info with the bytes they waste; the rest summed per layer', async () => {
  const entries = Array.from({ length: 25 }, (_, i) => ({ name: `cache/f${i}`, content: 'x'.repeat(100 + i) }));
  const fs = await check({ layers: [{ entries }, { entries: [{ name: '.wh.cache', content: '' }] }] });
  const del = byRule(fs, 'deleted-file');
  assert.ok(del.every((x) => x.severity === 'info'));
  assert.equal(del.filter((x) => x.path).length, 20);
  assert.equal(del[0].properties?.wastedBytes !== undefined, true);
  const rest = del.find((x) => x.path === null)!;
  assert.equal(rest.properties?.files, 5);
});

test('config: ENV/LABEL secrets by name and by value, placeholders skipped; ARG in history; RUN secrets; USER', async () => {
  const tok = `${f.githubToken()}`;
  const argVal = f.alnum(20);
  const fs = await check({
    layers: [
      { entries: [busybox] },
      {
        entries: [{ name: 'etc/build-info', content: 'x\n' }],
        createdBy: `|1 BUILD_SECRET=${argVal} /bin/sh -c test -n "$BUILD_SECRET"`,
      },
      {
        entries: [{ name: 'etc/y', content: 'y\n' }],
        createdBy: `RUN /bin/sh -c curl -u deploy:${f.alnum(16)} https://repo.internal/x -o /etc/y # buildkit`,
      },
      {
        entries: [{ name: 'etc/z', content: 'z\n' }],
        createdBy: `/bin/sh -c aws configure set aws_secret_access_key ${f.b64(40)}`,
      },
      { entries: [{ name: 'etc/w', content: 'w\n' }], createdBy: '|1 VERSION=1.2.3 /bin/sh -c echo $VERSION > /etc/w' },
    ],
    config: {
      Env: [
        'PATH=/usr/bin',
        `DB_PASSWORD=${f.alnum(16)}`,
        'MYSQL_ROOT_PASSWORD=root',
        'SECRET_FILE=/run/secrets/x',
        'API_KEY=${API_KEY}',
        `GH=${tok}`,
      ],
      Labels: { maintainer: 'x', 'org.example.token': f.alnum(24) },
    },
  });
  const env = byRule(fs, 'config-env-secret')
    .map((x) => `${x.key}:${x.severity}`)
    .sort();
  assert.deepEqual(env, ['DB_PASSWORD:high', 'GH:critical', 'MYSQL_ROOT_PASSWORD:medium']);
  assert.ok(byRule(fs, 'config-env-secret').every((x) => x.evidence && !x.evidence.includes(tok)));
  assert.deepEqual(
    byRule(fs, 'config-label-secret').map((x) => x.key),
    ['org.example.token'],
  );
  const [arg] = byRule(fs, 'config-build-arg-secret');
  assert.equal(arg.key, 'BUILD_SECRET');
  assert.equal(arg.layerIndex, 1);
  assert.equal(arg.evidence, `BUILD_SECRET=${argVal.slice(0, 4)}…(20 chars)`);
  const run = byRule(fs, 'config-run-secret');
  assert.deepEqual(run.map((x) => x.layerIndex).sort(), [2, 3]);
  assert.equal(byRule(fs, 'config-user-root').length, 1);
  // With a non-root user there is no USER finding.
  const fs2 = await check({ layers: [{ entries: [busybox] }], config: { User: '10001:10001' } });
  assert.equal(byRule(fs2, 'config-user-root').length, 0);
  assert.equal(
    byRule(await check({ layers: [{ entries: [busybox] }], config: { User: '0:0' } }), 'config-user-root').length,
    1,
  );
});

test('build args parsed from history; commands redacted for display', () => {
  const v = f.alnum(20);
  assert.deepEqual(parseBuildArgs(`|2 A=1 BUILD_SECRET=${v} /bin/sh -c make`), {
    args: [
      { key: 'A', value: '1' },
      { key: 'BUILD_SECRET', value: v },
    ],
    command: '/bin/sh -c make',
  });
  const red = redactCommand(`|2 A=1 BUILD_SECRET=${v} /bin/sh -c curl -H "Authorization: Bearer ${v}${v}" x`);
  assert.ok(!red.includes(v), red);
  assert.match(red, /A=1 BUILD_SECRET=.{4}…\(20 chars\)/);
  assert.equal(redactCommand('/bin/sh -c apt-get update'), '/bin/sh -c apt-get update');
});

test('ports: table risks, unknown ports info, admin panel in the image raises to high', async () => {
  const fs = await check({
    layers: [{ entries: [busybox] }],
    config: {
      ExposedPorts: { '22/tcp': {}, '3306/tcp': {}, '6379/tcp': {}, '8080/tcp': {}, '12345/tcp': {}, '53/udp': {} },
    },
  });
  const sev = Object.fromEntries(fs.filter((x) => x.category === 'port').map((x) => [x.key, x.severity]));
  assert.deepEqual(sev, {
    '22/tcp': 'high',
    '3306/tcp': 'medium',
    '6379/tcp': 'high',
    '8080/tcp': 'low',
    '12345/tcp': 'info',
    '53/udp': 'low',
  });
  assert.match(fs.find((x) => x.key === '22/tcp')!.message, /-P/);
  const withPanel = await check({
    layers: [
      { entries: [busybox, { name: 'usr/local/tomcat/webapps/manager/WEB-INF/web.xml', content: '<web-app/>' }] },
    ],
    config: { ExposedPorts: { '8080/tcp': {} } },
  });
  const p = withPanel.find((x) => x.key === '8080/tcp')!;
  assert.equal(p.severity, 'high');
  assert.match(p.message, /tomcat-manager \(\/usr\/local\/tomcat\/webapps\/manager\)/);
  // Names in any case; a panel a later layer deletes is not in the image; "manager" elsewhere is not Tomcat's.
  const mixed = await check({
    layers: [
      {
        entries: [
          busybox,
          { name: 'var/www/phpMyAdmin/index.php', content: '<?php' },
          { name: 'srv/Adminer-4.8.1.php', content: '<?php' },
          { name: 'opt/app/manager/x', content: 'x' },
        ],
      },
      { entries: [{ name: 'var/www/.wh.phpMyAdmin', content: '' }] },
    ],
    config: { ExposedPorts: { '8081/tcp': {} } },
  });
  const m = mixed.find((x) => x.key === '8081/tcp')!;
  assert.equal(m.severity, 'high');
  assert.match(m.message, /adminer \(\/srv\/Adminer-4\.8\.1\.php\)/);
  assert.doesNotMatch(m.message, /phpmyadmin|tomcat-manager/);
  for (const port of [
    22, 23, 3389, 5900, 2375, 2376, 2379, 6443, 10250, 3306, 5432, 1433, 1521, 27017, 6379, 11211, 9200, 5984, 9042,
    5672, 15672, 9092, 8080, 8081, 9000, 9090,
  ]) {
    assert.ok(
      PORT_TABLE.some((x) => x.port === port),
      `port ${port} in the table`,
    );
  }
});

test('provenance: latest / no tag is low, other tags info with the pinned form, digests pinned', async () => {
  const digest = 'sha256:' + f.hex(64);
  const img = { layers: [{ entries: [busybox] }], source: 'registry' as const, digest };
  const noTag = byRule(await check(img, { reference: 'example.org/team/app' }), 'provenance-latest-tag')[0];
  assert.equal(noTag.severity, 'low');
  assert.match(noTag.message, new RegExp(`example.org/team/app@${digest}`));
  assert.equal(
    byRule(await check(img, { reference: 'example.org/team/app:latest' }), 'provenance-latest-tag')[0].severity,
    'low',
  );
  const tagged = byRule(await check(img, { reference: 'example.org/team/app:1.4' }), 'provenance-mutable-tag')[0];
  assert.equal(tagged.severity, 'info');
  assert.equal(tagged.properties?.pinned, `example.org/team/app@${digest}`);
  const pinned = await check(img, { reference: `example.org/team/app@${digest}` });
  assert.equal(byRule(pinned, 'provenance-pinned').length, 1);
  assert.equal(pinned.filter((x) => x.ruleId.startsWith('provenance-') && x.severity !== 'info').length, 0);
  // Archives have no name to pin.
  assert.equal(
    (await check({ ...img, source: 'archive' }, { reference: 'app.tar' })).filter((x) => x.category === 'provenance')
      .length,
    0,
  );
});

test('permissions: setuid known vs custom, world-writable without sticky, file capabilities; symlinks (always 0777) and devices left out', async () => {
  const cap = Buffer.alloc(20);
  cap.writeUInt32LE(0x02000001, 0);
  cap.writeUInt32LE(1 << 13, 4); // cap_net_raw
  const capAdmin = Buffer.from(cap);
  capAdmin.writeUInt32LE(1 << 21, 4); // cap_sys_admin
  const fs = await check({
    layers: [
      {
        entries: [
          { name: 'usr/bin/passwd', content: 'x', mode: 0o4755 },
          { name: 'usr/local/bin/helper', content: 'x', mode: 0o4755 },
          { name: 'usr/bin/wall', content: 'x', mode: 0o2755, gid: 5 },
          { name: 'tmp', type: 'directory', mode: 0o1777 },
          { name: 'srv/drop', type: 'directory', mode: 0o777 },
          { name: 'etc/motd', content: 'hi', mode: 0o666 },
          {
            name: 'usr/bin/ping',
            content: 'x',
            mode: 0o755,
            pax: { 'SCHILY.xattr.security.capability': cap.toString('latin1') },
          },
          {
            name: 'usr/bin/tool',
            content: 'x',
            mode: 0o755,
            pax: { 'SCHILY.xattr.security.capability': capAdmin.toString('latin1') },
          },
          { name: 'usr/bin/sh', type: 'symlink', linkname: 'dash', mode: 0o777 },
          { name: 'usr/bin/su-link', type: 'symlink', linkname: 'su', mode: 0o4777 },
          { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
        ],
      },
    ],
  });
  const sev = (rule: string, path: string) => fs.find((x) => x.ruleId === rule && x.path === path)?.severity;
  for (const p of ['/usr/bin/sh', '/usr/bin/su-link', '/dev/null'])
    assert.deepEqual(
      fs.filter((x) => x.path === p),
      [],
      p,
    );
  assert.equal(
    fs.filter((x) => x.category === 'permissions').length,
    7,
    JSON.stringify(fs.map((x) => x.ruleId + ' ' + x.path)),
  );
  assert.equal(sev('permissions-setuid', '/usr/bin/passwd'), 'low');
  assert.equal(sev('permissions-setuid', '/usr/local/bin/helper'), 'medium');
  assert.equal(sev('permissions-setgid', '/usr/bin/wall'), 'low');
  assert.equal(sev('permissions-world-writable-dir', '/srv/drop'), 'medium');
  assert.equal(sev('permissions-world-writable-dir', '/tmp'), undefined, 'sticky bit');
  assert.equal(sev('permissions-world-writable-file', '/etc/motd'), 'medium');
  assert.equal(sev('permissions-file-capabilities', '/usr/bin/ping'), 'low');
  assert.equal(sev('permissions-file-capabilities', '/usr/bin/tool'), 'medium');
  assert.match(fs.find((x) => x.path === '/usr/bin/tool')!.message, /cap_sys_admin/);
});

test("the checks' shared walk hands the permissions check only files and directories with those bits or xattrs", async () => {
  const model = await loadImage({
    layers: [
      {
        entries: [
          { name: 'bin/ls', content: 'x', mode: 0o755 },
          { name: 'bin/su', content: 'x', mode: 0o4755 },
          { name: 'srv/drop', type: 'directory', mode: 0o777 },
          { name: 'bin/sh', type: 'symlink', linkname: 'dash', mode: 0o777 },
          { name: 'etc/alt', type: 'symlink', linkname: '/bin/ls', mode: 0o777 },
        ],
      },
      // A file replaced by a symlink: judged by the final version.
      { entries: [{ name: 'bin/su', type: 'symlink', linkname: 'ls', mode: 0o777 }] },
    ],
  });
  const paths = nodeIndex(model.tree)
    .permissionBits.map((n) => n.path)
    .sort();
  assert.deepEqual(paths, ['/srv/drop']);
});

test('efficiency: N−1 superseded copies count (not the kept one), by cause; metadata-only copies found; dive’s figures beside', async () => {
  const mtime = new Date(1700000000000);
  const model = await loadImage({
    layers: [
      {
        entries: [
          { name: 'a', content: 'a'.repeat(1000), mtime },
          { name: 'b', content: 'b'.repeat(300) },
          { name: 'c', content: 'c'.repeat(50) },
        ],
      },
      {
        entries: [
          { name: 'a', content: 'a'.repeat(1000), mtime, mode: 0o755 },
          { name: 'b', content: 'B'.repeat(200) },
        ],
      },
      {
        entries: [
          { name: 'b', content: 'z'.repeat(10) },
          { name: '.wh.c', content: '' },
        ],
      },
    ],
  });
  const r = computeEfficiency(model);
  assert.deepEqual(r.byCause, { deleted: 50, overwritten: 500, 'metadata-only': 1000 });
  assert.equal(r.wastedBytes, 1550);
  assert.equal(r.totalBytes, 1000 + 300 + 50 + 1000 + 200 + 10);
  assert.equal(r.top[0].path, '/a');
  assert.equal(r.top.find((t) => t.path === '/b')!.copies, 2);
  assert.deepEqual(
    r.metadataCopies.map((c) => `${c.path}:${c.layer}->${c.supersededIn}`),
    ['/a:0->1'],
  );
  assert.equal(r.userSizeBytes, 1210, 'bytes added by layers 1 and 2');
  assert.ok(Math.abs(r.userWastedPercent - 1550 / 1210) < 1e-9);
  // dive: every copy of a path in more than one layer: /a 1000+1000, /b 300+200+10, /c 50 + its deletion 50.
  assert.equal(r.dive.wastedBytes, 2000 + 510 + 100);
  assert.ok(Math.abs(r.dive.score - (1000 + 10 + 50) / 2610) < 1e-9, `dive score ${r.dive.score}`);
  assert.ok(Math.abs(r.dive.userWastedPercent - 2610 / 1210) < 1e-9);
  assert.deepEqual(r.dive.files[0], { path: '/a', count: 2, bytes: 2000 });
  assert.equal(r.dive.fileCount, 3);
});

test('os: os-release + EOL table (with dates) + dpkg and apk inventories', async () => {
  const osr = (id: string, v: string) => ({
    name: 'etc/os-release',
    content: `NAME="X"\nID=${id}\nVERSION_ID="${v}"\nPRETTY_NAME="${id} ${v}"\n`,
  });
  const dpkg = {
    name: 'var/lib/dpkg/status',
    content:
      'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\nDescription: x\n more\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: libc6\nStatus: install ok installed\nSource: glibc\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\n',
  };
  const fs12 = await check({ layers: [{ entries: [osr('debian', '12'), dpkg] }] });
  const ext = byRule(fs12, 'os-extended-support')[0];
  assert.equal(ext.severity, 'low');
  assert.match(ext.message, /2026-06-10.*2028-06-30.*2 dpkg packages/);
  const fs10 = await check({ layers: [{ entries: [osr('debian', '10')] }] });
  assert.equal(byRule(fs10, 'os-eol')[0].severity, 'high');
  const fsA = await check({
    layers: [
      {
        entries: [
          osr('alpine', '3.22.1'),
          {
            name: 'lib/apk/db/installed',
            content: 'C:Q1x=\nP:musl\nV:1.2.5-r10\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.37.0-r18\nA:x86_64\n',
          },
        ],
      },
    ],
  });
  const det = byRule(fsA, 'os-detected')[0];
  assert.equal(det.severity, 'info');
  assert.match(det.message, /2 apk packages/);
  assert.equal(byRule(await check({ layers: [{ entries: [busybox] }] }), 'os-unknown').length, 1);
});

test('os: which files the inventory reads, by path components', async () => {
  const { osFileKind } = await import('../../src/findings/os/collector.js');
  const kind = (p: string) => {
    const f = osFileKind(p.split('/'));
    return f && `${f.kind}${f.atPath ? '' : ' (by name)'}`;
  };
  assert.equal(kind('etc/os-release'), 'os-release');
  assert.equal(kind('usr/lib/os-release'), 'os-release');
  assert.equal(kind('etc/passwd'), 'passwd');
  assert.equal(kind('var/lib/dpkg/status'), 'dpkg');
  assert.equal(kind('var/lib/dpkg/status.d/base-files'), 'dpkg'); // distroless
  assert.equal(kind('var/lib/dpkg/status.d/base-files.md5sums'), undefined);
  assert.equal(kind('var/lib/dpkg/status.d/x/y'), undefined);
  assert.equal(kind('lib/apk/db/installed'), 'apk');
  assert.equal(kind('usr/lib/sysimage/rpm/rpmdb.sqlite'), 'rpm-sqlite');
  assert.equal(kind('var/lib/rpm/Packages'), 'rpm-bdb');
  assert.equal(kind('var/lib/rpm/Packages.db'), 'rpm-ndb');
  // The same names elsewhere are kept for a link that may lead there (os/locate.ts), by name only.
  assert.equal(kind('opt/app/os-release'), 'os-release (by name)');
  assert.equal(kind('srv/var/lib/dpkg/status'), 'dpkg (by name)');
  assert.equal(kind('var/lib/apk/db/installed'), 'apk (by name)');
  assert.equal(kind('opt/d/status.d/libc6'), 'dpkg (by name)');
  assert.equal(kind('status'), 'dpkg (by name)');
  for (const p of ['opt/app/release', 'etc/passwd-', 'var/lib/dpkg/status-old', 'etc/shadow'])
    assert.equal(kind(p), undefined, p);
});

test('ignore file: rule, path glob, expiry (warns and stops ignoring), finding id', async () => {
  const { parseIgnoreFile } = await import('../../src/findings/ignore.js');
  const img = {
    layers: [
      {
        entries: [
          { name: 'opt/vendor/sample.ini', content: `token=${f.githubToken()}\n` },
          { name: 'etc/app.ini', content: `token=${f.githubToken()}\n` },
        ],
      },
    ],
  };
  const base = await check(img);
  assert.equal(byRule(base, 'secret-github-pat').length, 2);
  const { entries, warnings } = parseIgnoreFile(
    '# accepted\nsecret-github-pat /opt/vendor/** until=2027-01-31 # vendored sample\nconfig-user-root\n',
  );
  assert.equal(warnings.length, 1, 'entry without a reason warns');
  const kept = await check(img, { ignore: entries });
  assert.deepEqual(
    byRule(kept, 'secret-github-pat').map((x) => x.path),
    ['/etc/app.ini'],
  );
  assert.equal(byRule(kept, 'config-user-root').length, 0);
  const msgs: string[] = [];
  const late = await check(img, {
    ignore: entries,
    now: new Date('2027-02-01T00:00:00Z'),
    onWarning: (m) => msgs.push(m),
  });
  assert.equal(byRule(late, 'secret-github-pat').length, 2, 'expired entries stop ignoring');
  assert.match(msgs.join('\n'), /expired on 2027-01-31/);
  const byId = parseIgnoreFile(`${byRule(base, 'secret-github-pat')[0].id} # reviewed\n`).entries;
  assert.equal(byRule(await check(img, { ignore: byId }), 'secret-github-pat').length, 1);
  assert.throws(() => parseIgnoreFile('rule until=tomorrow # x\n'), /YYYY-MM-DD/);
});

test('deleted files: the 20 largest of a layer listed (ties by path), the rest summed in one finding', async () => {
  // 30 files deleted by one whiteout of their directory: sizes tie in threes, names out of order.
  const files = Array.from({ length: 30 }, (_, i) => ({
    name: `tmp/cache/f${String((i * 7) % 30).padStart(2, '0')}`,
    content: 'x'.repeat(100 + Math.floor(i / 3) * 10),
  }));
  const fs = await check({
    layers: [
      { entries: [busybox, ...files] },
      { entries: [{ name: 'tmp/.wh.cache', content: '' }], createdBy: 'RUN rm -rf /tmp/cache' },
    ],
  });
  const listed = byRule(fs, 'deleted-file').filter((x) => x.properties?.files === undefined);
  const want = files
    .map((f) => ({ path: '/' + f.name, bytes: f.content.length }))
    .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
  // (runChecks orders the findings themselves by path.)
  assert.deepEqual(
    listed.map((x) => x.path).sort(),
    want
      .slice(0, 20)
      .map((w) => w.path)
      .sort(),
  );
  const [rest] = byRule(fs, 'deleted-file').filter((x) => x.properties?.files !== undefined);
  assert.equal(rest.properties?.files, 10);
  assert.equal(
    rest.properties?.wastedBytes,
    want.slice(20).reduce((n, w) => n + w.bytes, 0),
  );
  assert.equal(rest.deletedInLayerIndex, 1);
});
