/**
 * FileTree.putAt remembers the last directory it reached, and every directory it reached in the
 * layer by path, so that the next entry of a run in one directory, or of a directory met before,
 * does not walk from the root. What it remembers must never outlive a change above
 * it: checked against put(), which always walks, on random layers over a small set of paths
 * where files, symlinks and directories replace one another (a directory replaced by a file or
 * a symlink while its children are still to come), with whiteouts and opaque markers between the
 * layers, and a tar that goes back and forth between a few directories.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileTree, type TreeNode } from '../../src/engine/tree.js';
import type { EntryAttrs } from '../../src/engine/types.js';
import { rng } from '../support/mutate.js';

const DIRS = ['', 'a', 'a/b', 'a/b/c', 'd', 'd/e', 'a/b/__pycache__', 'd/e/__pycache__', 'f', 'f/g'];
const NAMES = ['b', 'c', 'e', 'g', 'x', 'y', '__pycache__', 'm.py'];

type Op = { op: 'put'; dir: string; name: string; attrs: EntryAttrs } | { op: 'whiteout' | 'opaque'; parts: string[] };

function randomLayer(rnd: () => number, n: number): Op[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ops: Op[] = [];
  // Whiteouts and opaque markers come first, as a layer is applied.
  for (let i = 0; i < 2; i++) {
    const r = rnd();
    const parts = pick(DIRS).split('/').filter(Boolean);
    if (r < 0.3) ops.push({ op: 'whiteout', parts: [...parts, pick(NAMES)] });
    else if (r < 0.45 && parts.length) ops.push({ op: 'opaque', parts });
  }
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const type: EntryAttrs['type'] = r < 0.55 ? 'file' : r < 0.8 ? 'dir' : r < 0.93 ? 'symlink' : 'hardlink';
    const attrs: EntryAttrs = { type, size: type === 'file' ? 1 : 0, mode: 0o644, uid: 0, gid: 0, mtime: i };
    if (type === 'symlink') attrs.linkTarget = pick(['/d', '../d/e', 'b', '/a/b', '/nowhere', '..']);
    if (type === 'hardlink') attrs.linkTarget = '/' + pick(DIRS.filter(Boolean)) + '/' + pick(NAMES);
    ops.push({ op: 'put', dir: pick(DIRS), name: pick(NAMES), attrs });
  }
  return ops;
}

function dump(tree: FileTree): string[] {
  const out: string[] = [];
  const walk = (node: TreeNode, path: string) => {
    const vs = node.versions.map((v) => `${v.layer}:${v.change}:${v.type}${v.implicit ? ':i' : ''}`).join(' ');
    out.push(`${path} ${vs}`);
    if (node.children) for (const [name, child] of [...node.children].sort()) walk(child, `${path}/${name}`);
  };
  walk(tree.root, '');
  for (const n of tree.unpackNotes) out.push(`note ${JSON.stringify(n)}`);
  return out;
}

test('putAt with its remembered directory gives the tree put() gives, on 300 random images', () => {
  let remembered = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = rng(seed);
    const layers = Array.from({ length: 3 }, () => randomLayer(rnd, 40));
    const fast = new FileTree();
    const walked = new FileTree();
    for (let layer = 0; layer < layers.length; layer++) {
      fast.beginLayer(layer);
      walked.beginLayer(layer);
      for (const o of layers[layer]) {
        if (o.op !== 'put') {
          fast[o.op](o.parts, layer);
          walked[o.op](o.parts, layer);
          continue;
        }
        const parts = o.dir === '' ? [o.name] : [...o.dir.split('/'), o.name];
        // Each tree gets its own attributes: the tree keeps the object it is given.
        const before = fast.nodeCount;
        fast.putAt(o.dir, o.name, { ...o.attrs }, layer, undefined, 0);
        if (fast.nodeCount === before) remembered++;
        walked.put(parts, { ...o.attrs }, layer, undefined, 0);
      }
    }
    assert.deepEqual(dump(fast), dump(walked), `seed ${seed}`);
  }
  assert.ok(remembered > 1000, `the cases reached known directories (${remembered})`);
});
