/**
 * `layerlens extract` on the basic fixture built by the real Docker engine, through every kind of
 * source: the key COPY'd in layer 1 and removed in layer 2 comes back byte for byte, the config
 * replaced in layer 6 by --layer 5, the setuid helper without its setuid bit.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureFixtures, integrationEnv, run, skipReason } from '../support/harness.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const skip = skipReason();

async function extract(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, DOCKER_HOST: integrationEnv()!.dockerHost };
  return run(process.execPath, ['--import', 'tsx', MAIN, 'extract', ...args], { env, timeoutMs: 10 * 60_000 });
}

test('extract from the daemon, docker save, OCI layouts (gzip, zstd), an OCI archive and the registry', {
  skip,
  timeout: 20 * 60_000,
}, async () => {
  const fx = await ensureFixtures();
  const dir = await mkdtemp(join(tmpdir(), 'layerlens-it-extract-'));
  try {
    const sources = [
      `docker-daemon:${fx.images.basic}`,
      fx.basicDockerTar,
      fx.basicDockerTarGz,
      `oci:${fx.basicOciLayout}:${fx.ociTag}`,
      fx.basicOciZstdLayout,
      fx.basicOciArchive,
      `docker://${fx.registry.basic}`,
    ];
    for (const src of sources) {
      const key = await extract([src, fx.secrets.sshKeyPath]);
      assert.equal(key.stdout, fx.secrets.sshPrivateKey, src);
      assert.match(key.stderr, /deleted in layer 2; extracted from layer 1/, src);
      // The config as shipped (no token) and as layer 5 added it (the token a later layer replaced).
      const shipped = (await extract([src, '/etc/app/config.ini'])).stdout;
      assert.ok(shipped.includes('user = fixture-bot') && !shipped.includes(fx.secrets.githubToken), src);
      assert.ok(
        (await extract([src, '/etc/app/config.ini', '--layer', '5'])).stdout.includes(
          `token = ${fx.secrets.githubToken}\n`,
        ),
        src,
      );
    }
    // The hard link made by RUN ln: its target's bytes, from a re-read of the layer.
    assert.equal((await extract([fx.basicDockerTar, '/data/hard'])).stdout, 'data\n');
    // Written 0600, not setuid; the bytes of the build context's file.
    const out = join(dir, 'helper');
    await extract([fx.basicDockerTar, '/usr/local/bin/suid-helper', '-o', out]);
    assert.equal((await stat(out)).mode & 0o7777, 0o600);
    assert.equal(await readFile(out, 'utf8'), '#!/bin/sh\necho "layerlens fixture helper"\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
