/** The merged tree: NEW written over OLD as a layer, its change set exactly the file comparison's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileTree } from '../../../src/engine/tree.js';
import { mergedOrigin, mergedTree } from '../../../src/findings/compare/merged-tree.js';
import { compareTestImages } from '../../support/compare-image.js';

const sh = { name: 'bin/sh', content: '#!fake\n', mode: 0o755 };

function changes(tree: FileTree, layer: number): string[] {
  return [...(tree.changesByLayer[layer] ?? [])].map((n) => `${n.versionIn(layer)!.change} ${n.path}`).sort();
}

test('layer 1 of the merged tree changes exactly what the comparison lists; origins point at each image', async () => {
  const { cmp, models } = await compareTestImages(
    {
      layers: [
        {
          entries: [
            sh,
            { name: 'etc/conf', content: 'x' },
            { name: 'etc/same', content: 'same' },
            { name: 'var/cache/a/1', content: '11' },
            { name: 'srv/data', content: 'AAAA' },
            { name: 'srv/link', type: 'symlink', linkname: 'data' },
          ],
        },
        { entries: [{ name: 'srv/data', content: 'AAAA', mode: 0o600 }] },
      ],
    },
    {
      layers: [
        {
          entries: [
            sh,
            { name: 'etc/conf', type: 'directory' },
            { name: 'etc/conf/inside', content: 'y' },
            { name: 'etc/same', content: 'same', mtime: new Date(1800000000000) },
            { name: 'srv/data', content: 'BBBB', mode: 0o600 },
            { name: 'srv/link', type: 'symlink', linkname: 'other' },
            { name: 'srv/new', content: 'n' },
          ],
        },
      ],
    },
  );
  const { tree, newLayer } = mergedTree(models[0], models[1]);
  assert.deepEqual(changes(tree, newLayer), cmp.files.entries.map((e) => `${e.change} ${e.path}`).sort());
  assert.ok(changes(tree, newLayer).includes('modified /srv/data'));
  assert.ok(!changes(tree, newLayer).some((l) => l.endsWith('/etc/same')), 'a moved mtime is no change');
  // Origins: the old version of /srv/data is OLD's layer 1, the new one NEW's layer 0.
  const data = tree.lookupPath('/srv/data')!;
  assert.deepEqual(mergedOrigin(data.versionIn(0)), { side: 'old', layer: 1 });
  assert.deepEqual(mergedOrigin(data.versionIn(1)), { side: 'new', layer: 0 });
  // Removed paths are whited out in layer 1, still there in layer 0.
  assert.equal(tree.lookupPath('/var/cache/a/1')!.liveAt(1), undefined);
  assert.ok(tree.lookupPath('/var/cache/a/1')!.liveAt(0));
});

test('identical images: layer 1 of the merged tree changes nothing', async () => {
  const img = { layers: [{ entries: [sh, { name: 'a/b', content: '1' }] }] };
  const { models } = await compareTestImages(img, img);
  assert.deepEqual(changes(mergedTree(models[0], models[1]).tree, 1), []);
});
