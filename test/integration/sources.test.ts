/**
 * Every source against REAL fixtures (test/support/harness.ts: a throwaway dockerd, `docker
 * save`, skopeo-written OCI layouts and archives, a registry): the fixture image read through the
 * daemon, the docker save file, the same archive on a pipe, gzip'd, OCI layouts (gzip, zstd), an
 * OCI archive and skopeo's docker-archive gives the SAME trees, with the exact change sets of
 * the fixture's layers, and metadata before any layer for the seekable sources.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import * as A from '../support/archives.js';
import { before, describe, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageMeta, ImageReader, LayerBlob } from '../../src/engine/types.js';
import { LayerlensError } from '../../src/errors/index.js';
import { withTransport, type SourceOptions } from '../../src/sources/options.js';
import { openArchive } from '../../src/sources/archive/index.js';
import { openImage } from '../../src/sources/open.js';
import { canonicalDump, changeDump } from '../support/dump.js';
import { ensureFixtures, integrationEnv, run, skipReason, type Fixtures } from '../support/harness.js';

const skip = skipReason();
const base: SourceOptions = { source: 'auto', pull: false, insecure: false, plainHttp: false };

/** Records when meta() resolved and when the first layer byte was read. */
function instrument(reader: ImageReader): { reader: ImageReader; events: string[] } {
  const events: string[] = [];
  return {
    events,
    reader: {
      meta: () =>
        reader.meta().then((m) => {
          events.push('meta');
          return m;
        }),
      async *blobs(): AsyncIterable<LayerBlob> {
        for await (const b of reader.blobs()) {
          (b.stream as NodeJS.ReadableStream).once('data', () => events.push('layer-data'));
          yield b;
        }
      },
      reopenLayer: reader.reopenLayer?.bind(reader),
      close: () => reader.close(),
    },
  };
}

async function load(reader: ImageReader, concurrency = 2): Promise<ImageModel> {
  const m = new ImageModel();
  await m.load(reader, { concurrency });
  return m;
}

/** A real OS pipe: `cat FILE` feeding us, as `layerlens - < FILE` would. */
function catPipe(file: string): NodeJS.ReadableStream {
  const child = spawn('cat', [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  return child.stdout;
}

describe('sources against the real fixtures', { skip }, () => {
  let fx: Fixtures;
  let daemonModel: ImageModel;
  let daemonDump: string;
  before(async () => {
    fx = await ensureFixtures();
    process.env.DOCKER_HOST = integrationEnv()!.dockerHost;
    delete process.env.DOCKER_CONTEXT;
  });

  test('daemon: meta from inspect + history in well under a second, before any layer byte', async () => {
    const t0 = performance.now();
    const opened = await openImage(fx.images.basic, base);
    const { reader, events } = instrument(opened);
    const meta = await reader.meta();
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `meta took ${ms.toFixed(0)} ms`);
    assert.equal(meta.source, 'docker');
    assert.equal(meta.reference, 'docker.io/layerlens-fixture/basic:1');
    assert.equal(meta.configDigest, fx.imageIds.basic);
    assert.deepEqual(
      meta.layers.map((l) => l.diffId),
      fx.basicDiffIds,
    );
    assert.ok(meta.config.config?.Env?.some((e) => e.startsWith('API_TOKEN=')));
    assert.deepEqual(Object.keys(meta.config.config?.ExposedPorts ?? {}).sort(), [...fx.exposedPorts].sort());
    assert.equal(meta.config.config?.User, fx.user);
    assert.ok(meta.notes?.some((n) => n === `daemon: ${integrationEnv()!.dockerHost}`));
    const inferred = meta.history.map((h) => [h.layerIndex, h.createdBy]);
    daemonModel = await load(reader);
    assert.equal(events[0], 'meta');
    assert.ok(events.includes('layer-data'));
    daemonDump = canonicalDump(daemonModel);
    // The exact history from the export replaced the inferred one — and they agreed.
    assert.deepEqual(
      meta.history.map((h) => [h.layerIndex, h.createdBy]),
      inferred,
    );
    assert.ok(!meta.notes?.some((n) => n.startsWith('history from the daemon API')));
    assert.equal(meta.history.filter((h) => h.layerIndex !== null).length, 11);
    assert.match(meta.history.find((h) => h.layerIndex === 10)!.createdBy!, /\|1 BUILD_SECRET=/);
  });

  test('exact change sets of the fixture layers', () => {
    const m = daemonModel;
    assert.equal(m.layers.length, 11);
    // L1 adds the key, L2 removes it.
    assert.deepEqual(changeDump(m, 1), [
      'added /root dir size=0 mode=755 0:0',
      'added /root/.ssh dir size=0 mode=755 0:0',
      'added /root/.ssh/id_rsa file size=' + Buffer.byteLength(fx.secrets.sshPrivateKey) + ' mode=600 0:0',
    ]);
    assert.deepEqual(changeDump(m, 2), ['removed /root/.ssh/id_rsa']);
    // L3 makes a tree, L4 removes the dir and recreates it with other content.
    assert.deepEqual(changeDump(m, 3), [
      'added /opt dir size=0 mode=755 0:0',
      'added /opt/app dir size=0 mode=755 0:0',
      'added /opt/app/sub dir size=0 mode=755 0:0',
      'added /opt/app/sub/f file size=2 mode=644 0:0',
      'added /opt/keep file size=5 mode=644 0:0',
    ]);
    assert.deepEqual(changeDump(m, 4), [
      'added /opt/app/g file size=4 mode=644 0:0',
      'removed /opt/app/sub',
      'removed /opt/app/sub/f',
    ]);
    // L5 writes the config with the token, L6 overwrites it.
    assert.equal(
      changeDump(m, 5).find((l) => l.includes('config.ini')),
      `added /etc/app/config.ini file size=${121} mode=644 0:0`,
    );
    assert.deepEqual(changeDump(m, 6), ['modified /etc/app/config.ini file size=53 mode=644 0:0']);
    // L7: a hardlink, counted once.
    assert.deepEqual(changeDump(m, 7), [
      'added /data dir size=0 mode=755 0:0',
      'added /data/file file size=5 mode=644 0:0',
      'added /data/hard hardlink size=0 mode=644 0:0 -> /data/file',
    ]);
    // L8 adds the helper, L9 makes it setuid.
    assert.ok(changeDump(m, 8).includes('added /usr/local/bin/suid-helper file size=42 mode=755 0:0'));
    assert.deepEqual(changeDump(m, 9), ['modified /usr/local/bin/suid-helper file size=42 mode=4755 0:0']);
    assert.deepEqual(changeDump(m, 10), ['added /etc/app/build-info file size=20 mode=644 0:0']);
  });

  const seekable = (name: string, input: () => string, source: SourceOptions['source'], kind: ImageMeta['source']) =>
    test(`${name}: same tree as the daemon; meta before any layer byte`, async () => {
      const { reader, events } = instrument(await openImage(input(), { ...base, source }));
      const meta = await reader.meta();
      assert.equal(meta.source, kind);
      assert.deepEqual(
        meta.layers.map((l) => l.diffId),
        fx.basicDiffIds,
      );
      const m = await load(reader, 3);
      assert.equal(events[0], 'meta');
      assert.equal(events.filter((e) => e === 'layer-data').length, 11);
      assert.equal(canonicalDump(m), daemonDump);
      assert.ok(m.canReopen);
    });

  seekable('docker save archive file', () => fx.basicDockerTar, 'auto', 'archive');
  seekable('docker save archive file (--source archive)', () => fx.basicDockerTar, 'archive', 'archive');
  seekable('skopeo docker-archive (legacy variant, symlinked layer.tar)', () => fx.basicLegacyTar, 'auto', 'archive');
  seekable('OCI layout dir, gzip layers', () => fx.basicOciLayout, 'auto', 'oci');
  seekable('OCI layout dir, gzip layers, DIR:tag', () => `${fx.basicOciLayout}:${fx.ociTag}`, 'oci', 'oci');
  seekable('OCI layout dir, zstd layers', () => fx.basicOciZstdLayout, 'auto', 'oci');
  seekable('OCI archive', () => fx.basicOciArchive, 'auto', 'archive');

  test('skopeo-style names (docker-daemon:, docker-archive:, oci:, oci-archive:, docker://) open the same image', async () => {
    const names: Array<[string, ImageMeta['source']]> = [
      [`docker-daemon:${fx.images.basic}`, 'docker'],
      [`docker-archive:${fx.basicDockerTar}`, 'archive'],
      [`oci:${fx.basicOciLayout}:${fx.ociTag}`, 'oci'],
      [`oci-archive:${fx.basicOciArchive}:${fx.ociTag}`, 'archive'],
      [`docker://${fx.registry.basic}`, 'registry'],
    ];
    for (const [name, kind] of names) {
      const { input, opts } = withTransport(name, base);
      const reader = await openImage(input, opts);
      assert.equal((await reader.meta()).source, kind, name);
      const m = await load(reader);
      assert.deepEqual(
        m.meta!.layers.map((l) => l.diffId),
        fx.basicDiffIds,
        name,
      );
      assert.equal(canonicalDump(m), daemonDump, name);
    }
  });

  test('the same docker save archive on a real pipe (one pass)', async () => {
    const reader = await openArchive('-', { reference: 'stdin' }, catPipe(fx.basicDockerTar));
    const m = await load(reader);
    assert.equal(canonicalDump(m), daemonDump);
    assert.equal(m.meta!.configDigest, fx.imageIds.basic);
    assert.equal(m.canReopen, false);
  });

  test('gzip-compressed docker save archive (file, read in one pass) and on a pipe', async () => {
    assert.equal(canonicalDump(await load(await openImage(fx.basicDockerTarGz, base))), daemonDump);
    assert.equal(
      canonicalDump(await load(await openArchive('-', { reference: 'stdin' }, catPipe(fx.basicDockerTarGz)))),
      daemonDump,
    );
  });

  test('hostile names: daemon, archive and OCI layout agree', async () => {
    const fromDaemon = canonicalDump(await load(await openImage(fx.images.hostile, base)));
    assert.equal(canonicalDump(await load(await openImage(fx.hostileDockerTar, base))), fromDaemon);
    assert.equal(canonicalDump(await load(await openImage(fx.hostileOciLayout, base))), fromDaemon);
    assert.match(fromDaemon, /\/hostile\/esc-title-\u001b\]0;PWNED\u0007/);
  });

  test('auto: a name the daemon does not have falls through to the registry source', async () => {
    const reader = await openImage(fx.registry.basicZstd, base);
    const meta = await reader.meta();
    assert.equal(meta.source, 'registry');
    assert.equal(canonicalDump(await load(reader)), daemonDump);
  });

  test('an image that is not in the daemon', async () => {
    await assert.rejects(
      openImage('example.org/layerlens/absent:1', { ...base, source: 'docker' }),
      (err: LayerlensError) => {
        assert.equal(err.code, 'IMAGE_NOT_FOUND');
        assert.equal(
          err.message,
          `example.org/layerlens/absent:1 is not in the Docker daemon at ${integrationEnv()!.dockerHost}`,
        );
        return true;
      },
    );
  });

  test('--pull through the daemon from the test registry, with progress lines', async () => {
    const lines: string[] = [];
    const reader = await openImage(fx.registry.basic, {
      ...base,
      source: 'docker',
      pull: true,
      log: (l) => lines.push(l),
    });
    const meta = await reader.meta();
    assert.ok(
      lines.some((l) =>
        /Pull complete|Download complete|Already exists|Downloaded newer image|Image is up to date/.test(l),
      ),
      lines.join('\n'),
    );
    assert.deepEqual(
      meta.layers.map((l) => l.diffId),
      fx.basicDiffIds,
    );
    assert.equal(meta.digest, fx.registry.basicDigest);
    assert.equal(canonicalDump(await load(reader)), daemonDump);
  });

  test('a refused pull (unknown manifest) is a one-line pull error', async () => {
    const ref = `${fx.registryHost}/fixture/absent:1`;
    await assert.rejects(openImage(ref, { ...base, source: 'docker', pull: true }), (err: LayerlensError) => {
      assert.ok(err instanceof LayerlensError, String(err));
      assert.equal(err.code, 'PULL_FAILED');
      assert.match(
        err.message,
        new RegExp(`^pull of ${ref.replace(/[.]/g, '\\.')}.* failed: .*(manifest unknown|not found)`, 'i'),
      );
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });

  test('an error that arrives INSIDE the 200 pull stream surfaces (registry blob gone)', async () => {
    // A unique image in the registry whose layer blob is then deleted from the registry's storage:
    // the manifest pull succeeds (HTTP 200), the layer download fails mid-stream.
    const dir = await mkdtemp(path.join(integrationEnv()!.workdir, 'broken-'));
    const layer = await buildTar([{ name: 'unique', content: randomBytes(64).toString('hex') }]);
    await A.membersToDir(A.ociLayout([{ tars: [layer], compress: 'gzip', tag: '1' }]).members, dir);
    const ref = `${fx.registryHost}/fixture/broken-${randomBytes(4).toString('hex')}:1`;
    await run('skopeo', [
      '--insecure-policy',
      'copy',
      '-q',
      '--dest-tls-verify=false',
      `oci:${dir}:1`,
      `docker://${ref}`,
    ]);
    const digest = sha256(A.compress(layer, 'gzip')).slice(7);
    const blobData = path.join(
      integrationEnv()!.workdir,
      'registry/docker/registry/v2/blobs/sha256',
      digest.slice(0, 2),
      digest,
      'data',
    );
    await rm(blobData);
    const lines: string[] = [];
    await assert.rejects(
      openImage(ref, { ...base, source: 'docker', pull: true, log: (l) => lines.push(l) }),
      (err: LayerlensError) => {
        assert.ok(err instanceof LayerlensError, String(err));
        assert.equal(err.code, 'PULL_FAILED', err.message);
        assert.match(err.message, /^pull of .* failed: /);
        assert.ok(!err.message.includes('\n'));
        return true;
      },
    );
    // It really was a 200 stream: progress had started before the error.
    assert.ok(
      lines.some((l) => /Pulling fs layer|Waiting|Downloading|Pulling from/.test(l)),
      lines.join(' | '),
    );
  });
});
