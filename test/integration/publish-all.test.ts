/**
 * ExposedPorts keys as `docker run -P` publishes them: an image whose config exposes ports under
 * every spelling a crafted config may use (no protocol, a protocol in capitals, a trailing or
 * extra `/`, leading zeros, a sign, a space, a range, beyond 65535) is run with `-P` on a network
 * of its own, and the ports Docker published (`docker port`) must be the ports layerlens reports.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageModel } from '../../src/engine/image.js';
import { runChecks } from '../../src/findings/index.js';
import { openImage } from '../../src/sources/open.js';
import { oneLayerArchive } from '../support/archives.js';
import { unpackTest } from '../support/docker-unpack.js';
import { docker } from '../support/harness.js';
import { file, tar } from '../support/tar-craft.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const KEYS = [
  '5432',
  '6379/TCP',
  '8080/tcp/x',
  '9000/',
  '03307/tcp',
  '000022',
  '+3306/tcp',
  ' 27017/tcp',
  '2375/udp',
  '8443/Udp',
  '70000/tcp',
  '0/tcp',
  '5000-5002/tcp',
  'abc/tcp',
  '11211/tcp',
  '11211',
];

unpackTest('the ports layerlens reports are the ports docker run -P publishes', async (dir) => {
  const layer = tar([file('bin/busybox', await readFile('/bin/busybox'), { mode: 0o755 })]);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { ExposedPorts: Object.fromEntries(KEYS.map((k) => [k, {}])), Cmd: ['/bin/busybox', 'sleep', '600'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] },
      history: [{ created_by: 'test' }],
    }),
  );
  const tag = `layerlens-it/publish-all:${process.pid}`;
  const archive = join(dir, 'ports.tar');
  await writeFile(archive, await oneLayerArchive(layer, config, tag));
  const network = `layerlens-it-ports-${process.pid}`;
  const name = `layerlens-it-ports-${process.pid}`;
  await docker(['load', '-i', archive]);
  await docker(['network', 'create', network]);
  try {
    await docker(['run', '-d', '--name', name, '-P', '--network', network, tag]);
    // "5432/tcp -> 0.0.0.0:32771", once per host address; port 0 is what Docker makes of a range.
    const published = new Set(
      (await docker(['port', name])).stdout
        .split('\n')
        .map((l) => l.split(' -> ')[0].trim())
        .filter((p) => p && !p.startsWith('0/')),
    );
    const model = new ImageModel();
    await model.load(await openImage(archive, { source: 'archive', pull: false, insecure: false, plainHttp: false }));
    const reported = new Set(
      runChecks(model, { reference: archive })
        .filter((f) => f.category === 'port')
        .map((f) => `${f.properties?.port}/${f.properties?.protocol}`),
    );
    assert.deepEqual([...reported].sort(), [...published].sort());
    assert.ok(published.has('9000/tcp') && published.has('8080/tcp'), 'the spellings a plain reading misses');
  } finally {
    await docker(['rm', '-f', name]).catch(() => {});
    await docker(['network', 'rm', network]).catch(() => {});
    await docker(['rmi', tag]).catch(() => {});
  }
});
