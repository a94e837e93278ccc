/** Layers several images hold, parsed once: real tars, the real engine, two models loading at once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTar, gzip, sha256 } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import { LayerShare } from '../../src/engine/layer-share.js';
import type { ContentInspector } from '../../src/engine/parse-layer.js';
import { Readable } from 'node:stream';
import type { ImageMeta, ImageReader } from '../../src/engine/types.js';
import { LayerlensError } from '../../src/errors/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { liveTree, memoryImage } from '../support/image.js';

const base = [
  { name: 'bin/sh', content: '#!fake\n', mode: 0o755 },
  { name: 'etc/os-release', content: 'ID=test\n' },
];

/** An inspector that counts the files it is shown. */
function counting(): { inspector: ContentInspector; seen: string[] } {
  const seen: string[] = [];
  return { seen, inspector: (parts) => void seen.push(parts.join('/')) };
}

async function loadTogether(
  images: Array<{ meta: ImageMeta; blobs: Buffer[] }>,
  inspectors: ContentInspector[],
): Promise<{ share: LayerShare; models: ImageModel[]; results: PromiseSettledResult<void>[] }> {
  const share = new LayerShare();
  for (const im of images) share.expect(im.meta.layers.map((l) => l.diffId));
  const models = images.map(() => new ImageModel());
  const results = await Promise.allSettled(
    images.map((im, i) =>
      models[i].load(memoryReader(im.meta, im.blobs), { share, concurrency: 2, inspectContent: inspectors[i] }),
    ),
  );
  return { share, models, results };
}

test('a layer two images hold is parsed once and applied to both trees; each keeps its own stored size', async () => {
  const a = await memoryImage([{ entries: base }, { entries: [{ name: 'app/a', content: 'A' }] }]);
  // The same base stored gzip-compressed in the second image: same diffID, other blob.
  const b = await memoryImage([{ entries: base, compress: 'gzip' }, { entries: [{ name: 'app/b', content: 'B' }] }]);
  assert.equal(a.meta.layers[0].diffId, b.meta.layers[0].diffId);
  const ca = counting();
  const cb = counting();
  const { share, models, results } = await loadTogether([a, b], [ca.inspector, cb.inspector]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled'],
  );
  assert.equal(share.reused, 1);
  assert.equal(share.held, 0);
  // Every base file went through one inspector only.
  const all = [...ca.seen, ...cb.seen].sort();
  assert.deepEqual(all, ['app/a', 'app/b', 'bin/sh', 'etc/os-release']);
  assert.deepEqual(liveTree(models[0], 1), ['/app/', '/app/a', '/bin/', '/bin/sh', '/etc/', '/etc/os-release']);
  assert.deepEqual(liveTree(models[1], 1), ['/app/', '/app/b', '/bin/', '/bin/sh', '/etc/', '/etc/os-release']);
  // Sizes: the same uncompressed bytes; the stored bytes and compression are each image's own.
  assert.equal(models[0].layers[0].size, models[1].layers[0].size);
  assert.equal(models[0].layers[0].compressedSize, a.blobs[0].length);
  assert.equal(models[1].layers[0].compressedSize, b.blobs[0].length);
  assert.deepEqual(
    models.map((m) => m.layers[0].compression),
    ['tar', 'gzip'],
  );
});

test('a corrupt copy is never shared: the image holding it fails, the other parses its own and loads', async () => {
  const good = await memoryImage([{ entries: base }]);
  const bad = await memoryImage([{ entries: base }]);
  // The first image's blob holds other bytes than its config's diffID names.
  bad.blobs[0] = await buildTar([{ name: 'bin/sh', content: '#!tampered\n', mode: 0o755 }]);
  assert.notEqual(sha256(bad.blobs[0]), bad.meta.layers[0].diffId);
  const { models, results, share } = await loadTogether([bad, good], [counting().inspector, counting().inspector]);
  assert.equal(share.reused, 1, 'the second image was handed the parse of the first');
  assert.equal(results[0].status, 'rejected');
  const err = (results[0] as PromiseRejectedResult).reason;
  assert.ok(err instanceof LayerlensError && err.code === 'DIGEST_MISMATCH', String(err));
  assert.equal(results[1].status, 'fulfilled');
  assert.deepEqual(liveTree(models[1], 0), ['/bin/', '/bin/sh', '/etc/', '/etc/os-release']);
});

test('a copy that fails to parse is not shared either: the other image reads its own', async () => {
  const good = await memoryImage([{ entries: base, compress: 'gzip' }]);
  const cut = await memoryImage([{ entries: base, compress: 'gzip' }]);
  cut.blobs[0] = gzip(await buildTar(base)).subarray(0, 40);
  const { results, share } = await loadTogether([cut, good], [counting().inspector, counting().inspector]);
  assert.equal(share.reused, 1);
  assert.equal(results[0].status, 'rejected');
  assert.equal(results[1].status, 'fulfilled');
  assert.equal(share.held, 0);
});

test('an image listing one layer twice parses it once', async () => {
  const img = await memoryImage([{ entries: base }, { entries: [{ name: 'x', content: '1' }] }, { entries: base }]);
  const c = counting();
  const { share, models, results } = await loadTogether([img], [c.inspector]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(share.reused, 1);
  assert.deepEqual(c.seen.sort(), ['bin/sh', 'etc/os-release', 'x']);
  assert.deepEqual(liveTree(models[0], 2), ['/bin/', '/bin/sh', '/etc/', '/etc/os-release', '/x']);
});

test('a one-pass export (blobs without index, named by digest, read through) shares by the digest its names give', async () => {
  const a = await memoryImage([{ entries: base }, { entries: [{ name: 'app/a', content: 'A' }] }]);
  const b = await memoryImage([{ entries: base }, { entries: [{ name: 'app/b', content: 'B' }] }]);
  // As a Docker export hands layers over: metadata first (from inspect), then each blob without
  // its index, named blobs/sha256/<digest>, and no way to read one again.
  const exportLike = (im: typeof a): ImageReader => ({
    meta: async () => im.meta,
    async *blobs() {
      for (let i = im.blobs.length - 1; i >= 0; i--)
        yield { stream: Readable.from([im.blobs[i]]), digest: sha256(im.blobs[i]), size: im.blobs[i].length };
    },
    close: async () => {},
  });
  const share = new LayerShare();
  share.expect(a.meta.layers.map((l) => l.diffId));
  share.expect(b.meta.layers.map((l) => l.diffId));
  const c = counting();
  const models = [new ImageModel(), new ImageModel()];
  await Promise.all([
    models[0].load(memoryReader(a.meta, a.blobs), { share, inspectContent: c.inspector }),
    models[1].load(exportLike(b), { share, inspectContent: c.inspector }),
  ]);
  assert.equal(share.reused, 1);
  assert.deepEqual(c.seen.sort(), ['app/a', 'app/b', 'bin/sh', 'etc/os-release']);
  assert.deepEqual(liveTree(models[1], 1), ['/app/', '/app/b', '/bin/', '/bin/sh', '/etc/', '/etc/os-release']);
  // Read through, not closed: its stored size is what was read.
  assert.equal(models[1].layers[0].compressedSize, b.blobs[0].length);
});
