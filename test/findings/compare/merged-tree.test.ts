/** The merged tree: NEW written over OLD as a layer, its change set exactly the file comparison's; both built in steps as at once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileTree } from '../../../src/engine/tree.js';
import { finishFiles, finishFilesSteps, walkFiles, walkFilesSteps } from '../../../src/findings/compare/files.js';
import { mergedOrigin, mergedTree, mergedTreeSteps } from '../../../src/findings/compare/merged-tree.js';
import { compareTestImages } from '../../support/compare-image.js';
import { rsaPem } from '../../support/fake-secrets.js';
import { loadImage } from '../../support/findings-image.js';
import { MANY_PATHS, manyPaths } from '../../support/many-paths.js';

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

test('the merged tree built in steps (the compare view, between keys) is the tree built at once', async () => {
  const oldModel = await loadImage(manyPaths(rsaPem()));
  // NEW: the same paths as OLD's final tree, most of them written again (layer 2 only).
  const newModel = await loadImage({ layers: [manyPaths(rsaPem()).layers[2]] });
  const atOnce = mergedTree(oldModel, newModel).tree;
  const steps = mergedTreeSteps(oldModel, newModel);
  let n = 0;
  let r = steps.next();
  for (; !r.done; r = steps.next()) n++;
  assert.ok(n >= Math.floor(MANY_PATHS / 4096), `a step every 4,096 paths written (${n})`);
  const dump = (t: FileTree) =>
    [0, 1].flatMap((layer) => changes(t, layer).map((c) => `${layer} ${c}`)).concat(String(t.nodeCount));
  assert.deepEqual(dump(r.value.tree), dump(atOnce));
  assert.ok(
    changes(atOnce, 1).some((c) => c.startsWith('removed ')),
    'paths only OLD has are whited out',
  );
});

test('the file comparison in steps is the comparison at once, a subtree only one side has walked in steps too', async () => {
  const oldModel = await loadImage(manyPaths(rsaPem()));
  // NEW lacks OLD's whole /opt: one directory gone, thousands of paths below it.
  const newModel = await loadImage({
    layers: [{ entries: [{ name: 'bin/sh', content: '#!fake shell\n', mode: 0o755 }] }],
  });
  const atOnce = finishFiles(walkFiles(oldModel, newModel));
  assert.ok(atOnce.removed > MANY_PATHS / 2, `the paths below /opt are removed (${atOnce.removed})`);
  let steps = 0;
  const walk = walkFilesSteps(oldModel, newModel);
  let w = walk.next();
  for (; !w.done; w = walk.next()) steps++;
  assert.ok(steps >= Math.floor(atOnce.removed / 4096), `the walk yields inside the subtree (${steps} steps)`);
  const finish = finishFilesSteps(w.value);
  let f = finish.next();
  for (; !f.done; f = finish.next()) steps++;
  assert.deepEqual(f.value, atOnce);
});
