/** Loading the images of a comparison together: shared layers once, and a failure named by its image. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTar } from '../../../src/engine/build-tar.js';
import { loadForComparison } from '../../../src/findings/compare/load.js';
import { LayerlensError } from '../../../src/errors/index.js';
import { memoryReader } from '../../../src/sources/memory.js';
import { memoryImage } from '../../support/image.js';

const base = [{ name: 'bin/sh', content: '#!fake\n', mode: 0o755 }];

test('the layers both images hold are parsed once; a failure names the image that failed', async () => {
  const a = await memoryImage([{ entries: base }, { entries: [{ name: 'a', content: 'A' }] }]);
  const b = await memoryImage([{ entries: base }, { entries: [{ name: 'b', content: 'B' }] }]);
  const ok = await loadForComparison([memoryReader(a.meta, a.blobs), memoryReader(b.meta, b.blobs)]);
  await ok.done;
  assert.equal(ok.share.reused, 1);
  assert.deepEqual(
    ok.models.map((m) => m.appliedCount),
    [2, 2],
  );

  b.blobs[1] = await buildTar([{ name: 'b', content: 'tampered' }]);
  const bad = await loadForComparison([memoryReader(a.meta, a.blobs), memoryReader(b.meta, b.blobs)], {
    label: (i) => (i === 0 ? 'old image a.tar' : 'new image b.tar'),
  });
  await assert.rejects(bad.done, (err: unknown) => {
    assert.ok(err instanceof LayerlensError);
    assert.equal(err.code, 'DIGEST_MISMATCH');
    assert.match(err.message, /^new image b\.tar: layer 1: content digest mismatch/);
    return true;
  });
});
