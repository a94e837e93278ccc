/**
 * The npm package as users get it: `npm pack` → install the tarball globally (into a private
 * prefix) → the `layerlens` bin runs (a missing shebang, a file left out of "files", a runtime
 * import of a dev dependency, a bin that is not executable); what the package holds and depends
 * on; the packed CLI running with its production dependencies alone (no React, Ink, dockerode,
 * nothing to compile); the bundle alone shipped of dist/; and the worker threads loading from
 * the installed bundle (and the bin reading a docker save archive, an image from an in-process
 * registry, and an OCI layout against a vulnerability database it built).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { docker25Save, membersToTar, sampleLayerTars } from './support/archives.js';
import { memoryImage } from './support/image.js';
import { buildImage } from './support/oci-image.js';
import { writeOciLayout } from './support/oci-layout.js';
import { NPM_ZIP } from './support/osv-fixtures.js';
import { startImageServer } from './support/registry-server.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const dir = mkdtempSync(path.join(tmpdir(), 'layerlens-pkg-'));
before(() => execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' }));
after(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[]): string {
  return execFileSync('npm', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('the package ships its LICENSE, README and screenshots; the README links images absolutely', () => {
  const files: string[] = JSON.parse(npm(['pack', '--dry-run', '--json']))[0].files.map(
    (f: { path: string }) => f.path,
  );
  assert.ok(files.includes('LICENSE'), 'LICENSE');
  assert.match(readFileSync(path.join(root, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  assert.equal(pkg.license, 'Apache-2.0');
  assert.ok(files.includes('README.md'));
  assert.ok(files.includes('dist/cli/main.js') && files.includes('dist/cli/main.cjs'));
  assert.equal(pkg.bin.layerlens, 'dist/cli/main.cjs');
  // Of dist/, the bundle only (scripts/postbuild.mjs): the command, the CLI's script and its code
  // cache, the worker threads' scripts.
  const built = files.filter((f) => f.startsWith('dist/'));
  assert.ok(files.includes('dist/cli/app.cjs') && files.includes('dist/cli/app.cjs.cache'));
  const bundle = /^dist\/cli\/(main\.js|main\.cjs|[a-z-]+-thread\.cjs|app\.cjs(\.cache)?)$/;
  assert.deepEqual(
    built.filter((f) => !bundle.test(f)),
    [],
  );
  assert.equal(built.filter((f) => f.endsWith('-thread.cjs')).length, 4);
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length >= 7);
  for (const src of images) {
    assert.match(src, /^https:\/\//, `absolute: ${src}`);
    const shipped = src.replace(/^.*\/layerlens\//, '');
    assert.ok(files.includes(shipped), `${shipped} is in the package`);
  }
  assert.ok(
    !files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.endsWith('.map')),
    'no sources or maps',
  );
});

test('what an install needs: no UI framework, no Docker SDK, nothing to compile, no project config npm warns about', () => {
  for (const gone of ['ink', 'react', 'dockerode']) assert.equal(pkg.dependencies[gone], undefined, gone);
  assert.equal(pkg.optionalDependencies, undefined, 'nothing optional that compiles on install');
  assert.deepEqual(pkg.peerDependenciesMeta, { 'zstd-napi': { optional: true } });
  // Every package a production install brings: no install script, no native build.
  const prod = npm(['ls', '--omit=dev', '--parseable', '--all']).trim().split('\n').slice(1);
  assert.ok(prod.length < 40, `${prod.length} packages`);
  for (const dir of prod) {
    const p = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const scripts = p.scripts ?? {};
    for (const phase of ['preinstall', 'install', 'postinstall'])
      assert.equal(scripts[phase], undefined, `${p.name} runs ${phase} on install`);
    assert.ok(!p.gypfile && !existsSync(path.join(dir, 'binding.gyp')), `${p.name} compiles on install`);
  }
  assert.ok(!existsSync(path.join(root, '.npmrc')), 'no .npmrc: its build-from-source made npm warn on every command');
  assert.match(readFileSync(path.join(root, '.prebuild-installrc'), 'utf8'), /^buildFromSource=true$/m);
  const out = spawnSync('npm', ['config', 'list'], { cwd: root, encoding: 'utf8' });
  assert.doesNotMatch(out.stderr, /Unknown project config/);
});

test('the packed CLI runs with its production dependencies alone', { timeout: 120_000 }, () => {
  const tgz = JSON.parse(npm(['pack', '--json', '--pack-destination', dir]))[0].filename;
  execFileSync('tar', ['-xzf', path.join(dir, tgz), '-C', dir]);
  const app = path.join(dir, 'package');
  // node_modules with exactly the production tree (as npm would install it), linked from here.
  const modules = path.join(app, 'node_modules');
  mkdirSync(modules);
  const prod = npm(['ls', '--omit=dev', '--parseable', '--all']).trim().split('\n').slice(1);
  for (const p of prod) {
    const name = path.relative(path.join(root, 'node_modules'), p);
    if (name.includes('node_modules')) continue; // nested copies come with their parent
    mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    symlinkSync(p, path.join(modules, name));
  }
  assert.ok(!prod.some((p) => /\/(ink|react|dockerode|ssh2|cpu-features|zstd-napi)$/.test(p)), prod.join('\n'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(app, 'dist/cli/main.js'), ...args], { cwd: dir, encoding: 'utf8' });
  const v = run('--version');
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout.trim(), `layerlens ${pkg.version}`);
  const scan = run('scan', '--demo', '--format', 'json');
  assert.equal(scan.status, 0, scan.stderr);
  assert.ok(JSON.parse(scan.stdout).findings.length > 10);
  const tty = run('--demo');
  assert.equal(tty.status, 2, 'no terminal here: a one-line refusal, not a crash');
  assert.match(tty.stderr, /^layerlens: no terminal: the explorer needs one/);
});

test('npm pack → global install of the tarball → layerlens --help and --version work, its workers start', {
  timeout: 600_000,
}, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'layerlens-pack-'));
  try {
    const [{ filename }] = JSON.parse(npm(['pack', '--pack-destination', work, '--json'])) as Array<{
      filename: string;
    }>;
    const prefix = path.join(work, 'prefix');
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        path.join(work, filename),
      ],
      { stdio: 'pipe' },
    );
    const bin = path.join(prefix, 'bin', 'layerlens');
    assert.ok(existsSync(bin));
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage:\n\s+layerlens \[options\] IMAGE/);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), `layerlens ${pkg.version}`);
    const bad = spawnSync(bin, ['inspect', path.join(work, 'no-such-image.tar')], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.equal(bad.stderr.trim().split('\n').length, 1, `one line: ${bad.stderr}`);

    // The worker threads load from the installed bundle: each module the bundle starts by URL is
    // beside it (the build checks that every URL names one), and each must load in a thread and
    // say it is ready (a worker that fails to load leaves its work to the main thread, silently).
    const cliDir = path.join(prefix, 'lib', 'node_modules', 'layerlens', 'dist', 'cli');
    // The installed CLI compiles with the code cache built with it (src/cli/code-cache.ts).
    const cache = spawnSync(process.execPath, [path.join(root, 'scripts', 'train-code-cache.mjs'), '--check', cliDir], {
      encoding: 'utf8',
    });
    assert.equal(cache.stdout.trim(), '{"accepted":true}', cache.stderr);
    const threads = readdirSync(cliDir).filter((f) => /-thread\.c?js$/.test(f));
    assert.deepEqual(threads.sort(), [
      'fetch-thread.cjs',
      'file-hash-thread.cjs',
      'secret-scan-thread.cjs',
      'stream-hash-thread.cjs',
    ]);
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Worker } from 'node:worker_threads';
         const first = (file) => new Promise((resolve) => {
           const w = new Worker(new URL(file, ${JSON.stringify(pathToFileURL(cliDir + '/').href)}), { execArgv: [] });
           w.once('message', (m) => { resolve(m); w.terminate(); });
           w.once('error', (e) => resolve('error: ' + e.message));
         });
         console.log(JSON.stringify(await Promise.all(${JSON.stringify(threads)}.map(first))));`,
      ],
      { encoding: 'utf8', cwd: work },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.deepEqual(
      JSON.parse(probe.stdout),
      threads.map(() => 'layerlens:worker-ready'),
    );
    // The CLI checks every layer's diffID: a worker that hashed wrongly would fail these.
    const archive = path.join(work, 'app.tar');
    writeFileSync(archive, await membersToTar(docker25Save(await sampleLayerTars()).members));
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
    // Known vulnerabilities: the version orders' packages are required on first use (not at
    // start-up), from the installed bundle's place.
    const { meta, blobs } = await memoryImage([
      {
        entries: [
          {
            name: 'app/node_modules/minimist/package.json',
            content: JSON.stringify({ name: 'minimist', version: '1.2.5' }),
          },
        ],
      },
    ]);
    const layout = path.join(work, 'layout');
    await writeOciLayout(layout, meta, blobs);
    mkdirSync(path.join(work, 'mirror', 'npm'), { recursive: true });
    writeFileSync(path.join(work, 'mirror', 'npm', 'all.zip'), NPM_ZIP());
    const env = {
      ...process.env,
      NO_COLOR: '1',
      LAYERLENS_DB_DIR: path.join(work, 'no-default-db'),
      XDG_CACHE_HOME: work,
    };
    const db = path.join(work, 'db');
    const up = spawnSync(
      bin,
      ['db', 'update', '--db', db, '--db-url', path.join(work, 'mirror'), '--ecosystem', 'npm'],
      {
        encoding: 'utf8',
        env,
      },
    );
    assert.equal(up.status, 0, up.stderr);
    const vulns = spawnSync(bin, ['scan', layout, '--db', db], { encoding: 'utf8', env });
    assert.equal(vulns.status, 0, vulns.stderr);
    assert.match(
      vulns.stdout,
      /CRITICAL\s+CVE-2021-44906\s+0\s+\/app\/node_modules\/minimist\/package\.json\s+minimist 1\.2\.5/,
    );
    assert.match(vulns.stdout, /upgrade minimist to 1\.2\.6/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
