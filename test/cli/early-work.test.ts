/**
 * Which worker threads the CLI starts before its modules load, from the raw arguments: the
 * download thread only where the image can only come from a registry, so a command that reads a
 * file or the daemon does not boot it for nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earlyWork, type EarlyEnv } from '../../src/cli/early-work.js';

/** A machine with these paths (a trailing / marks a directory) and environment variables. */
function machine(paths: string[] = [], env: Record<string, string> = {}): EarlyEnv {
  const have = new Set(paths.map((p) => p.replace(/\/$/, '')));
  const dirs = new Set(paths.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)));
  return { exists: (p) => have.has(p), isDirectory: (p) => dirs.has(p), env };
}

const noDaemon = machine();
const daemon = machine(['/var/run/docker.sock']);

test('a name with no Docker daemon on the machine: the download thread starts early', () => {
  for (const args of [
    ['nginx:stable'],
    ['scan', 'nginx:stable', '--format', 'json'],
    ['inspect', 'example.org/team/app@sha256:' + 'a'.repeat(64)],
  ])
    assert.deepEqual(earlyWork(args, noDaemon), { streamHash: true, fileHash: false, fetch: true }, args.join(' '));
});

test('a name where a daemon may have it first: no download thread yet', () => {
  assert.equal(earlyWork(['scan', 'nginx:stable'], daemon).fetch, false);
  assert.equal(earlyWork(['scan', 'nginx:stable'], machine([], { DOCKER_HOST: 'unix:///tmp/d.sock' })).fetch, false);
  assert.equal(earlyWork(['scan', 'nginx:stable'], machine([], { DOCKER_CONTEXT: 'remote' })).fetch, false);
});

test('docker://REF and --source registry choose the registry whatever the machine has', () => {
  assert.equal(earlyWork(['scan', 'docker://example.org/app:1'], daemon).fetch, true);
  assert.equal(earlyWork(['scan', '--source', 'registry', 'app:1'], daemon).fetch, true);
  assert.equal(earlyWork(['scan', '--source=registry', 'app:1'], daemon).fetch, true);
  // Another source chosen: no download thread, even with no daemon.
  assert.equal(earlyWork(['scan', '--source', 'docker', 'app:1'], noDaemon).fetch, false);
});

test('a path or another skopeo-style source: the file thread, never the download thread', () => {
  const files = machine(['app.tar', 'layout/']);
  assert.deepEqual(earlyWork(['scan', 'app.tar', '--format', 'sarif'], files), {
    streamHash: true,
    fileHash: true,
    fetch: false,
  });
  assert.equal(earlyWork(['layout'], files).fetch, false);
  for (const a of [
    'oci:dir:tag',
    'oci-archive:x.tar',
    'docker-archive:x.tar',
    'docker-daemon:app:1',
    'containers-storage:app',
    '-',
  ])
    assert.equal(earlyWork(['scan', a], noDaemon).fetch, false, a);
});

test('commands that read no image start nothing', () => {
  for (const args of [['--demo'], ['db', 'update'], ['registry', 'audit', 'example.org'], ['scan', '--help'], []]) {
    const w = earlyWork(args, noDaemon);
    assert.equal(w.fetch, false, args.join(' '));
    assert.equal(w.streamHash, false, args.join(' '));
  }
});

test('the file thread for an archive, not for an OCI layout directory (its gzip layers are hashed as they inflate)', () => {
  const files = machine(['app.tar', 'layout/', 'oci:x']);
  for (const a of ['app.tar', 'docker-archive:app.tar', 'oci-archive:app.tar:v1'])
    assert.equal(earlyWork(['scan', a], files).fileHash, true, a);
  for (const a of ['layout', 'oci:layout', 'oci:layout:v1', 'missing.tar', 'nginx:stable'])
    assert.equal(earlyWork(['scan', a], files).fileHash, false, a);
  // Two images, one of them an archive: started.
  assert.equal(earlyWork(['diff', 'layout', 'app.tar'], files).fileHash, true);
  // (A file named like a transport is read through its transport: `oci:x` is a layout.)
  assert.equal(earlyWork(['scan', 'oci:x'], files).fileHash, false);
});

test("an option's value is not an image: an existing report file neither starts the file thread nor makes a name local", () => {
  const files = machine(['report.json', 'app.tar', 'layout/']);
  for (const args of [
    ['scan', 'oci:layout', '-o', 'report.json'],
    ['scan', 'layout', '--output', 'report.json', '--format', 'json'],
    ['scan', '--output', 'report.json', 'oci:layout:v1'],
  ])
    assert.equal(earlyWork(args, files).fileHash, false, args.join(' '));
  // A name, no daemon: still the registry's, whatever file the report goes to.
  assert.equal(earlyWork(['scan', 'nginx:stable', '-o', 'report.json'], files).fetch, true);
  // Written with `=`, the next word is the image.
  assert.equal(earlyWork(['scan', '--output=report.json', 'app.tar'], files).fileHash, true);
  // A boolean flag before the image: the word after it is the only candidate, and counts.
  assert.equal(earlyWork(['inspect', '--json', 'app.tar'], files).fileHash, true);
  assert.equal(earlyWork(['scan', '-o', 'report.json', '-'], files).fetch, false);
  // A flag before the command does not take the command for its value.
  assert.equal(earlyWork(['--debug', 'db', 'update'], files).streamHash, false);
  assert.equal(earlyWork(['--debug', 'scan', 'app.tar'], files).fileHash, true);
});
