// On a big tree (≥ 50,000 paths) the explorer's long walks run in slices: a text filter's, the
// walk of another layer's view while a filter is in use, the first walk of a layer's changes. Keys
// and frames go on meanwhile, and the result is the one a walk in one go gives.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ImageModel } from '../../src/engine/image.js';
import { kindsBelow, kindsBelowSteps } from '../../src/engine/kinds-below.js';
import { TreeView } from '../../src/ui/tree-view.js';
import { explorerOn, loadedImage, press, text, type } from '../support/ui.js';

let model: ImageModel;

before(async () => {
  // 300 packages of 200 files (60,600 paths) in layer 0; layer 1 rewrites a file in each of the
  // first 150 and adds a directory of its own.
  const files = [];
  for (let p = 0; p < 300; p++) {
    files.push({ name: `usr/lib/pkg${p}/`, type: 'directory' as const });
    for (let f = 0; f < 200; f++) files.push({ name: `usr/lib/pkg${p}/file${f}.${f % 2 ? 'py' : 'txt'}`, content: '' });
  }
  const changed = [];
  for (let p = 0; p < 150; p++) changed.push({ name: `usr/lib/pkg${p}/file7.py`, content: 'changed' });
  changed.push({ name: 'opt/Extra/', type: 'directory' as const }, { name: 'opt/Extra/file7.PY', content: 'x' });
  model = await loadedImage([{ entries: files }, { entries: changed }]);
  assert.ok(model.tree.nodeCount >= 50_000, `a big tree: ${model.tree.nodeCount} nodes`);
});

/**
 * An explorer on the big tree whose views are never built where they are asked for (0 ms there:
 * one step, so a walk of a layer always goes on in slices, whatever this machine's speed).
 */
function slicedExplorer(): ReturnType<typeof explorerOn> {
  const ex = explorerOn(model, { width: 120, height: 30, full: false });
  ex.tree.firstSliceMs = 0;
  return ex;
}

/** Every row the view shows for `layer` with `filter` (a walk in one go), as paths. */
function expected(layer: number, filter: string, mode: 'aggregated' | 'changes' = 'aggregated'): string[] {
  const v = new TreeView({ tree: model.tree });
  v.setHeight(1_000_000);
  v.setLayer(layer);
  v.setMode(mode);
  v.setFilter(filter);
  return v.rows().map((r) => r.node.path);
}

function allRows(ex: ReturnType<typeof explorerOn>): string[] {
  const h = ex.tree.height;
  ex.tree.setHeight(1_000_000);
  const rows = ex.tree.rows().map((r) => r.node.path);
  ex.tree.setHeight(h);
  return rows;
}

/** Run the pending filter's slices (budget 0: one step each) until it is applied; the count. */
function finish(ex: ReturnType<typeof explorerOn>): number {
  let slices = 1;
  while (!ex.filterSlice(0)) slices++;
  return slices;
}

test('a filter on a big tree: nothing changes at once, the walk runs in slices, then the rows are those of one walk', () => {
  const ex = slicedExplorer();
  ex.selectLayer(1);
  const before = allRows(ex);
  ex.applyFilter('file7');
  // Not applied yet: the same rows, and the filter line says it is being applied.
  assert.equal(ex.filterPending, 'file7');
  assert.equal(ex.tree.filterText, '');
  assert.deepEqual(allRows(ex), before);
  assert.match(text(ex), /\/ file7 +filtering…/);
  // A key meanwhile is handled (the cursor moves in the unfiltered rows).
  const cursor = ex.tree.cursor?.path;
  press(ex, 'down');
  assert.notEqual(ex.tree.cursor?.path, cursor);
  const slices = finish(ex);
  assert.ok(slices > 10, `the walk ran in ${slices} slices`);
  assert.equal(ex.filterPending, null);
  assert.equal(ex.tree.filterText, 'file7');
  const rows = allRows(ex);
  assert.deepEqual(rows, expected(1, 'file7'));
  // file7.py of every package and the added one (any case: smart case), with their directories.
  assert.ok(rows.includes('/opt/Extra/file7.PY'));
  assert.equal(rows.filter((p) => /\/file7\./.test(p)).length, 301);
  assert.doesNotMatch(text(ex), /filtering…/);
  // The cursor on the first match, not on one of its directories.
  assert.match(ex.tree.cursor?.path ?? '', /\/file7\.py$/i);
});

test('a /regex/ and the changes view are built in slices too, with the same result as in one go', () => {
  const ex = slicedExplorer();
  ex.selectLayer(0);
  ex.applyFilter('/pkg1[0-4]\\/file1[0-9]\\.py$/');
  assert.ok(finish(ex) > 1);
  assert.deepEqual(allRows(ex), expected(0, '/pkg1[0-4]\\/file1[0-9]\\.py$/'));
  ex.applyFilter('');
  ex.selectLayer(1);
  ex.tree.setMode('changes');
  ex.applyFilter('pkg14');
  finish(ex);
  assert.deepEqual(allRows(ex), expected(1, 'pkg14', 'changes'));
  assert.ok(allRows(ex).includes('/usr/lib/pkg14/file7.py'));
});

test('a newer text replaces the walk under way; Esc clears at once; the same text goes on', () => {
  const ex = slicedExplorer();
  ex.applyFilter('file3');
  ex.filterSlice(0);
  ex.applyFilter('file4');
  assert.equal(ex.filterPending, 'file4');
  finish(ex);
  assert.equal(ex.tree.filterText, 'file4');
  assert.deepEqual(allRows(ex), expected(0, 'file4'));

  // Typing a new draft drops the walk of the old one; Esc leaves the filter field, cleared, at once.
  ex.applyFilter('');
  type(ex, '/');
  type(ex, 'pkg2');
  ex.applyFilter(ex.filterDraft);
  assert.equal(ex.filterPending, 'pkg2');
  press(ex, 'escape');
  assert.equal(ex.filterPending, null);
  assert.equal(ex.tree.filterText, '');
  assert.equal(ex.filterSlice(0), true);

  // Enter on a draft whose walk is under way keeps that walk (it does not start again).
  type(ex, '/');
  type(ex, 'pkg3');
  ex.applyFilter(ex.filterDraft);
  ex.filterSlice(0);
  ex.filterSlice(0);
  press(ex, 'return');
  assert.equal(ex.filterPending, 'pkg3');
  const rest = finish(ex);
  assert.equal(ex.tree.filterText, 'pkg3');
  assert.deepEqual(allRows(ex), expected(0, 'pkg3'));
  // (Fewer slices than a walk from the start: the two already run were kept.)
  const whole = (() => {
    const other = slicedExplorer();
    other.applyFilter('pkg3');
    return finish(other);
  })();
  assert.ok(rest < whole, `${rest} slices after Enter, ${whole} for the whole walk`);
});

/** Run the tree view's own build in slices (budget 0) until its view is built; the count. */
function build(ex: ReturnType<typeof explorerOn>): number {
  let slices = 1;
  while (!ex.tree.buildStep(0)) slices++;
  return slices;
}

test('a layer chosen while the walk runs: the filter is applied to that layer, its walk in slices too', () => {
  const ex = slicedExplorer();
  ex.selectLayer(0);
  ex.applyFilter('Extra');
  ex.filterSlice(0);
  ex.selectLayer(1);
  finish(ex);
  assert.equal(ex.tree.filterText, 'Extra');
  // Layer 1's view was not the one walked: it is built now, in slices, showing no row meanwhile.
  assert.equal(ex.tree.building, true);
  assert.deepEqual(allRows(ex), []);
  assert.ok(build(ex) > 1);
  assert.deepEqual(allRows(ex), expected(1, 'Extra'));
  assert.deepEqual(allRows(ex), ['/opt', '/opt/Extra', '/opt/Extra/file7.PY']);
});

test('with a filter in use, another layer or the changes view is walked in slices; the cursor waits; a view seen before is at once', () => {
  const ex = slicedExplorer();
  ex.selectLayer(0);
  ex.applyFilter('pkg12');
  finish(ex);
  press(ex, 'down', 'down', 'down');
  const cursor = ex.tree.cursor?.path;
  assert.match(cursor ?? '', /^\/usr\/lib\/pkg12/);
  ex.selectLayer(1);
  assert.equal(ex.tree.building, true);
  assert.match(text(ex), /filtering…/);
  assert.doesNotMatch(text(ex), /no path matches/);
  assert.ok(build(ex) > 1);
  assert.equal(ex.tree.building, false);
  assert.deepEqual(allRows(ex), expected(1, 'pkg12'));
  // The cursor stayed on its path (it is in layer 1's filtered view too).
  assert.equal(ex.tree.cursor?.path, cursor);
  // Layer 0's view was built before: back to it at once.
  ex.selectLayer(0);
  assert.equal(ex.tree.building, false);
  assert.deepEqual(allRows(ex), expected(0, 'pkg12'));
  // The changes view of layer 1 with the filter: only the changed file of pkg12 and its directories.
  ex.selectLayer(1);
  press(ex, 'a');
  build(ex);
  const changes = allRows(ex);
  assert.deepEqual(changes, expected(1, 'pkg12', 'changes'));
  // (pkg12 and pkg120–129: the file layer 1 rewrote in each, with its directories.)
  assert.ok(changes.includes('/usr/lib/pkg12/file7.py'));
  assert.deepEqual(
    changes.filter((p) => p.includes('/file')),
    changes.filter((p) => p.endsWith('/file7.py')),
  );
  assert.equal(changes.filter((p) => p.endsWith('/file7.py')).length, 11);
});

test('a small tree is walked at once (no slices): the filter and the layers as before', async () => {
  const small = await loadedImage([
    {
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/hosts', content: 'h' },
      ],
    },
  ]);
  const ex = explorerOn(small, { width: 120, height: 30, full: false });
  ex.applyFilter('host');
  assert.equal(ex.filterPending, null);
  assert.equal(ex.tree.filterText, 'host');
  assert.equal(ex.tree.building, false);
  assert.deepEqual(allRows(ex), ['/etc', '/etc/hosts']);
});

test('in the terminal the walks run by themselves, a slice per turn of the event loop, and ask for a frame when done', async () => {
  const ex = slicedExplorer();
  let changed = new Promise<void>((resolve) => (ex.onChange = resolve));
  ex.applyFilter('file199');
  assert.equal(ex.tree.filterText, '');
  await changed;
  assert.equal(ex.tree.filterText, 'file199');
  assert.equal(ex.filterPending, null);
  assert.deepEqual(allRows(ex), expected(0, 'file199'));
  // Another layer with the filter in use: its view is built the same way.
  changed = new Promise<void>((resolve) => (ex.onChange = resolve));
  ex.selectLayer(1);
  assert.equal(ex.tree.building, true);
  await changed;
  assert.equal(ex.tree.building, false);
  assert.deepEqual(allRows(ex), expected(1, 'file199'));
});

test('the changes view and hidden kinds of a big layer: its changes are sorted out in slices, with the same bits as in one go', () => {
  // The engine's walk, a slice at a time: the same bits as in one go.
  const whole = kindsBelow(model.tree, 0);
  const below = new Map();
  let yields = 0;
  for (const _ of kindsBelowSteps(model.tree, 0, below, 1000)) yields++;
  assert.ok(yields >= 60, `${yields} slices of 1,000 changes`);
  assert.deepEqual([...below].sort(byPath), [...whole].sort(byPath));

  // The explorer: the changes view of layer 0 (every path added), then with the added hidden.
  const ex = slicedExplorer();
  ex.selectLayer(0);
  press(ex, 'a');
  assert.equal(ex.tree.building, true);
  assert.match(text(ex), /sorting out what the layer changed…/);
  build(ex);
  assert.deepEqual(allRows(ex), expected(0, '', 'changes'));
  assert.ok(allRows(ex).length > 60_000);
  press(ex, '1');
  build(ex);
  assert.deepEqual(allRows(ex), []);
  assert.match(text(ex), /every change of this layer is of a kind hidden \(added\)/);
});

const byPath = (a: [{ path: string }, number], b: [{ path: string }, number]) => (a[0].path < b[0].path ? -1 : 1);

test('one directory of 60,000 files is walked in slices too, not in one go', async () => {
  const flat = await loadedImage([
    {
      entries: [
        { name: 'flat/', type: 'directory' },
        ...Array.from({ length: 60_000 }, (_, i) => ({ name: `flat/f${i}`, content: '' })),
      ],
    },
  ]);
  const ex = explorerOn(flat, { width: 120, height: 30, full: false });
  ex.applyFilter('f5999');
  let slices = 1;
  while (!ex.filterSlice(0)) slices++;
  assert.ok(slices >= 20, `${slices} slices`);
  assert.deepEqual(allRows(ex), [
    '/flat',
    '/flat/f5999',
    '/flat/f59990',
    '/flat/f59991',
    '/flat/f59992',
    '/flat/f59993',
    '/flat/f59994',
    '/flat/f59995',
    '/flat/f59996',
    '/flat/f59997',
    '/flat/f59998',
    '/flat/f59999',
  ]);
});

test('a jump to a path (a finding, a search) while the view is built: the filter and mode that show it are kept', () => {
  const ex = slicedExplorer();
  ex.selectLayer(0);
  ex.applyFilter('file7');
  finish(ex);
  ex.selectLayer(1);
  assert.equal(ex.tree.building, true);
  assert.equal(ex.tree.reveal('/usr/lib/pkg9/file7.py', 1), true);
  assert.equal(ex.tree.filterText, 'file7');
  assert.equal(ex.tree.building, false);
  assert.equal(ex.tree.cursor?.path, '/usr/lib/pkg9/file7.py');
  // The changes view, its walk not made yet: the jump keeps the mode too.
  ex.applyFilter('');
  ex.tree.setMode('changes');
  ex.selectLayer(0);
  assert.equal(ex.tree.building, true);
  assert.equal(ex.tree.reveal('/usr/lib/pkg9/file8.txt', 0), true);
  assert.equal(ex.tree.mode, 'changes');
  assert.equal(ex.tree.cursor?.path, '/usr/lib/pkg9/file8.txt');
});
