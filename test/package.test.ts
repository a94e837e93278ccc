/**
 * The package as users get it: `npm pack` → install the tarball globally (into a private prefix)
 * → the `layerlens` bin runs. Catches a missing shebang, a file left out of "files", a runtime
 * import of a dev dependency, a bin that is not executable.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('..', import.meta.url).pathname;

test('npm pack → global install of the tarball → layerlens --help and --version work', { timeout: 600_000 }, () => {
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
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
