/**
 * How the Podman source names an image to Podman (src/sources/docker/source.ts, shared with the
 * Docker source): Podman keeps a short name loaded from an archive as localhost/NAME and resolves
 * short names itself, so it is asked for the name as typed before Docker's docker.io form.
 * (The whole source against a real Podman: test/integration/podman.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineImageNames } from '../../src/sources/docker/source.js';

test('Docker gets the docker.io form; Podman the name as typed first (the pulled name first after --pull)', () => {
  assert.deepEqual(engineImageNames('app:1', 'docker', false), ['docker.io/library/app:1']);
  assert.deepEqual(engineImageNames('team/app:1', 'podman', false), ['team/app:1', 'docker.io/team/app:1']);
  assert.deepEqual(engineImageNames('team/app:1', 'podman', true), ['docker.io/team/app:1', 'team/app:1']);
  assert.deepEqual(engineImageNames('registry.example.org/app:1', 'podman', false), ['registry.example.org/app:1']);
  const id = 'sha256:' + 'a'.repeat(64);
  assert.deepEqual(engineImageNames(id, 'podman', false), [id]);
});
