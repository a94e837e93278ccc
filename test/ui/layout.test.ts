/** Screen geometry: panels tile the terminal, the divider moves, the help overlay covers what it must. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeLayout, helpRect, leftWidth, regionAt, type Layout, type Rect } from '../../src/ui/layout.js';

const base = { layerCount: 8, filterLine: false, splitDelta: 0, sideShown: false };

/** Every cell of the screen belongs to exactly one region. */
function assertTiles(l: Layout): void {
  const rects: Rect[] = [l.header, l.layers, l.side, l.tree, l.status].filter((r) => r.width && r.height);
  for (let y = 0; y < l.height; y++)
    for (let x = 0; x < l.width; x++) {
      const n = rects.filter((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height).length;
      assert.equal(n, 1, `cell ${x},${y} of ${l.width}×${l.height} is in ${n} regions`);
    }
}

test('wide and narrow layouts tile the terminal exactly', () => {
  for (const [w, h] of [
    [200, 60],
    [160, 45],
    [110, 30],
  ])
    assertTiles(computeLayout({ ...base, width: w, height: h }));
  for (const [w, h] of [
    [109, 30],
    [80, 24],
    [40, 10],
  ]) {
    assertTiles(computeLayout({ ...base, width: w, height: h }));
    assertTiles(computeLayout({ ...base, width: w, height: h, sideShown: true }));
  }
  assert.equal(computeLayout({ ...base, width: 39, height: 24 }).tooSmall, true);
  assert.equal(computeLayout({ ...base, width: 80, height: 9 }).tooSmall, true);
});

test('the tree gets what its columns need and the side panel the rest; < > move the divider within bounds', () => {
  assert.equal(leftWidth(160, 0), 72);
  assert.equal(160 - leftWidth(160, 0), 88, 'the tree keeps ~88 columns');
  assert.ok(leftWidth(240, 0) > leftWidth(160, 0), 'a wider terminal widens the left column');
  assert.ok(leftWidth(240, 0) <= 240 * 0.6);
  assert.equal(leftWidth(160, 8), 80);
  assert.equal(leftWidth(160, -1000), 40, 'the left column keeps a minimum');
  assert.equal(160 - leftWidth(160, 1000), 44, 'so does the tree');
});

test('page sizes: tree rows lose a row to the filter line; layer rows follow the layer count', () => {
  const l = computeLayout({ ...base, width: 160, height: 45 });
  assert.equal(l.treeRows, l.tree.height - 3);
  assert.equal(computeLayout({ ...base, width: 160, height: 45, filterLine: true }).treeRows, l.treeRows - 1);
  assert.equal(l.layerRows, 8, 'all 8 layers fit');
  assert.equal(
    computeLayout({ ...base, layerCount: 100, width: 160, height: 45 }).layerRows,
    Math.round(43 * 0.45) - 3,
  );
});

test('help overlay: centred on wide terminals, the whole body below 100 columns; regions for the mouse', () => {
  const wide = computeLayout({ ...base, width: 160, height: 45 });
  const h = helpRect(wide);
  assert.ok(h.x > 0 && h.width <= 110);
  const narrow = computeLayout({ ...base, width: 80, height: 24 });
  assert.deepEqual(helpRect(narrow), narrow.body);
  assert.equal(regionAt(wide, 0, 0), 'header');
  assert.equal(regionAt(wide, 5, 3), 'layers');
  assert.equal(regionAt(wide, 5, wide.side.y + 1), 'side');
  assert.equal(regionAt(wide, wide.tree.x + 1, 5), 'tree');
  assert.equal(regionAt(wide, 3, 44), 'status');
});
