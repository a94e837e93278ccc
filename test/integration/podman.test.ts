/**
 * The Podman source against a REAL Podman: Debian's podman (4.3) serving its API on a private
 * socket with vfs storage in a private storage.conf (scripts/services.sh: LAYERLENS_IT_PODMAN_HOST).
 * The fixture images built by the test's dockerd are saved with `docker save` and `podman load`ed;
 * read through Podman's socket they must give exactly the trees the Docker daemon gives, by
 * --source podman, by the skopeo-style `containers-storage:` name, and by auto mode when only
 * Podman has the image.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageReader } from '../../src/engine/types.js';
import { LayerlensError } from '../../src/errors/index.js';
import { openImage } from '../../src/sources/open.js';
import { withTransport, type SourceOptions } from '../../src/sources/options.js';
import { canonicalDump } from '../support/dump.js';
import { ensureFixtures, integrationEnv, run, skipReason, which, type Fixtures } from '../support/harness.js';

const PODMAN_HOST = process.env.LAYERLENS_IT_PODMAN_HOST;
const skip =
  skipReason() ??
  (PODMAN_HOST
    ? which('podman')
      ? undefined
      : 'needs the podman client on PATH'
    : 'needs LAYERLENS_IT_PODMAN_HOST (scripts/test-all.sh starts podman system service when podman is installed)');

const base: SourceOptions = { source: 'auto', pull: false, insecure: false, plainHttp: false };

function podman(args: string[]) {
  return run('podman', ['--url', PODMAN_HOST!, ...args]);
}

async function load(reader: ImageReader): Promise<ImageModel> {
  const m = new ImageModel();
  try {
    await m.load(reader, { concurrency: 2 });
  } finally {
    await reader.close();
  }
  return m;
}

describe('the Podman source against a real podman system service', { skip }, () => {
  let fx: Fixtures;
  let daemonDump: string;
  let daemonHistory: Array<[number | null, string | undefined]>;
  const saved: Record<string, string | undefined> = {};
  /** A name only Podman has (the test's dockerd does not). */
  const podmanOnly = `example.org/podman-only/basic-${randomBytes(3).toString('hex')}:1`;

  before(async () => {
    fx = await ensureFixtures();
    for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'CONTAINER_HOST']) saved[k] = process.env[k];
    process.env.DOCKER_HOST = integrationEnv()!.dockerHost;
    delete process.env.DOCKER_CONTEXT;
    process.env.CONTAINER_HOST = PODMAN_HOST;
    const fromDaemon = await load(await openImage(fx.images.basic, { ...base, source: 'docker' }));
    daemonDump = canonicalDump(fromDaemon);
    daemonHistory = fromDaemon.meta!.history.map((h) => [h.layerIndex, h.createdBy]);
    // Images built by the test's dockerd, moved to Podman as users do: docker save | podman load.
    await podman(['load', '-i', fx.basicDockerTar]);
    await podman(['load', '-i', fx.hostileDockerTar]);
    await podman(['tag', fx.images.basic, podmanOnly]);
  });

  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await podman(['rmi', '--force', podmanOnly]).catch(() => {});
  });

  test('--source podman: the same tree, layers and history as the Docker daemon gives', async () => {
    const reader = await openImage(fx.images.basic, { ...base, source: 'podman' });
    const meta = await reader.meta();
    assert.equal(meta.source, 'podman');
    // `podman load` keeps a short name as localhost/NAME; the image panel says what Podman has.
    assert.equal(meta.reference, 'localhost/layerlens-fixture/basic:1');
    assert.deepEqual(
      meta.layers.map((l) => l.diffId),
      fx.basicDiffIds,
    );
    assert.equal(meta.configDigest, fx.imageIds.basic, 'podman load keeps the image ID (the config digest)');
    assert.ok(meta.notes?.includes(`podman: ${PODMAN_HOST}`), JSON.stringify(meta.notes));
    assert.ok(meta.config.config?.Env?.some((e) => e.startsWith('API_TOKEN=')));
    const model = await load(reader);
    assert.equal(canonicalDump(model), daemonDump);
    assert.deepEqual(
      model.meta!.history.map((h) => [h.layerIndex, h.createdBy]),
      daemonHistory,
    );
  });

  test('containers-storage:NAME (skopeo style) opens the image in Podman', async () => {
    const { input, opts } = withTransport(`containers-storage:${fx.images.basic}`, base);
    assert.equal(opts.source, 'podman');
    const model = await load(await openImage(input, opts));
    assert.equal(model.meta!.source, 'podman');
    assert.equal(canonicalDump(model), daemonDump);
  });

  test('auto: an image only Podman has is found there after the Docker daemon says no', async () => {
    const model = await load(await openImage(podmanOnly, base));
    assert.equal(model.meta!.source, 'podman');
    assert.equal(model.meta!.reference, podmanOnly);
    assert.equal(canonicalDump(model), daemonDump);
  });

  test('hostile names: Podman and the Docker daemon agree', async () => {
    const viaPodman = canonicalDump(await load(await openImage(fx.images.hostile, { ...base, source: 'podman' })));
    const viaDocker = canonicalDump(await load(await openImage(fx.images.hostile, { ...base, source: 'docker' })));
    assert.equal(viaPodman, viaDocker);
    assert.match(viaPodman, /\/hostile\/esc-title-\u001b\]0;PWNED\u0007/);
  });

  test('an image Podman does not have: one line naming the socket', async () => {
    await assert.rejects(
      openImage('example.org/layerlens/absent-from-podman:1', { ...base, source: 'podman' }),
      (err: Error) => {
        assert.ok(err instanceof LayerlensError, String(err));
        assert.equal(err.code, 'IMAGE_NOT_FOUND');
        assert.ok(err.message.includes(PODMAN_HOST!), err.message);
        assert.ok(!err.message.includes('\n'));
        return true;
      },
    );
  });
});
