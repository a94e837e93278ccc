/**
 * USER as Docker resolves it: an image whose /etc/passwd holds a uid-0 user under another name,
 * a uid that is not a number, repeated names, uids outside runc's range; for each USER spelling,
 * the uid `docker run --user … id -u` prints (or the refusal to start) must be what layerlens
 * resolves (src/findings/run-user.ts), and a USER that hides root is reported.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageModel } from '../../src/engine/image.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { imagePasswd, runUser } from '../../src/findings/run-user.js';
import { openImage } from '../../src/sources/open.js';
import { unpackTest } from '../support/docker-unpack.js';
import { docker } from '../support/harness.js';

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
      const ran = await docker([
        'run',
        '--rm',
        '--network',
        'none',
        '--user',
        spec,
        tag,
        '/bin/busybox',
        'id',
        '-u',
      ]).then(
        (r) => r.stdout.trim(),
        () => 'does not start',
      );
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
