/** `layerlens scan` through the real CLI entry: dive's CI gate (file, flags, exit codes, where it prints). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'layerlens-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (cwd: string, ...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', join(root, 'node_modules/tsx/dist/esm/index.mjs'), main, 'scan', '--demo', ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );

test('no gate unless asked: the plain scan exits 0 and prints no Evaluation', () => {
  const r = run(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /Evaluation:/);
});

test('a ./.dive-ci turns the gate on: its rules, PASS/FAIL lines after the table, exit 1 on a failure', () => {
  const cwd = mkdtempSync(join(dir, 'ci-'));
  writeFileSync(
    join(cwd, '.dive-ci'),
    'rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: disabled\n  highestUserWastedPercent: off\n',
  );
  const r = run(cwd);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /findings: .*\n\nAnalysis:\n {2}efficiency: {8}\d+\.\d\d %/);
  assert.match(
    r.stdout,
    /Evaluation:\n {2}SKIP {2}highestUserWastedPercent \(disabled\)\n {2}SKIP {2}highestWastedBytes \(disabled\)\n {2}FAIL {2}lowestEfficiency \(image efficiency is too low/,
  );
  assert.match(r.stdout, /\nFAIL \[fail:1 skip:2\]\n$/);
  // A flag wins over the file, as in dive; --no-ci turns the gate off.
  const ok = run(cwd, '--lowestEfficiency', '0.1');
  assert.equal(ok.status, 0, ok.stdout);
  assert.match(ok.stdout, /PASS {2}lowestEfficiency \(0\.1\)\n\nPASS \[pass:1 skip:2\]/);
  assert.equal(run(cwd, '--no-ci').status, 0);
});

test('with a document on stdout the gate goes to stderr, and JSON carries it as ciGate', () => {
  const r = run(dir, '--ci', '--highestWastedBytes', '1MB', '--format', 'json');
  assert.equal(r.status, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ciGate.pass, false);
  assert.deepEqual(doc.ciGate.results.map((x: { rule: string; status: string }) => `${x.rule} ${x.status}`).sort(), [
    'highestUserWastedPercent FAIL',
    'highestWastedBytes FAIL',
    'lowestEfficiency FAIL',
  ]);
  assert.match(r.stderr, /Evaluation:/);
});

test('bad gate settings are one-line usage errors before the image is read', () => {
  const r = run(dir, '--lowestEfficiency', '95%');
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /--lowestEfficiency: lowestEfficiency "95%" is not a ratio between 0 and 1/);
  const missing = run(dir, '--ci-config', join(dir, 'nope.yml'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--ci-config .*nope\.yml: cannot read it/);
});
