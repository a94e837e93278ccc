/**
 * `layerlens diff` and `layerlens shared` through the real CLI entry, on `docker save` archives
 * written to disk: a one-pass image on stdin beside a seekable one, the exit codes, and one-line
 * errors for what is wrong with the command line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildTar, gzip } from '../../src/engine/build-tar.js';
import { docker25Save, membersToTar } from '../support/archives.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const run = (args: string[], input?: Buffer) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, input });

const dir = mkdtempSync(join(tmpdir(), 'layerlens-diff-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const token = `ghp_${randomBytes(18).toString('hex')}`;
const a = join(dir, 'a.tar');
const b = join(dir, 'b.tar');
const bGz = join(dir, 'b.tar.gz');

const ready = (async () => {
  const base = await buildTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/sh', content: '#!fake\n', mode: 0o755 },
  ]);
  const appA = await buildTar([{ name: 'srv/app.ini', content: 'plain = 1\n' }]);
  const appB = await buildTar([
    { name: 'srv/app.ini', content: `token = ${token}\n` },
    { name: 'srv/new.txt', content: 'new\n' },
  ]);
  writeFileSync(a, await membersToTar(docker25Save([base, appA]).members));
  const tarB = await membersToTar(docker25Save([base, appB]).members);
  writeFileSync(b, tarB);
  writeFileSync(bGz, gzip(tarB));
})();

test('two archives: the differences, exit 1 with --fail-on for a secret NEW introduces, 0 without', async () => {
  await ready;
  const r = run(['diff', a, b, '--format', 'json', '--fail-on', 'high']);
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(
    doc.files.entries.map((e: { change: string; path: string }) => `${e.change} ${e.path}`),
    ['modified /srv/app.ini', 'added /srv/new.txt'],
  );
  assert.equal(doc.layers.commonPrefix, 1);
  assert.deepEqual(
    doc.findings.new.map((f: { ruleId: string }) => f.ruleId),
    ['secret-github-pat'],
  );
  assert.ok(!r.stdout.includes(token));
  assert.equal(run(['diff', a, b, '--format', 'json']).status, 0);
  // The other way round, the secret is resolved: nothing new, nothing to fail on.
  assert.equal(run(['diff', b, a, '--format', 'json', '--fail-on', 'low']).status, 0);
});

test('an image on stdin (one pass, its metadata last) beside an archive file', async () => {
  await ready;
  const r = run(['diff', a, '-', '--format', 'json'], readFileSync(bGz));
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.new.reference, 'stdin');
  assert.equal(doc.files.added, 1);
  assert.equal(doc.layers.shared.byDiffId, 1);
});

test('shared over archives: from their metadata alone', async () => {
  await ready;
  const r = run(['shared', a, b, a]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /3 images, 6 layers listed/);
  assert.match(r.stdout, /3 distinct layers by content/);
  const viaDiff = run(['diff', a, b, b, '--format', 'json']);
  assert.equal(JSON.parse(viaDiff.stdout).report, 'shared', 'diff with three images is the sharing report');
});

test('command-line mistakes are one line and exit 2, before any image is read', async () => {
  await ready;
  const cases: Array<[string[], RegExp]> = [
    [['diff', a], /^layerlens: diff needs at least two images, got 1 \(usage: layerlens diff OLD NEW/],
    [['diff', '-', '-'], /^layerlens: only one image can come from stdin/],
    [['diff', a, b, '--format', 'sarif'], /^layerlens: --format "sarif": use one of table, json, markdown$/],
    [['diff', a, b, '--fail-on', 'urgent'], /^layerlens: --fail-on "urgent": use one of critical/],
    [['diff', a, b, '--output', join(dir, 'no/such/dir/out.json')], /^layerlens: --output .*: no such directory/],
    [['diff', a, join(dir, 'missing.tar')], /missing\.tar: no such file or directory/],
    [['diff', a, b, '--bogus'], /^layerlens: Unknown option '--bogus'/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), re);
    assert.equal(r.stdout, '');
  }
});

test('a broken image is named in its one-line error', async () => {
  await ready;
  const cut = join(dir, 'cut.tar');
  const whole = readFileSync(b);
  // The archive cut inside its last layer: the index is read, the layer fails.
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const r = run(['diff', a, cut]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^layerlens: /);
  assert.ok(r.stderr.includes(cut), r.stderr);
});

test('--output writes the report atomically and nothing else', async () => {
  await ready;
  const out = join(dir, 'report.md');
  const r = run(['diff', a, b, '--format', 'markdown', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(readFileSync(out, 'utf8'), /^# layerlens diff: /);
  assert.ok(!existsSync(join(dir, '.report.md.tmp')));
});
