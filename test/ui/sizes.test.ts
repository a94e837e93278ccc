// Directory sizes per layer (SizeIndex): each against a count of every file below the directory,
// on layers that add, rewrite, shrink, remove and hide whole directories, their files out of order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TreeNode } from '../../src/engine/tree.js';
import { SizeIndex } from '../../src/ui/sizes.js';
import { loadedImage } from '../support/ui.js';

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
