/** skopeo-style image names (`docker://…`, `docker-archive:…`, `oci:…`) choose the source. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { withTransport, type SourceOptions } from '../../src/sources/options.js';

const auto: SourceOptions = { source: 'auto', pull: false, insecure: false, plainHttp: false };
const pick = (input: string, opts = auto) => {
  const r = withTransport(input, opts);
  return [r.opts.source, r.input];
};

test('each transport names its source; the rest is the reference or the path', () => {
  assert.deepEqual(pick('docker://registry.example.org/team/app:1.2'), [
    'registry',
    'registry.example.org/team/app:1.2',
  ]);
  assert.deepEqual(pick('docker-daemon:app:1.2'), ['docker', 'app:1.2']);
  assert.deepEqual(pick('docker-daemon:sha256:' + 'a'.repeat(64)), ['docker', 'sha256:' + 'a'.repeat(64)]);
  assert.deepEqual(pick('docker-archive:/tmp/app.tar'), ['archive', '/tmp/app.tar']);
  assert.deepEqual(pick('docker-archive:app.tar:app:1.2'), ['archive', 'app.tar:app:1.2']);
  assert.deepEqual(pick('oci:./layout:v1'), ['oci', './layout:v1']);
  assert.deepEqual(pick('oci-archive:/tmp/app.oci.tar:v1'), ['archive', '/tmp/app.oci.tar:v1']);
  assert.deepEqual(pick('containers-storage:localhost/app:1'), ['podman', 'localhost/app:1']);
});

test('names that are not transports, and an explicit --source, are taken as written', () => {
  // docker's own image names: "docker:latest" is the image called docker.
  for (const name of ['docker:latest', 'nginx:stable', 'registry.example.org:5000/oci:1', './oci:v1x', 'app.tar'])
    assert.deepEqual(pick(name), ['auto', name]);
  // With --source the user said what it is: an image may be called "oci".
  assert.deepEqual(pick('oci:1', { ...auto, source: 'registry' }), ['registry', 'oci:1']);
  assert.deepEqual(pick('docker://x', { ...auto, source: 'docker' }), ['docker', 'docker://x']);
});

test('an unsupported transport or a bare prefix is a usage error, one line', () => {
  assert.throws(
    () => withTransport('dir:/tmp/copy', auto),
    (e: Error & { code?: string }) =>
      e.code === 'USAGE' && /dir: transport.*oci:DIR/.test(e.message) && !e.message.includes('\n'),
  );
  assert.throws(
    () => withTransport('docker-archive:', auto),
    (e: Error & { code?: string }) => e.code === 'USAGE' && /needs a path/.test(e.message),
  );
  assert.throws(
    () => withTransport('docker://', auto),
    (e: Error & { code?: string }) => e.code === 'USAGE' && /needs an image/.test(e.message),
  );
});

test('through the CLI: the prefix reaches the source (a missing archive is named by its path, not the prefix)', () => {
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'scan', 'docker-archive:/nonexistent/app.tar'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^layerlens: .*\/nonexistent\/app\.tar/);
  assert.ok(!r.stderr.includes('docker-archive:'), r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const d = spawnSync(process.execPath, ['--import', 'tsx', main, 'inspect', 'dir:/tmp/x'], { encoding: 'utf8' });
  assert.equal(d.status, 2);
  assert.match(d.stderr, /dir: transport/);
});
