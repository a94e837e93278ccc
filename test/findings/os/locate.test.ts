/**
 * The OS files read as their programs read them, through links (src/findings/os/locate.ts):
 * runc's /etc/passwd, dpkg's status file, os-release. test/integration/run-user.test.ts takes the
 * passwd facts from containers Docker starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { osInventory } from '../../../src/findings/os/index.js';
import { packageInventory } from '../../../src/findings/packages/inventory.js';
import { imagePasswd } from '../../../src/findings/run-user.js';
import { byRule, check, loadImage, type TestImage } from '../../support/findings-image.js';

const sh = { name: 'bin/sh', content: '#!fake shell\n', mode: 0o755 };
const ROOT_APP = 'root:x:0:0::/root:/bin/sh\napp:x:0:0::/:/bin/sh\n';
const USER_APP = 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n';
const link = (name: string, target: string) => ({ name, type: 'symlink' as const, linkname: target, content: '' });
const dir = (name: string) => ({ name, type: 'directory' as const });

const dpkgStatus = (...names: string[]) =>
  names.map((n) => `Package: ${n}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n`).join('\n');

async function userRoot(img: TestImage) {
  const fs = await check({ ...img, config: { User: 'app' } });
  return byRule(fs, 'config-user-root');
}

test('USER through a linked /etc/passwd: absolute, relative, a linked /etc, a hard link', async () => {
  const shapes: Array<[string, TestImage['layers']]> = [
    [
      'absolute link',
      [{ entries: [sh, { name: 'opt/users/passwd', content: ROOT_APP }, link('etc/passwd', '/opt/users/passwd')] }],
    ],
    [
      'relative link',
      [{ entries: [sh, { name: 'opt/users/passwd', content: ROOT_APP }, link('etc/passwd', '../opt/users/passwd')] }],
    ],
    ['a linked /etc', [{ entries: [sh, { name: 'x/passwd', content: ROOT_APP }, link('etc', 'x')] }]],
    [
      'a link to a link',
      [
        {
          entries: [
            sh,
            { name: 'opt/b/passwd', content: ROOT_APP },
            link('opt/a', 'b'),
            link('etc/passwd', '/opt/a/passwd'),
          ],
        },
      ],
    ],
    [
      'a hard link',
      [
        {
          entries: [
            sh,
            { name: 'opt/users/passwd', content: ROOT_APP },
            { name: 'etc/passwd', type: 'link' as const, linkname: 'opt/users/passwd', content: '' },
          ],
        },
      ],
    ],
    [
      'a later layer links it away',
      [
        { entries: [sh, { name: 'etc/passwd', content: USER_APP }] },
        { entries: [{ name: 'opt/p/passwd', content: ROOT_APP }, link('etc/passwd', '/opt/p/passwd')] },
      ],
    ],
  ];
  for (const [what, layers] of shapes) {
    const [f] = await userRoot({ layers });
    assert.equal(f?.severity, 'medium', `${what}: app is uid 0 in the passwd the link leads to`);
    assert.equal(f.properties?.via, 'passwd', what);
  }
  // The same file at another path, with no link to it, is not the image's passwd.
  const model = await loadImage({
    layers: [{ entries: [sh, { name: 'etc/passwd', content: USER_APP }, { name: 'opt/x/passwd', content: ROOT_APP }] }],
  });
  assert.deepEqual(
    imagePasswd(model)?.map((e) => `${e.name}=${e.uid}`),
    ['root=0', 'app=1000'],
  );
  assert.equal(
    (
      await userRoot({
        layers: [{ entries: [sh, { name: 'opt/x/passwd', content: ROOT_APP }, link('etc/passwd', '/opt/y/passwd')] }],
      })
    ).length,
    0,
    'a dangling link: no passwd, app does not start',
  );
});

test('a well-known path linked to a file of another name: said (os-file-unread), not guessed', async () => {
  const img: TestImage = {
    layers: [{ entries: [sh, { name: 'opt/users', content: ROOT_APP }, link('etc/passwd', '/opt/users')] }],
    config: { User: 'app' },
  };
  assert.equal(imagePasswd(await loadImage(img)), undefined);
  const fs = await check(img);
  const [u] = byRule(fs, 'os-file-unread');
  assert.equal(u?.severity, 'medium');
  assert.equal(u.path, '/opt/users');
  assert.equal(u.properties?.linkPath, '/etc/passwd');
  assert.match(u.message, /USER's uid/);
  // The same name as its link (the usual /etc/os-release -> ../usr/lib/os-release) is read.
  const usual = await check({
    layers: [
      {
        entries: [
          sh,
          { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          link('etc/os-release', '../usr/lib/os-release'),
        ],
      },
    ],
  });
  assert.equal(byRule(usual, 'os-file-unread').length, 0);
});

test('dpkg status through a linked /var/lib/dpkg: its packages count; a file named status elsewhere does not', async () => {
  const linked = await loadImage({
    layers: [
      {
        entries: [
          sh,
          dir('var/lib'),
          { name: 'opt/d/status', content: dpkgStatus('libssl3', 'zlib1g') },
          link('var/lib/dpkg', '/opt/d'),
          { name: 'srv/app/status', content: dpkgStatus('decoy') },
        ],
      },
    ],
  });
  const inv = osInventory(linked);
  assert.equal(inv.manager, 'dpkg');
  assert.deepEqual(
    inv.packages.map((p) => p.name),
    ['libssl3', 'zlib1g'],
  );
  assert.deepEqual(inv.sources, [{ path: '/opt/d/status', layer: 0 }]);
  assert.deepEqual(
    packageInventory(linked).packages.map((p) => `${p.type}:${p.name}`),
    ['deb:libssl3', 'deb:zlib1g'],
  );
  // No link: the file named status is not dpkg's database.
  const loose = await loadImage({ layers: [{ entries: [sh, { name: 'opt/d/status', content: dpkgStatus('x') }] }] });
  assert.equal(osInventory(loose).manager, null);
  assert.equal(packageInventory(loose).packages.length, 0);
});

test('os-release: /etc/os-release first, through its link, else /usr/lib/os-release', async () => {
  const model = await loadImage({
    layers: [
      {
        entries: [
          sh,
          { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { name: 'opt/base/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' },
          link('etc/os-release', '/opt/base/os-release'),
        ],
      },
    ],
  });
  assert.equal(osInventory(model).os?.id, 'alpine');
  assert.equal(osInventory(model).os?.path, '/opt/base/os-release');
  const plain = await loadImage({
    layers: [{ entries: [sh, { name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] }],
  });
  assert.equal(osInventory(plain).os?.id, 'debian');
});

test('files of a well-known name elsewhere are kept up to a bound; a link to one past it is said not read', async () => {
  const { OS_BY_NAME_MAX } = await import('../../../src/findings/index.js');
  const decoys = Array.from({ length: OS_BY_NAME_MAX + 20 }, (_, i) => ({
    name: `srv/d${String(i).padStart(4, '0')}/status`,
    content: dpkgStatus(`decoy${i}`),
  }));
  const last = decoys[decoys.length - 1].name.replace(/\/status$/, '');
  const image = (target: string): TestImage => ({
    layers: [{ entries: [sh, dir('var/lib'), ...decoys, link('var/lib/dpkg', `/${target}`)] }],
  });
  const first = await loadImage(image('srv/d0000'));
  assert.deepEqual(
    osInventory(first).packages.map((p) => p.name),
    ['decoy0'],
  );
  const past = await check(image(last));
  const [u] = byRule(past, 'os-file-unread');
  assert.equal(u?.path, `/${last}/status`);
  assert.equal(u.properties?.linkPath, '/var/lib/dpkg/status');
  assert.match(u.message, /package inventory/);
});

test('os-release: /usr/lib/os-release linked away is not said unread where /etc/os-release is read', async () => {
  const fs = await check({
    layers: [
      {
        entries: [
          sh,
          { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { name: 'opt/rel', content: 'ID=alpine\n' },
          link('usr/lib/os-release', '/opt/rel'),
        ],
      },
    ],
  });
  assert.equal(byRule(fs, 'os-file-unread').length, 0);
  const alone = await check({
    layers: [{ entries: [sh, { name: 'opt/rel', content: 'ID=alpine\n' }, link('usr/lib/os-release', '/opt/rel')] }],
  });
  assert.deepEqual(
    byRule(alone, 'os-file-unread').map((f) => f.properties?.linkPath),
    ['/usr/lib/os-release'],
  );
});
