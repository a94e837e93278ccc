// Directory sizes per layer (SizeIndex): each against a count of every file below the directory,
// on layers that add, rewrite, shrink, remove and hide whole directories, their files out of order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TreeNode } from '../../src/engine/tree.js';
import { SizeIndex } from '../../src/ui/sizes.js';
import { explorerOn, loadedImage, text } from '../support/ui.js';

const bytes = (n: number) => 'x'.repeat(n);

test('directory sizes and the bytes a layer wrote below each directory: the sums of the files below it', async () => {
  const model = await loadedImage([
    {
      entries: [
        { name: 'a/', type: 'directory' },
        { name: 'a/x', content: bytes(10) },
        { name: 'a/y', content: bytes(20) },
        { name: 'b/', type: 'directory' },
        { name: 'b/c/', type: 'directory' },
        { name: 'b/c/z', content: bytes(30) },
        { name: 'b/w', content: bytes(5) },
        { name: 'd/', type: 'directory' },
      ],
    },
    {
      // Back and forth between directories; a file grows, one is removed, one rewritten as it was.
      entries: [
        { name: 'a/x', content: bytes(15) },
        { name: 'b/c/.wh.z' },
        { name: 'a/y2', content: bytes(3) },
        { name: 'e/', type: 'directory' },
        { name: 'e/f', content: bytes(7) },
        { name: 'b/w', content: bytes(5) },
        { name: 'a/y3', content: bytes(4) },
      ],
    },
    {
      // b hidden whole (opaque) with a new file; a file shrinks; a file then its directory's sibling.
      entries: [
        { name: 'b/', type: 'directory' },
        { name: 'b/.wh..wh..opq' },
        { name: 'b/new', content: bytes(11) },
        { name: 'a/x', content: bytes(1) },
        { name: 'e/f', content: bytes(70) },
        { name: 'a/.wh.y' },
      ],
    },
  ]);
  const tree = model.tree;
  const sizes = new SizeIndex(tree);
  sizes.catchUp(tree.layerCount);
  const dirs: TreeNode[] = [];
  const below = (n: TreeNode): TreeNode[] => [...(n.children?.values() ?? [])].flatMap((c) => [c, ...below(c)]);
  for (const n of [tree.root, ...below(tree.root)]) if (n.children) dirs.push(n);
  assert.ok(dirs.length >= 5);
  let nonZero = 0;
  for (let layer = 0; layer < tree.layerCount; layer++)
    for (const d of dirs) {
      const files = below(d);
      const size = files.reduce((sum, n) => sum + n.fileBytesAt(layer), 0);
      const written = files.reduce((sum, n) => sum + (n.changeIn(layer) ? n.fileBytesAt(layer) : 0), 0);
      assert.equal(sizes.dirSize(d, layer), size, `size of ${d.path || '/'} as of layer ${layer}`);
      assert.equal(sizes.changedBelow(d, layer), written, `bytes layer ${layer} wrote below ${d.path || '/'}`);
      if (size && written) nonZero++;
    }
  // (The cases are there: sizes that grow, shrink and vanish.)
  assert.equal(sizes.dirSize(tree.root, 0), 65);
  assert.equal(sizes.dirSize(tree.root, 1), 15 + 20 + 3 + 4 + 5 + 7);
  assert.equal(sizes.dirSize(tree.root, 2), 1 + 3 + 4 + 11 + 70);
  assert.ok(nonZero >= 6);
});

test('folded a slice at a time, the sizes are the same; the layers below the one being folded are never partial', async () => {
  const files = (d: string, n: number, size: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `${d}/f${i}`, content: bytes(size) }));
  const model = await loadedImage([
    { entries: [...files('a', 3000, 2), ...files('b/c', 3000, 1)] },
    { entries: [...files('a', 1500, 5), ...files('b/d', 3000, 3)] },
    { entries: [...files('b/c', 2000, 4)] },
  ]);
  const tree = model.tree;
  const whole = new SizeIndex(tree);
  whole.catchUp(tree.layerCount);
  const sliced = new SizeIndex(tree);
  const dirs = ['/', '/a', '/b', '/b/c', '/b/d'].map((p) => (p === '/' ? tree.root : tree.lookupPath(p)!));
  let slices = 0;
  while (!sliced.catchUpFor(tree.layerCount, 0)) {
    slices++;
    // Every layer folded in so far answers as in one go, while the next one is under way.
    for (let layer = 0; layer < sliced.applied; layer++)
      for (const d of dirs) assert.equal(sliced.dirSize(d, layer), whole.dirSize(d, layer));
  }
  assert.ok(slices >= 2, `${slices} slices`);
  assert.equal(sliced.applied, tree.layerCount);
  for (let layer = 0; layer < tree.layerCount; layer++)
    for (const d of dirs) {
      assert.equal(sliced.dirSize(d, layer), whole.dirSize(d, layer));
      assert.equal(sliced.changedBelow(d, layer), whole.changedBelow(d, layer));
    }
  assert.equal(whole.dirSize(tree.root, 2), 1500 * 5 + 1500 * 2 + 2000 * 4 + 1000 * 1 + 3000 * 3);
  // A fold under way is finished by catchUp, which a view calls for the layer it shows.
  const mixed = new SizeIndex(tree);
  mixed.catchUpFor(tree.layerCount, 0);
  mixed.catchUp(2);
  assert.equal(mixed.applied, 2);
  assert.equal(mixed.dirSize(tree.root, 1), whole.dirSize(tree.root, 1));
});

test('the explorer folds the layer it shows at once and the others in the background', async () => {
  const model = await loadedImage([
    { entries: [{ name: 'd/a', content: bytes(3) }] },
    { entries: [{ name: 'd/b', content: bytes(4) }] },
    { entries: [{ name: 'd/c', content: bytes(5) }] },
  ]);
  const ex = explorerOn(model, { full: false });
  assert.equal(ex.tree.sizes.applied, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(ex.tree.sizes.applied, 3);
  // The directory's size as of each layer: 3, 7, 12 bytes.
  for (const [layer, size] of [
    [0, '3 B'],
    [1, '7 B'],
    [2, '12 B'],
  ] as const) {
    ex.selectLayer(layer);
    assert.match(text(ex), new RegExp(`${size}  [└├]─ ▾ d`));
  }
});
