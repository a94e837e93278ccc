/**
 * A big layer applied in slices (image.ts applyEntriesInSlices, as the explorer loads an image):
 * its markers' removals and the late-marker passes yield to the event loop too, and the tree
 * ends exactly as the layer applied at once leaves it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEntries, applyEntriesInSlices } from '../../src/engine/image.js';
import type { LayerEntry, LayerItem } from '../../src/engine/parse-layer.js';
import { SegmentedList } from '../../src/engine/segmented-list.js';
import { FileTree, type TreeNode } from '../../src/engine/tree.js';
import type { EntryAttrs } from '../../src/engine/types.js';

const file = (size: number): EntryAttrs => ({ type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 0 });
const PACKAGES = 200;
const FILES = 300;

/** Layer 0: 200 packages of 300 files. */
function base(): LayerEntry[] {
  const out: LayerEntry[] = [];
  for (let p = 0; p < PACKAGES; p++)
    for (let f = 0; f < FILES; f++) out.push({ kind: 'entry', path: `site/pkg${p}/f${f}.py`, attrs: file(f + 1) });
  return out;
}

/**
 * Layer 1, an upgrade in tar order: two packages of three made opaque (60k lower paths removed),
 * the others' first file deleted, a few files written again; some packages' own files written
 * before their marker (late markers, which the runtimes and the spec read differently: noted).
 */
function upgrade(): LayerEntry[] {
  const out: LayerEntry[] = [];
  let ordinal = 0;
  for (let p = 0; p < PACKAGES; p++) {
    const late = p % 10 === 0;
    const own = (f: number): LayerEntry => ({
      kind: 'entry',
      path: `site/pkg${p}/f${f}.py`,
      attrs: file(2 * f + 3),
      ordinal: ordinal++,
    });
    if (late) out.push(own(0));
    if (p % 3 !== 1) out.push({ kind: 'opaque', parts: ['site', `pkg${p}`], ordinal: ordinal++ });
    else out.push({ kind: 'whiteout', parts: ['site', `pkg${p}`, 'f0.py'], ordinal: ordinal++ });
    for (let f = 1; f < 60; f++) out.push(own(f));
  }
  return out;
}

/** Every node's versions (layer, change, size) and the tree's unpack notes, in a fixed order. */
function dump(tree: FileTree): string[] {
  const out: string[] = [];
  const walk = (node: TreeNode) => {
    out.push(`${node.path} ${node.versions.map((v) => `${v.layer}:${v.change}:${v.size}`).join(' ')}`);
    for (const c of [...(node.children?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))) walk(c);
  };
  walk(tree.root);
  for (const n of tree.unpackNotes) out.push(`note ${JSON.stringify(n)}`);
  return out;
}

test('a layer of markers applied in slices: its removals and late-marker passes yield, the tree ends the same', async () => {
  const atOnce = new FileTree();
  applyEntries(atOnce, 0, SegmentedList.of<LayerItem>(base()));
  applyEntries(atOnce, 1, SegmentedList.of<LayerItem>(upgrade()));
  assert.ok(
    atOnce.unpackNotes.some((n) => n.layer === 1 && n.whiteout),
    'the layer has late markers (the passes have something to note)',
  );

  const sliced = new FileTree();
  applyEntries(sliced, 0, SegmentedList.of<LayerItem>(base()));
  const layer1 = SegmentedList.of<LayerItem>(upgrade());
  let done = false;
  const applying = applyEntriesInSlices(sliced, 1, layer1, []).then(() => (done = true));
  // Turns of the event loop while it applies: readers between them see layer 0 only.
  let turns = 0;
  while (!done) {
    await new Promise<void>((r) => setImmediate(r));
    if (done) break;
    turns++;
    assert.equal(sliced.layerCount, 1, 'a half-applied layer is not counted');
  }
  await applying;
  // The entries alone (11,800) are two slices of the apply loop; the markers' 40,000 removals and
  // the two passes over ~52,000 changes are several more.
  assert.ok(layer1.length < 2 * 8192 && turns >= 6, `the markers' work yielded too (${turns} turns)`);
  assert.equal(sliced.layerCount, 2);
  assert.deepEqual(dump(sliced), dump(atOnce));
});
