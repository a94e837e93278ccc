/**
 * The layers panel's mark for a layer that deletes or overwrites lower files (explorer.ts
 * layerHides): worked out at once for a small layer; for a layer of more changes than a big tree's
 * (a walk of two million changes took ~80 ms inside a frame) in slices between keys, the screen
 * redrawn once it is known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Explorer } from '../../src/ui/explorer.js';
import { loadImage } from '../support/findings-image.js';

const MANY = 51_000;

test('a big layer’s “hides” mark is worked out between keys, a small one’s at once', async () => {
  const model = await loadImage({
    layers: [
      { entries: [{ name: 'etc/app.conf', content: 'v1\n' }] },
      {
        // Many new files, then (last in the tar) one lower file written again.
        entries: [
          ...Array.from({ length: MANY }, (_, i) => ({ name: `srv/d${i % 50}/f${i}`, content: '' })),
          { name: 'etc/app.conf', content: 'v2\n' },
        ],
      },
      { entries: [{ name: 'etc/.wh.app.conf', content: '' }] },
      { entries: Array.from({ length: MANY }, (_, i) => ({ name: `opt/e${i % 50}/g${i}`, content: '' })) },
    ],
  });
  const ex = new Explorer({ model });
  let changes = 0;
  ex.onChange = () => changes++;
  assert.equal(ex.layerHides(2), true, 'a small layer: known at once');
  assert.equal(ex.layerHides(0), false);
  // The big ones: not walked inside the call.
  assert.equal(ex.layerHides(1), false, 'not known yet');
  assert.equal(ex.layerHides(3), false);
  // The screen is redrawn once both are known.
  let turns = 0;
  while (changes === 0) {
    assert.ok(++turns < 1000, 'the walks never ended');
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.equal(ex.layerHides(1), true, 'its last entry overwrote a lower file');
  assert.equal(ex.layerHides(3), false, 'a big layer that only adds: no mark');
});
