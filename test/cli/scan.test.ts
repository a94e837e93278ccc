/** `layerlens scan` through the real CLI entry: dive's CI gate (file, flags, exit codes, where it prints). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI_FROM_SOURCE, scanDemoIn } from '../support/cli-source.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = scanDemoIn;

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

test('--secret-scan-limit: a file larger than the limit is read in part and counted in the table and the JSON; a higher limit reads it whole', async () => {
  const { buildImage, allBlobs, writeLayout } = await import('../support/oci-image.js');
  const f = await import('../support/fake-secrets.js');
  // A 3 MB bundle-like file whose token lies past the default 2 MB.
  const line = 'function f(a, b) { return a + b; } // filler of a bundle\n';
  const head = line.repeat(Math.ceil(2_500_000 / line.length));
  const token = f.githubToken();
  const bundle = `${head}const t = '${token}';\n${line.repeat(8000)}`;
  const img = await buildImage([{ entries: [{ name: 'app/dist/server.js', content: bundle }] }]);
  const layout = mkdtempSync(join(dir, 'layout-'));
  writeLayout(layout, 'big', img.manifest, allBlobs(img).slice(1));
  const scan = (...args: string[]) =>
    spawnSync(process.execPath, [...CLI_FROM_SOURCE, 'scan', `oci:${layout}:big`, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
  const secrets = (doc: { findings: Array<{ category: string; ruleId: string; severity: string }> }) =>
    doc.findings.filter((x) => x.category === 'secret').map((x) => `${x.ruleId} ${x.severity}`);

  const part = scan('--format', 'json');
  assert.equal(part.status, 0, part.stderr);
  const partDoc = JSON.parse(part.stdout);
  assert.deepEqual(secrets(partDoc), []);
  assert.equal(partDoc.secretScan.truncated, 1);
  assert.equal(partDoc.secretScan.maxBytesPerFile, 2_000_000);
  const table = scan();
  assert.match(table.stdout, /1 read only in part \(their first 2\.0 MB: --secret-scan-limit reads more\)/);

  const whole = scan('--format', 'json', '--secret-scan-limit', '8MB');
  assert.equal(whole.status, 0, whole.stderr);
  const wholeDoc = JSON.parse(whole.stdout);
  assert.deepEqual(secrets(wholeDoc), ['secret-github-pat critical']);
  assert.equal(wholeDoc.secretScan.truncated, 0);
  assert.equal(wholeDoc.secretScan.maxBytesPerFile, 8_000_000);
  assert.doesNotMatch(scan('--secret-scan-limit', '8MB').stdout, /read only in part/);

  for (const bad of ['0', 'lots', '-5MB']) {
    const r = scan(`--secret-scan-limit=${bad}`);
    assert.equal(r.status, 2, bad);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^layerlens: --secret-scan-limit ".*": a byte size of at least 1 byte \(16MB, 512KiB, 1GiB…\)\n$/,
    );
  }
});

test('--secret-scan-limit holds for small files too (those the keyword batch takes), and every file past it is counted', async () => {
  const { buildImage, allBlobs, writeLayout } = await import('../support/oci-image.js');
  const f = await import('../support/fake-secrets.js');
  // Twenty files of ~60 KB, each with its token at ~50 KB: however the layer's chunks fall, most
  // of them lie whole in one chunk, the case the keyword batch takes.
  const line = 'const x = compute(a, b); // plain code of a module\n';
  const file = () =>
    `${line.repeat(Math.ceil(50_000 / line.length))}const t = '${f.githubToken()}';\n${line.repeat(200)}`;
  // And five as long with nothing a rule looks for: read in part all the same, and counted so.
  const plain = line.repeat(Math.ceil(60_000 / line.length));
  const entries = [
    ...Array.from({ length: 20 }, (_, i) => ({ name: `app/m${i}.js`, content: file() })),
    ...Array.from({ length: 5 }, (_, i) => ({ name: `app/plain${i}.js`, content: plain })),
  ];
  const img = await buildImage([{ entries }]);
  const layout = mkdtempSync(join(dir, 'layout-'));
  writeLayout(layout, 'small', img.manifest, allBlobs(img).slice(1));
  const scan = (...args: string[]) => {
    const r = spawnSync(
      process.execPath,
      [...CLI_FROM_SOURCE, 'scan', `oci:${layout}:small`, '--format', 'json', ...args],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    return {
      truncated: doc.secretScan.truncated,
      secrets: doc.findings.filter((x: { category: string }) => x.category === 'secret').length,
    };
  };
  assert.deepEqual(scan(), { truncated: 0, secrets: 20 });
  assert.deepEqual(scan('--secret-scan-limit', '20kB'), { truncated: 25, secrets: 0 });
});
