import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEntries, applyEntriesInSlices } from '../../src/engine/image.js';
import type { LayerEntry, LayerItem } from '../../src/engine/parse-layer.js';
import { SegmentedList } from '../../src/engine/segmented-list.js';
import { FileTree } from '../../src/engine/tree.js';
import type { EntryAttrs } from '../../src/engine/types.js';
import { TreeView } from '../../src/ui/tree-view.js';

const file = (size: number): EntryAttrs => ({ type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 0 });
const entry = (path: string, attrs: EntryAttrs): LayerEntry => ({ kind: 'entry', path, attrs });

test('a layer applied in slices is not shown, sized or counted until its last slice is in', async () => {
  // Layer 0 small; layer 1 large enough to be applied in slices (the explorer draws frames and
  // takes keys between them). What a view caches from a half-applied layer must not outlive it.
  const tree = new FileTree();
  applyEntries(tree, 0, SegmentedList.of<LayerItem>([entry('etc/hosts', file(10))]));
  const files = 30_000;
  const big: LayerEntry[] = [];
  for (let i = 0; i < files; i++) big.push(entry(`srv/d${i % 3}/f${i}`, file(2)));
  const view = new TreeView({ tree });
  view.setHeight(50);
  view.setLayer(1);
  const applying = applyEntriesInSlices(tree, 1, SegmentedList.of<LayerItem>(big), []);
  let sawPartial = 0;
  for (let round = 0; round < 20; round++) {
    await new Promise<void>((r) => setImmediate(r));
    if (tree.changesByLayer[1] && tree.changesByLayer[1].length < files) {
      sawPartial++;
      assert.equal(view.layerReady, false, 'a half-applied layer is not ready');
      assert.equal(tree.layerCount, 1);
      view.refresh();
      view.rows();
    }
  }
  assert.ok(sawPartial > 0, 'the test looked at the layer while it was half applied');
  await applying;
  assert.equal(tree.layerCount, 2);
  assert.equal(view.layerReady, true);
  view.expandAll();
  const srv = view.rows().find((r) => r.node.path === '/srv')!;
  assert.equal(srv.size, files * 2, 'the directory size counts every file of the layer');
  const d0 = tree.lookupPath('/srv/d0')!;
  assert.equal(view.children(d0).length, files / 3);
  view.setMode('changes');
  assert.equal(view.children(d0).length, files / 3);
});

test('a path thousands of directories deep (a raised path limit): filters walk it without recursion', () => {
  // 8,000 levels overflowed the stack of the recursive walks the filters used; the engine's tree
  // takes any depth its path limit allows.
  const tree = new FileTree();
  const deep = Array.from({ length: 8000 }, () => 'd').join('/');
  applyEntries(tree, 0, SegmentedList.of<LayerItem>([entry(`${deep}/leaf`, file(1))]));
  applyEntries(tree, 1, SegmentedList.of<LayerItem>([entry(`${deep}/leaf2`, file(2))]));
  const view = new TreeView({ tree });
  view.setHeight(20);
  view.setLayer(1);
  for (const filter of ['leaf2', '/leaf2$/']) {
    view.setFilter(filter);
    assert.equal(view.cursor?.name, 'leaf2', `filter ${filter}: the cursor lands on the match`);
  }
  view.setMode('changes');
  view.setFilter('leaf');
  assert.equal(view.cursor?.name, 'leaf2');
  view.setFilter('');
  view.setMode('aggregated');
  view.toggleKind('unmodified');
  assert.ok(view.rows().length > 0);
});
