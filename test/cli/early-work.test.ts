/**
 * Which worker threads the CLI starts before its modules load, from the raw arguments: the
 * download thread only where the image can only come from a registry, so a command that reads a
 * file or the daemon does not boot it for nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earlyWork, type EarlyEnv } from '../../src/cli/early-work.js';

/** A machine with these paths and environment variables. */
function machine(paths: string[] = [], env: Record<string, string> = {}): EarlyEnv {
  const have = new Set(paths);
  return { exists: (p) => have.has(p), env };
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
  const files = machine(['app.tar', 'layout']);
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
