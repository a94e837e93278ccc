/**
 * Progress from the real Docker daemon (#19 item 2): while the daemon prepares its export the
 * source says what it waits for; then it counts the export's bytes against the image's size
 * (an estimate, shown with ~), so the explorer never sits on "0 B".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { openImage } from '../../src/sources/open.js';
import { ensureFixtures, skipReason } from '../support/harness.js';

test('the daemon source: the wait for its export, then its bytes against the image size', {
  skip: skipReason(),
  timeout: 600_000,
}, async () => {
  const fx = await ensureFixtures();
  const reader = await openImage(fx.images.basic, { source: 'docker', pull: false, insecure: false, plainHttp: false });
  const p = reader.progress;
  assert.ok(p, 'the daemon source has a progress counter');
  assert.equal(p.bytesRead, 0);
  assert.match(p.phase ?? '', /^waiting for the Docker daemon's export$/);
  assert.equal(p.totalIsEstimate, true);
  assert.ok((p.totalBytes ?? 0) > 0, 'the image size from inspect');
  const model = new ImageModel();
  let sawBytes = false;
  model.on('progress', () => (sawBytes ||= p.bytesRead > 0));
  await model.load(reader);
  await reader.close();
  assert.equal(model.sourceProgress, p);
  assert.equal(p.phase, undefined, 'no longer waiting once bytes came');
  assert.ok(p.bytesRead > p.totalBytes! * 0.5, `export bytes ${p.bytesRead} ≈ image size ${p.totalBytes}`);
  assert.ok(sawBytes || p.bytesRead > 0);
});
