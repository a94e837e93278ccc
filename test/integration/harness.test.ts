/**
 * Smoke tests of the integration harness itself: the throwaway daemon and
 * registry answer, and the fixtures exist in every promised shape with the
 * promised contents. Skipped (with the reason) when the services are not running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_LAYERS, docker, ensureFixtures, integrationEnv, run, skipReason } from '../support/harness.js';

const skip = skipReason();

test('harness: skipReason and integrationEnv agree', () => {
  if (integrationEnv() === null) assert.match(String(skip), /LAYERLENS_IT_DOCKER_HOST/);
  else assert.ok(skip === undefined || /does not exist|not a directory/.test(skip), String(skip));
});

test('harness: test daemon answers', { skip }, async () => {
  const { stdout } = await docker(['info', '--format', '{{json .}}']);
  const info = JSON.parse(stdout);
  assert.equal(info.Driver, 'vfs');
  assert.match(String(info.DockerRootDir), /layerlens-it\./);
});

test('harness: docker() throws with stderr on failure', { skip }, async () => {
  await assert.rejects(
    docker(['image', 'inspect', 'layerlens-fixture/does-not-exist:0']),
    /No such image|no such image/i,
  );
});

test('harness: registry /v2/ answers', { skip }, async () => {
  const env = integrationEnv()!;
  const res = await fetch(`http://${env.registry}/v2/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('docker-distribution-api-version') ?? '', /registry\/2\.0/);
});

test('harness: fixtures exist in every shape', { skip, timeout: 15 * 60_000 }, async () => {
  const fx = await ensureFixtures();
  for (const f of [
    fx.basicDockerTar,
    fx.basicDockerTarGz,
    fx.basicLegacyTar,
    fx.hostileDockerTar,
    fx.basicOciArchive,
  ]) {
    assert.ok(statSync(f).size > 1024, f);
  }
  for (const d of [fx.basicOciLayout, fx.basicOciZstdLayout, fx.hostileOciLayout]) {
    assert.ok(existsSync(join(d, 'oci-layout')), d);
    assert.ok(existsSync(join(d, 'index.json')), d);
  }
  // gzip magic
  assert.deepEqual([...readFileSync(fx.basicDockerTarGz).subarray(0, 2)], [0x1f, 0x8b]);
  // docker save shape as documented
  assert.ok(fx.dockerSaveEntries.includes('manifest.json'));
  if (fx.dockerSaveShape === 'legacy') assert.ok(fx.dockerSaveEntries.some((e) => e.endsWith('/layer.tar')));
  else assert.ok(fx.dockerSaveEntries.includes('index.json'));

  // zstd layout really holds zstd layers
  const index = JSON.parse(readFileSync(join(fx.basicOciZstdLayout, 'index.json'), 'utf8'));
  const mdesc = index.manifests[0];
  assert.equal(mdesc.annotations['org.opencontainers.image.ref.name'], fx.ociTag);
  const manifest = JSON.parse(readFileSync(blob(fx.basicOciZstdLayout, mdesc.digest), 'utf8'));
  assert.equal(manifest.layers.length, BASIC_LAYERS.length);
  for (const l of manifest.layers) {
    assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
    assert.deepEqual([...readFileSync(blob(fx.basicOciZstdLayout, l.digest)).subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
  }

  // registry serves the pushed manifests under the recorded digests
  for (const [ref, digest] of [
    [fx.registry.basic, fx.registry.basicDigest],
    [fx.registry.basicZstd, fx.registry.basicZstdDigest],
    [fx.registry.hostile, fx.registry.hostileDigest],
  ] as const) {
    const [host, ...rest] = ref.split('/');
    const [name, tag] = rest.join('/').split(':');
    const res = await fetch(`http://${host}/v2/${name}/manifests/${tag}`, {
      headers: {
        accept: [
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.v2+json',
        ].join(', '),
      },
    });
    assert.equal(res.status, 200, ref);
    assert.equal(res.headers.get('docker-content-digest'), digest, ref);
    await res.arrayBuffer();
  }
});

test('harness: basic fixture has the promised config and history', { skip, timeout: 15 * 60_000 }, async () => {
  const fx = await ensureFixtures();
  assert.deepEqual(fx.exposedPorts, ['22/tcp', '3306/tcp', '8080/tcp']);
  assert.equal(fx.user, '1000');
  assert.match(fx.secrets.githubToken, /^ghp_[A-Za-z0-9]{36}$/);
  assert.match(fx.secrets.sshPrivateKey, /-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/);

  const { stdout } = await docker(['image', 'inspect', '--format', '{{json .Config.Env}}', fx.images.basic]);
  assert.ok((JSON.parse(stdout) as string[]).includes(`API_TOKEN=${fx.secrets.apiToken}`));

  const all = fx.basicHistory.map((h) => h.createdBy).join('\n');
  assert.ok(all.includes(`|1 BUILD_SECRET=${fx.secrets.buildSecret} /bin/sh -c`), all);
  // 15 instructions after FROM; 11 of them made layers (a whiteout-only layer shows 0B but is a layer)
  assert.equal(fx.basicHistory.length, 15, all);
  assert.equal(fx.basicDiffIds.length, BASIC_LAYERS.length);
  assert.ok(fx.basicDiffIds.every((d) => /^sha256:[a-f0-9]{64}$/.test(d)));
});

test('harness: layer tars match BASIC_LAYERS', { skip, timeout: 15 * 60_000 }, async () => {
  const fx = await ensureFixtures();
  // Read the (uncompressed) layer tars of the docker save with GNU tar.
  const env = integrationEnv()!;
  const out = join(env.workdir, 'harness-smoke');
  await run('mkdir', ['-p', out]);
  await run('tar', ['-xf', fx.basicDockerTar, '-C', out, 'manifest.json']);
  const [m] = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
  assert.equal(m!.Layers.length, BASIC_LAYERS.length);
  const key = fx.secrets.sshPrivateKey.split('\n')[1]!;
  for (const [i, layerPath] of m!.Layers.entries()) {
    const want = BASIC_LAYERS[i]!;
    await run('tar', ['-xf', fx.basicDockerTar, '-C', out, layerPath]);
    const verbose = (await run('tar', ['-tvf', join(out, layerPath)])).stdout;
    const names = (await run('tar', ['-tf', join(out, layerPath)])).stdout
      .split('\n')
      .filter(Boolean)
      .map((n) => n.replace(/\/$/, ''));
    for (const p of want.contains)
      assert.ok(names.includes(p), `layer ${i} (${want.instruction}) lacks ${p}: ${names}`);
    for (const p of want.whiteouts) assert.ok(names.includes(p), `layer ${i} lacks whiteout ${p}: ${names}`);
    const wh = names.filter((n) => n.split('/').pop()!.startsWith('.wh.'));
    assert.deepEqual(wh.sort(), [...want.whiteouts].sort(), `whiteouts of layer ${i}`);
    if (want.contains.includes('root/.ssh/id_rsa')) {
      const body = (await run('tar', ['-xOf', join(out, layerPath), 'root/.ssh/id_rsa'])).stdout;
      assert.ok(body.includes(key), 'deleted key is still in its layer');
    }
    if (want.contains.includes('etc/app/config.ini')) {
      const body = (await run('tar', ['-xOf', join(out, layerPath), 'etc/app/config.ini'])).stdout;
      assert.equal(body.includes(fx.secrets.githubToken), i === 5, `token only in the first config.ini (layer ${i})`);
    }
    if (want.contains.includes('data/hard')) assert.match(verbose, /data\/hard link to data\/file/);
    if (want.instruction.startsWith('RUN chmod 4755'))
      assert.match(verbose, /^-rwsr-xr-x .*usr\/local\/bin\/suid-helper$/m);
  }
});

function blob(layout: string, digest: string): string {
  const [alg, hex] = digest.split(':');
  return join(layout, 'blobs', alg!, hex!);
}

test('harness: hostile fixture holds raw escape, bidi, newline and invalid UTF-8 names', {
  skip,
  timeout: 15 * 60_000,
}, async () => {
  const fx = await ensureFixtures();
  const env = integrationEnv()!;
  const out = join(env.workdir, 'harness-smoke-hostile');
  await run('mkdir', ['-p', out]);
  await run('tar', ['-xf', fx.hostileDockerTar, '-C', out]);
  const [m] = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
  const last = m!.Layers[m!.Layers.length - 1]!;
  // GNU tar prints names with C escapes when --quoting-style=escape
  const names = (await run('tar', ['--quoting-style=escape', '-tf', join(out, last)])).stdout;
  for (const want of [
    'hostile/esc-title-\\033]0;PWNED\\a',
    'hostile/clear-\\033[2J\\033[H-screen',
    'hostile/invoice-\u202efdp.exe', // valid UTF-8: GNU tar prints it raw
    'hostile/new\\nline',
    'hostile/bad-\\377\\376-utf8',
    'hostile/red-\\033[31m-dir/inner',
    'hostile/link-to-esc',
  ]) {
    assert.ok(names.includes(want), `${want} missing in:\n${names}`);
  }
});
