/** `layerlens inspect` through the real CLI entry: document shape, masking, one-line errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

test('inspect --json on the demo: layers with exact change sets; secrets masked unless --reveal', () => {
  const r = run('inspect', '--demo', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.image.source, 'demo');
  assert.ok(doc.layers.length >= 4);
  doc.layers.forEach((l: { index: number; diffId: string; changes: unknown[] }, i: number) => {
    assert.equal(l.index, i);
    assert.match(l.diffId, /^sha256:[0-9a-f]{64}$/);
  });
  // The deleted key: added in one layer, removed in a later one, with the layer it came from.
  const added = doc.layers.find((l: { changes: Array<{ path: string; change: string }> }) =>
    l.changes.some((c) => c.path === '/root/.ssh/id_rsa' && c.change === 'added'),
  );
  const removed = doc.layers.find((l: { changes: Array<{ path: string; change: string }> }) =>
    l.changes.some((c) => c.path === '/root/.ssh/id_rsa' && c.change === 'removed'),
  );
  assert.ok(added && removed && removed.index > added.index);
  const rm = removed.changes.find((c: { path: string }) => c.path === '/root/.ssh/id_rsa');
  assert.equal(rm.previousLayer, added.index);
  assert.equal(rm.type, 'file');

  const env: string[] = doc.image.config.config.Env;
  const secret = env.find((e) => e.startsWith('APP_SECRET_KEY='))!;
  assert.match(secret, /^APP_SECRET_KEY=.{4}…\(\d+ chars\)$/);
  const argLine: string = doc.layers
    .map((l: { createdBy: string | null }) => l.createdBy ?? '')
    .find((c: string) => c.includes('DB_PASSWORD='));
  assert.match(argLine, /DB_PASSWORD=.{4}…\(\d+ chars\) /);

  const revealed = JSON.parse(run('inspect', '--demo', '--json', '--reveal').stdout);
  const full: string = revealed.image.config.config.Env.find((e: string) => e.startsWith('APP_SECRET_KEY='));
  assert.ok(!full.includes('…('), full);
  assert.equal(full.slice(0, 'APP_SECRET_KEY='.length + 4), secret.slice(0, 'APP_SECRET_KEY='.length + 4));
});

test('inspect and scan errors are one line with a non-zero exit', () => {
  for (const args of [
    ['inspect'],
    ['inspect', '/nonexistent/image.tar'],
    ['inspect', 'Bad/Name'],
    ['inspect', '--bogus', 'x'],
    ['inspect', '/etc/hostname'],
    ['scan', '--demo', '--platform', 'amd64'],
    ['inspect', '--platform', 'linux', '/nonexistent/image.tar'],
  ]) {
    const r = run(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^layerlens: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    // A bad --platform is named before any source is tried (the demo has one platform).
    if (args.includes('--platform')) assert.match(lines[0], /invalid --platform/);
  }
});

test('scan --demo --fail-on: exit 1 on findings at or above the threshold, 0 below; JSON masks secrets', () => {
  const high = run('scan', '--demo', '--fail-on', 'high', '--format', 'json');
  assert.equal(high.status, 1, high.stderr);
  const doc = JSON.parse(high.stdout);
  assert.equal(doc.schemaVersion, 1);
  const key = doc.findings.find(
    (f: { ruleId: string; path: string }) => f.ruleId === 'deleted-file' && f.path === '/root/.ssh/id_rsa',
  );
  assert.ok(key, 'the deleted private key is reported');
  assert.ok(key.deletedInLayerIndex > key.layerIndex);
  assert.ok(!high.stdout.includes('-----BEGIN RSA PRIVATE KEY-----\nMII'), 'no key body in the report');
  // The demo has findings of every severity, so no threshold above critical exists; 'critical' still fails.
  assert.equal(run('scan', '--demo', '--fail-on', 'critical', '--format', 'json').status, 1);
  assert.equal(run('scan', '--demo', '--format', 'json').status, 0, 'no --fail-on: exit 0');
});

test('scan --severity: the table and Markdown say how many findings they leave out; JSON holds only those shown', () => {
  const all = JSON.parse(run('scan', '--demo', '--format', 'json').stdout);
  const critical = all.findings.filter((f: { severity: string }) => f.severity === 'critical').length;
  assert.ok(critical > 0 && critical < all.findings.length);
  const table = run('scan', '--demo', '--severity', 'critical');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`${critical} findings?: ${critical} critical`));
  assert.ok(
    table.stdout
      .trimEnd()
      .endsWith(`(${all.findings.length - critical} findings below critical not shown: --severity info shows them)`),
    table.stdout,
  );
  const md = run('scan', '--demo', '--severity', 'critical', '--format', 'markdown').stdout;
  assert.ok(md.includes(`(${all.findings.length - critical} findings below critical not shown`));
  assert.equal(
    JSON.parse(run('scan', '--demo', '--severity', 'critical', '--format', 'json').stdout).findings.length,
    critical,
  );
  // Nothing left out: no note.
  assert.ok(!run('scan', '--demo').stdout.includes('not shown'));
});

test('scan --severity as trivy takes it: a comma-separated list includes exactly those severities, in any case', () => {
  const all = JSON.parse(run('scan', '--demo', '--format', 'json').stdout).findings as Array<{ severity: string }>;
  const count = (...s: string[]) => all.filter((f) => s.includes(f.severity)).length;
  // The demo has critical, high and low findings: a list that skips high must leave it out.
  assert.ok(count('critical') > 0 && count('high') > 0 && count('low') > 0);
  const list = JSON.parse(run('scan', '--demo', '--format', 'json', '--severity', 'LOW,critical').stdout)
    .findings as Array<{ severity: string }>;
  assert.equal(list.length, count('critical', 'low'));
  assert.deepEqual([...new Set(list.map((f) => f.severity))].sort(), ['critical', 'low']);
  assert.equal(
    JSON.parse(run('scan', '--demo', '--format', 'json', '--severity', 'HIGH,CRITICAL').stdout).findings.length,
    count('critical', 'high'),
  );
  const table = run('scan', '--demo', '--severity', 'low, critical');
  assert.equal(table.status, 0, table.stderr);
  assert.ok(
    table.stdout
      .trimEnd()
      .endsWith(
        `(${all.length - count('critical', 'low')} findings other than critical, low not shown: --severity info shows them)`,
      ),
    table.stdout,
  );
  for (const bad of ['high,,critical', 'high,severe']) {
    const r = run('scan', '--demo', '--severity', bad);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^layerlens: --severity "high,[^"]*": [^\n]+\n$/);
  }
});

test('scan --format cyclonedx: the SBOM as the report, the same document --sbom writes; --fail-on still judges the findings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-cdx-'));
  try {
    const sbom = join(dir, 'sbom.json');
    const r = run('scan', '--demo', '--format', 'cyclonedx', '--sbom', sbom, '--fail-on', 'critical');
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.bomFormat, 'CycloneDX');
    assert.equal(doc.specVersion, '1.5');
    assert.ok(doc.components.length > 0, 'the demo ships OS packages');
    assert.ok(!('findings' in doc));
    const strip = (d: { serialNumber?: string; metadata: { timestamp?: string } }) => ({
      ...d,
      serialNumber: '',
      metadata: { ...d.metadata, timestamp: '' },
    });
    assert.deepEqual(strip(doc), strip(JSON.parse(readFileSync(sbom, 'utf8'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --output / --sbom: checked before the image is read, one line naming the path given; a report replaces only that file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-out-'));
  try {
    const missing = join(dir, 'no-such-dir', 'report.json');
    const r = run('scan', '--demo', '--format', 'json', '--output', missing);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `layerlens: --output ${missing}: no such directory ${join(dir, 'no-such-dir')}\n`);
    const asDir = run('scan', '--demo', '--sbom', dir);
    assert.equal(asDir.status, 2);
    assert.equal(asDir.stderr, `layerlens: --sbom ${dir}: is a directory\n`);
    assert.equal(asDir.stdout, '', 'no report printed when the SBOM file cannot be written');
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
    // A file inside a regular file is not a path either.
    writeFileSync(join(dir, 'plain'), 'keep');
    const underFile = run('scan', '--demo', '--output', join(dir, 'plain', 'r.md'));
    assert.equal(underFile.status, 2);
    assert.match(underFile.stderr, /^layerlens: --output .*plain\/r\.md: .*plain is not a directory\n$/);
    // The happy path: the named file is replaced, nothing else appears.
    const out = join(dir, 'report.md');
    writeFileSync(out, 'old');
    const ok = run('scan', '--demo', '--format', 'markdown', '--output', out);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(readFileSync(out, 'utf8'), /^# /);
    assert.deepEqual(readdirSync(dir).sort(), ['plain', 'report.md']);
    assert.equal(readFileSync(join(dir, 'plain'), 'utf8'), 'keep');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspect text: columns line up past #9, commands are whole in a pipe, an import says so', async () => {
  const { mkdtempSync: mk, rmSync: rm } = await import('node:fs');
  const { shapeMembers, writeShape } = await import('../support/hostile-shapes.js');
  const { file, tar } = await import('../support/tar-craft.js');
  const dir = mk(join(tmpdir(), 'layerlens-inspect-'));
  try {
    const tars = Array.from({ length: 12 }, (_, i) => tar([file(`f${i}`, 'x'.repeat(i * 700))]));
    const long = `/bin/sh -c echo ${'very-long-argument '.repeat(12)}done`;
    const target = await writeShape(
      'oci-dir',
      shapeMembers('oci-dir', tars, (role, doc) => {
        if (role !== 'config') return undefined;
        const c = doc as { history: Array<Record<string, unknown>> };
        c.history[0] = { created: '2024-01-01T00:00:00Z', comment: 'Imported from -' };
        c.history[11] = { created_by: long };
        return c;
      }),
      join(dir, 'img'),
    );
    const r = run('inspect', target);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('#'));
    assert.equal(rows.length, 12);
    // Every column starts where it starts on the first row.
    const starts = (l: string) => [...l.matchAll(/ (?=[+~-]\d)|(?<= {2})\S/g)].map((m) => m.index);
    for (const row of rows) assert.deepEqual(starts(row), starts(rows[0]), `${rows[0]}\n${row}`);
    assert.match(rows[0], /^#0 +[\d.]+ \w*B +\+1 +~0 +-0 +# Imported from -$/);
    assert.ok(rows[11].endsWith('RUN echo ' + 'very-long-argument '.repeat(12) + 'done'), rows[11]);
  } finally {
    rm(dir, { recursive: true, force: true });
  }
});

test('inspect text in a terminal: a command of wide characters is cut to the terminal’s cells, one row per layer', async (t) => {
  const { Pane, cli, killServer, tmuxMissing } = await import('../support/tmux.js');
  const { textWidth } = await import('../../src/text/width.js');
  const missing = tmuxMissing();
  if (missing) return t.skip(missing);
  const { shapeMembers, writeShape } = await import('../support/hostile-shapes.js');
  const { file, tar } = await import('../support/tar-craft.js');
  const dir = mkdtempSync(join(tmpdir(), 'layerlens-inspect-tty-'));
  try {
    // (Cut by UTF-16 units, 59 of them were 118 cells on a 60-column screen: the row wrapped.)
    const wide = '漢字'.repeat(80);
    const target = await writeShape(
      'oci-dir',
      shapeMembers('oci-dir', [tar([file('a', 'a')])], (role, doc) => {
        if (role !== 'config') return undefined;
        const c = doc as { history: Array<Record<string, unknown>> };
        c.history[0] = { created_by: `/bin/sh -c echo ${wide}` };
        return c;
      }),
      join(dir, 'img'),
    );
    const pane = Pane.start('inspect-wide', dir, cli(`inspect ${JSON.stringify(target)}`), 60, 20);
    let screen = '';
    for (let i = 0; i < 100 && !screen.includes('__EXIT='); i++) {
      await new Promise((r) => setTimeout(r, 100));
      screen = pane.screen();
    }
    const lines = screen.split('\n');
    const row = lines.findIndex((l) => l.startsWith('#0'));
    assert.ok(row >= 0, screen);
    assert.ok(lines[row].endsWith('…') && textWidth(lines[row]) <= 60, lines[row]);
    assert.match(lines[row + 1], /^__EXIT=0/, screen);
  } finally {
    killServer();
    rmSync(dir, { recursive: true, force: true });
  }
});
