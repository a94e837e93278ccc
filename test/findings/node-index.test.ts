/** The checks' shared node index (findings/content.ts): built once per state of the tree, rebuilt when the tree changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileTree } from '../../src/engine/tree.js';
import type { EntryAttrs } from '../../src/engine/types.js';
import { nodeIndex } from '../../src/findings/content.js';

const file = (size: number, mode = 0o644): EntryAttrs => ({ type: 'file', size, mode, uid: 0, gid: 0, mtime: 0 });

test('the node index is reused while the tree is unchanged and follows every change to it', () => {
  const tree = new FileTree();
  tree.beginLayer(0);
  tree.put(['etc', 'app.conf'], file(10), 0);
  tree.put(['usr', 'bin', 'tool'], file(100), 0);
  const first = nodeIndex(tree);
  assert.equal(nodeIndex(tree), first, 'same tree, no change: the same index');
  assert.equal(first.history.length, 0);
  assert.equal(first.soleFileBytes, 110);
  assert.deepEqual(first.permissionBits, []);

  // A later layer deletes one file and makes another setuid: a new version on existing nodes.
  tree.beginLayer(1);
  tree.whiteout(['etc', 'app.conf'], 1);
  tree.put(['usr', 'bin', 'tool'], file(100, 0o4755), 1);
  const second = nodeIndex(tree);
  assert.notEqual(second, first, 'the tree changed: a new index');
  assert.deepEqual(second.history.map((n) => n.path).sort(), ['/etc/app.conf', '/usr/bin/tool']);
  assert.deepEqual(
    second.permissionBits.map((n) => n.path),
    ['/usr/bin/tool'],
  );
  assert.equal(second.soleFileBytes, 0, 'both files now have two versions');

  // A change that adds no node (a same-layer rewrite of the setuid file) is seen too.
  tree.put(['usr', 'bin', 'tool'], file(100, 0o755), 1);
  assert.deepEqual(nodeIndex(tree).permissionBits, [], 'the setuid version was replaced in the same layer');
});
