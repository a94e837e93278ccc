/**
 * The package as users get it: `npm pack` → install the tarball globally (into a private prefix)
 * → the `layerlens` bin runs. Catches a missing shebang, a file left out of "files", a runtime
 * import of a dev dependency, a bin that is not executable, and worker threads that do not start
 * from the installed files (both workers load there, and the bin reads a docker save archive and
 * an image from an in-process registry with them).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { docker25Save, membersToTar, sampleLayerTars } from './support/archives.js';
import { buildImage } from './support/oci-image.js';
import { startImageServer } from './support/registry-server.js';

const root = new URL('..', import.meta.url).pathname;

test('npm pack → global install of the tarball → layerlens --help and --version work, its workers start', {
  timeout: 600_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), 'layerlens-pack-'));
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
    const out = execFileSync('npm', ['pack', '--pack-destination', work, '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename, files }] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(
      files.some((f) => f.path === 'dist/cli/main.js'),
      'the bin is packed',
    );
    assert.ok(
      !files.some((f) => f.path.startsWith('src/') || f.path.startsWith('test/')),
      'sources and tests stay out of the package',
    );
    const prefix = join(work, 'prefix');
    // Native addons build from the sources they ship; nothing downloads a prebuilt binary.
    execFileSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, filename)],
      {
        stdio: 'pipe',
        env: { ...process.env, npm_config_build_from_source: 'true' },
      },
    );
    const bin = join(prefix, 'bin', 'layerlens');
    assert.ok(existsSync(bin));
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage:\n\s+layerlens \[options\] IMAGE/);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(
      version.stdout.trim(),
      `layerlens ${JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' })).version}`,
    );
    const bad = spawnSync(bin, ['inspect', join(work, 'no-such-image.tar')], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.equal(bad.stderr.trim().split('\n').length, 1, `one line: ${bad.stderr}`);

    // The worker threads start from the installed dist/ (not the fallback on the main thread).
    const pkg = join(prefix, 'lib', 'node_modules', 'layerlens', 'dist');
    const archive = join(work, 'app.tar');
    writeFileSync(archive, await membersToTar(docker25Save(await sampleLayerTars()).members));
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const f = await import(${JSON.stringify(pathToFileURL(join(pkg, 'sources/registry/fetch-worker.js')).href)});
         const h = await import(${JSON.stringify(pathToFileURL(join(pkg, 'sources/file-hash-worker.js')).href)});
         console.log(JSON.stringify({ fetch: await f.fetchWorkerReady(), hash: await h.hashWorkerReady(), digest: await h.hashFileRange(${JSON.stringify(archive)}, 0, -1) }));`,
      ],
      { encoding: 'utf8', cwd: work },
    );
    assert.equal(probe.status, 0, probe.stderr);
    const ready = JSON.parse(probe.stdout);
    assert.deepEqual(ready, {
      fetch: true,
      hash: true,
      digest: `sha256:${createHash('sha256').update(readFileSync(archive)).digest('hex')}`,
    });
    const fromArchive = spawnSync(bin, ['inspect', archive], { encoding: 'utf8' });
    assert.equal(fromArchive.status, 0, fromArchive.stderr);
    assert.match(fromArchive.stdout, /#2 .* \+3 ~0 -0/);
    const img = await buildImage([{ entries: [{ name: 'etc/hostname', content: 'packaged\n' }] }]);
    const server = await startImageServer({ image: img, repository: 'team/app', tag: 'v1' });
    try {
      const fromRegistry = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(bin, ['inspect', '--source', 'registry', '--plain-http', `${server.host}/team/app:v1`]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      assert.equal(fromRegistry.code, 0, fromRegistry.stderr);
      assert.match(fromRegistry.stdout, /\(registry, linux\/amd64\)/);
      assert.equal(
        server.hits.filter((h) => h.url.endsWith(img.layers[0].digest)).length,
        1,
        'the layer was downloaded once',
      );
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
