/**
 * The settings files `scan` reads (src/cli/config-file.ts): the ignore file and `.dive-ci`, found
 * in the working directory or named on the command line, through the real CLI entry. A file the
 * working directory supplies may not lead layerlens out of it, and no such file may hang it or
 * fill its memory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CONFIG_FILE_MAX } from '../../src/cli/config-file.js';
import { scanDemoIn } from '../support/cli-source.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = scanDemoIn;

/** A file outside the working directory holding a generated fake secret as its first word. */
function outsideFile(): { path: string; secret: string } {
  const secret = `LLFAKE_${randomBytes(12).toString('hex')}`;
  const path = join(mkdtempSync(join(dir, 'outside-')), 'environ');
  writeFileSync(path, `${secret}\n`);
  return { path, secret };
}

const oneUsageLine = (r: ReturnType<typeof run>, pattern: RegExp) => {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
};

test('a found ignore file or .dive-ci that links out of the directory is not followed, and nothing of its target is printed', () => {
  for (const name of ['.layerlensignore', '.dive-ci']) {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const target = outsideFile();
    symlinkSync(target.path, join(cwd, name));
    const r = run(cwd);
    oneUsageLine(r, new RegExp(`^layerlens: \\${name}: a link to a file outside this directory: not followed`));
    assert.ok(!(r.stdout + r.stderr).includes(target.secret), 'the target was read');
  }
});

test('a link inside the directory is followed, and a file named on the command line is read wherever it is', () => {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  const plain = run(cwd, '--format', 'json');
  assert.match(plain.stdout, /"ruleId": "port-database"/, 'the demo has no port-database finding to ignore');
  writeFileSync(join(cwd, 'ignores.txt'), 'port-database  # the demo exposes it on purpose\n');
  symlinkSync('ignores.txt', join(cwd, '.layerlensignore'));
  const inside = run(cwd, '--format', 'json');
  assert.equal(inside.status, 0, inside.stderr);
  assert.doesNotMatch(inside.stdout, /"ruleId": "port-database"/, 'the entry read through the link did not apply');

  const target = outsideFile();
  const named = run(mkdtempSync(join(dir, 'cwd-')), '--ignore-file', target.path);
  assert.equal(named.status, 0, named.stderr);
  // Read: its (nameless) entry is warned about.
  assert.match(named.stderr, /environ:1: ignore entry for LLFAKE_\w+ has no reason/);
});

test('a FIFO or a device is refused at once, found or named (it would hang the command or never end)', () => {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  const fifo = spawnSync('mkfifo', [join(cwd, '.dive-ci')]);
  assert.equal(fifo.status, 0, 'mkfifo');
  oneUsageLine(run(cwd), /^layerlens: \.dive-ci: not a regular file$/m);
  oneUsageLine(run(dir, '--ci-config', '/dev/zero'), /^layerlens: --ci-config \/dev\/zero: not a regular file$/m);
  oneUsageLine(
    run(dir, '--ignore-file', '/dev/urandom'),
    /^layerlens: --ignore-file \/dev\/urandom: not a regular file$/m,
  );
});

test('a settings file past its bound is refused with one line', () => {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  writeFileSync(join(cwd, '.layerlensignore'), `${'# a comment line\n'.repeat(CONFIG_FILE_MAX / 16)}x`);
  oneUsageLine(run(cwd), /^layerlens: \.layerlensignore: larger than .*: not a settings file$/m);
  // At the bound: read (comments only, no entries).
  writeFileSync(join(cwd, '.layerlensignore'), '#'.repeat(CONFIG_FILE_MAX));
  assert.equal(run(cwd).status, 0);
});
