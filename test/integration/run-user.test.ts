/**
 * USER as Docker resolves it: an image whose /etc/passwd holds a uid-0 user under another name,
 * a uid that is not a number, repeated names, uids outside runc's range; for each USER spelling,
 * the uid `docker run --user … id -u` prints (or the refusal to start) must be what layerlens
 * resolves (src/findings/run-user.ts), and a USER that hides root is reported. runc reads
 * /etc/passwd through links: each shape of link GNU tar can hold must lead layerlens to the uid
 * Docker runs as, or be reported as not read (src/findings/os/locate.ts).
 */
import assert from 'node:assert/strict';
import { copyFile, link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageModel } from '../../src/engine/image.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { imagePasswd, runUser } from '../../src/findings/run-user.js';
import { openImage } from '../../src/sources/open.js';
import { imported, unpackTest } from '../support/docker-unpack.js';
import { docker, run } from '../support/harness.js';

const PASSWD = [
  'toor:x:0:0::/:/bin/sh',
  '  app:x:abc:0::/:',
  'web:x:1000:1000::/:',
  'web:x:0:0::/:',
  'empty:x::5::/:',
  'big:x:99999999999999999999:0::/:',
  'neg:x:-7:0::/:',
].join('\n');

const SPECS = [
  '',
  ':5',
  '0',
  '00',
  '+0',
  '-0',
  '1000',
  'toor',
  'app',
  'web',
  'empty',
  'big',
  'neg',
  '-5',
  '2147483648',
  'nobody',
  'root',
  ' toor',
  '0x0',
];

/** The uid `docker run --user USER` runs as in `image`, or 'does not start'. */
function uidUnderDocker(image: string, user: string): Promise<string> {
  return docker(['run', '--rm', '--network', 'none', '--user', user, image, '/bin/busybox', 'id', '-u']).then(
    (r) => r.stdout.trim(),
    () => 'does not start',
  );
}

unpackTest("USER resolves as Docker resolves it, through the image's own /etc/passwd", async (dir) => {
  const ctx = join(dir, 'ctx');
  await mkdir(join(ctx, 'etc'), { recursive: true });
  await copyFile('/bin/busybox', join(ctx, 'busybox'));
  await writeFile(join(ctx, 'etc/passwd'), `${PASSWD}\n`);
  await writeFile(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY etc /etc\nUSER toor\n');
  const tag = `layerlens-it/run-user:${process.pid}`;
  await docker(['build', '-q', '-t', tag, ctx]);
  try {
    const archive = join(dir, 'image.tar');
    await docker(['save', '-o', archive, tag]);
    const model = new ImageModel();
    await model.load(await openImage(archive, { source: 'archive', pull: false, insecure: false, plainHttp: false }), {
      inspectContent: createContentInspector({}),
    });
    const passwd = imagePasswd(model);
    assert.ok(passwd && passwd.length === 7, "the image's passwd was read");
    for (const spec of SPECS) {
      const ran = await uidUnderDocker(tag, spec);
      assert.equal(String(runUser(spec, passwd)?.uid ?? 'does not start'), ran, `USER ${JSON.stringify(spec)}`);
    }
    // The image's own USER toor: root, hidden behind a name.
    const root = runChecks(model, { reference: archive }).find((f) => f.ruleId === 'config-user-root');
    assert.equal(root?.severity, 'medium');
    assert.match(root?.message ?? '', /gives that name uid 0/);
  } finally {
    await docker(['rmi', tag]).catch(() => {});
  }
});

/**
 * Root file systems whose /etc/passwd is reached through a link (made on disk, then tar): where
 * the passwd file is (app is uid 0 in it), the symlinks (target, at) made after it, or a hard link.
 */
const LINKED: Array<{
  what: string;
  passwd: string;
  links?: Array<[string, string]>;
  hard?: string;
  /** False: the link leads to a file of another name, which layerlens does not read (os-file-unread). */
  read?: boolean;
  /**
   * Docker's answer where it is not the link's: Docker lays an init layer of its own over the
   * image (/etc/hosts, /etc/resolv.conf, …) whose /etc directory hides a linked /etc, so no
   * passwd is found; containerd (Kubernetes) has no such layer and follows the link, as layerlens
   * does (the worse case: root).
   */
  docker?: string;
}> = [
  { what: 'absolute link', passwd: 'opt/users/passwd', links: [['/opt/users/passwd', 'etc/passwd']] },
  { what: 'relative link', passwd: 'opt/users/passwd', links: [['../opt/users/passwd', 'etc/passwd']] },
  { what: 'a linked /etc', passwd: 'x/passwd', links: [['x', 'etc']], docker: 'does not start' },
  {
    what: 'a link to a linked directory',
    passwd: 'opt/b/passwd',
    links: [
      ['b', 'opt/a'],
      ['/opt/a/passwd', 'etc/passwd'],
    ],
  },
  { what: 'a hard link', passwd: 'opt/users/passwd', hard: 'etc/passwd' },
  { what: 'a dangling link', passwd: 'opt/users/passwd', links: [['/opt/none/passwd', 'etc/passwd']] },
  {
    what: 'a link to a file of another name',
    passwd: 'opt/accounts.real',
    links: [['/opt/accounts.real', 'etc/passwd']],
    read: false,
  },
];

unpackTest('USER through a linked /etc/passwd: the uid Docker runs as, or said not read', async (dir) => {
  for (const [i, shape] of LINKED.entries()) {
    const root = join(dir, `root${i}`);
    await mkdir(join(root, 'etc'), { recursive: true });
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    await mkdir(join(root, shape.passwd, '..'), { recursive: true });
    await writeFile(join(root, shape.passwd), 'root:x:0:0::/root:/bin/sh\napp:x:0:0::/:/bin/sh\n');
    for (const [target, at] of shape.links ?? []) {
      if (at === 'etc') await run('rmdir', [join(root, 'etc')]);
      await symlink(target, join(root, at));
    }
    if (shape.hard) await link(join(root, shape.passwd), join(root, shape.hard));
    const layer = join(dir, `layer${i}.tar`);
    await run('tar', ['-C', root, '-cf', layer, '.']);
    await imported(layer, `linked-passwd-${i}`, async (image) => {
      const ran = await uidUnderDocker(image, 'app');
      const archive = join(dir, `image${i}.tar`);
      await docker(['save', '-o', archive, image]);
      const model = new ImageModel();
      await model.load(
        await openImage(archive, { source: 'archive', pull: false, insecure: false, plainHttp: false }),
        {
          inspectContent: createContentInspector({}),
        },
      );
      const passwd = imagePasswd(model);
      if (shape.docker) {
        assert.equal(ran, shape.docker, `${shape.what}: Docker's init layer`);
        assert.equal(runUser('app', passwd)?.uid, 0, `${shape.what}: the link followed, as containerd does`);
      } else if (shape.read !== false) {
        assert.equal(String(runUser('app', passwd)?.uid ?? 'does not start'), ran, shape.what);
      } else {
        assert.equal(ran, '0', `${shape.what}: Docker reads the file the link leads to`);
        assert.equal(passwd, undefined, `${shape.what}: not read, so not told`);
        const unread = runChecks(model, { reference: archive }).find((f) => f.ruleId === 'os-file-unread');
        assert.equal(unread?.path, `/${shape.passwd}`, shape.what);
      }
    });
  }
});
