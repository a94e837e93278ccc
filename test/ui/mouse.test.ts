/** Mouse clicks and the wheel, as SGR reports from the terminal. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ImageModel } from '../../src/engine/image.js';
import { sideTabs } from '../../src/ui/panels.js';
import { click, explorerOn, loadedDemo, text, type, wheel } from '../support/ui.js';

let model: ImageModel;
before(async () => {
  ({ model } = await loadedDemo());
});

test('a click selects a layer, a tree row, a side-panel tab; a click on the selected directory opens or closes it', () => {
  const ex = explorerOn(model, { width: 160, height: 45 });
  const l = ex.layout();
  click(ex, 10, l.layers.y + 2 + 5); // the sixth layer row
  assert.equal(ex.layer, 5);
  assert.equal(ex.focus, 'layers');
  click(ex, l.tree.x + 20, l.tree.y + 2 + 2);
  assert.equal(ex.focus, 'tree');
  assert.equal(ex.tree.cursorRow, 2);
  const row = ex.tree.rows()[2];
  // The first rows of the layer's filesystem are /app and its children; select a directory row.
  ex.tree.home();
  const dirRow = ex.tree.rows().findIndex((r) => r.isDir && r.expanded);
  click(ex, l.tree.x + 20, l.tree.y + 2 + dirRow);
  const before = ex.tree.rows()[dirRow].expanded;
  click(ex, l.tree.x + 20, l.tree.y + 2 + dirRow);
  assert.equal(ex.tree.rows()[dirRow].expanded, !before, 'a second click toggles the directory');
  assert.ok(row);
  const ports = sideTabs(ex).find((t) => t.id === 'ports')!;
  click(ex, l.side.x + ports.x0 + 1, l.side.y);
  assert.equal(ex.side, 'ports');
  assert.equal(ex.focus, 'side');
  assert.match(text(ex), /\[Ports\]/);
});

test('the wheel scrolls what is under the pointer: tree, layers, findings, viewer', async () => {
  const ex = explorerOn(model, { width: 160, height: 45 });
  const l = ex.layout();
  wheel(ex, l.tree.x + 5, l.tree.y + 5, true);
  assert.equal(ex.tree.cursor?.path, '/bin/basename', 'three rows down from /bin');
  wheel(ex, 5, l.layers.y + 3, true);
  assert.equal(ex.layer, 1);
  type(ex, 'f');
  wheel(ex, 5, l.side.y + 3, true);
  assert.equal(ex.findingIndex, 1);
  click(ex, 5, l.side.y + 1 + 3);
  assert.equal(ex.findingIndex, 3, 'a click on a finding selects it');
  const message = () => ex.message?.text;
  assert.equal(message(), undefined);
  click(ex, 5, l.side.y + 1 + 3);
  assert.equal(ex.findingIndex, 3);
  assert.match(message() ?? '', /^finding 4\//, 'a second click goes to it');
  ex.selectLayer(0);
  ex.setFocus('tree');
  ex.tree.reveal('/bin/busybox', 0);
  type(ex, 'v');
  await ex.idle();
  wheel(ex, 20, 10, true);
  assert.equal(ex.viewer?.scroll, 3);
  wheel(ex, 20, 10, false);
  assert.equal(ex.viewer?.scroll, 0);
});
