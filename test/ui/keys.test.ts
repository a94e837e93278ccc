/** The key table: one table gives what keys do, the status bar and the help overlay. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ImageModel } from '../../src/engine/image.js';
import { bindingLabel } from '../../src/ui/binding.js';
import { activeContexts, DIVE_CHORDS, HELP_SECTIONS, KEY_TABLE, statusHints } from '../../src/ui/keys.js';
import { SIDE_PANELS } from '../../src/ui/panels.js';
import { helpBody } from '../../src/ui/render-screen.js';
import { plain } from '../../src/ui/style.js';
import type { DemoSecrets } from '../../src/sources/demo/index.js';
import { explorerOn, loadedDemo, press, text, type } from '../support/ui.js';

let model: ImageModel;
let secrets: DemoSecrets;
before(async () => {
  ({ model, secrets } = await loadedDemo());
});

test('no context binds a key twice, and every binding is reachable from a help line or a shared one', () => {
  const seen = new Map<string, string>();
  for (const b of KEY_TABLE) {
    for (const c of b.when) {
      for (const k of b.keys) {
        const id = `${c} ${k}`;
        assert.ok(!seen.has(id), `${id} bound twice (${seen.get(id)} and ${bindingLabel(b)})`);
        seen.set(id, bindingLabel(b));
      }
    }
  }
  const help = helpBody(100).map(plain).join('\n');
  for (const b of KEY_TABLE) if (b.help) assert.ok(help.includes(b.help.slice(0, 40)), `help lists "${b.help}"`);
});

test('every side panel of the registry has its key, its tab, and its keys in the help', () => {
  const ex = explorerOn(model);
  for (const p of SIDE_PANELS) {
    type(ex, p.key);
    assert.equal(ex.side, p.id, `${p.key} shows ${p.id}`);
    assert.equal(ex.focus, 'side');
    assert.ok(text(ex).includes(`[${p.tab}]`), `the ${p.tab} tab is shown`);
    if (p.bindings?.length)
      assert.ok(
        HELP_SECTIONS.some((s) => s.context === `panel:${p.id}`),
        `the help has a section for the ${p.tab} panel's keys`,
      );
    type(ex, p.key);
    assert.equal(ex.focus, 'tree', 'its key again goes back to the tree');
  }
});

test('Ctrl and Alt keys never act as their letter; dive’s chords say what to press instead', () => {
  const ex = explorerOn(model);
  ex.selectLayer(3);
  ex.tree.reveal('/root/.ssh/id_rsa', 3);
  type(ex, 'v');
  return ex.idle().then(() => {
    press(ex, 'C-r');
    assert.equal(ex.reveal, false, 'Ctrl+R does not reveal secrets');
    assert.ok(!text(ex).includes(secrets.privateKeyPem.split('\n')[2]), 'still masked');
    press(ex, 'escape');
    press(ex, 'C-r');
    assert.equal(ex.reveal, false);
    assert.match(ex.message?.text ?? '', /Ctrl\+R is 3 here/);
    press(ex, 'C-f');
    assert.equal(ex.filterEditing, false, 'Ctrl+F does not open the filter');
    assert.match(text(ex), /dive’s Ctrl\+F is \/ here/);
    press(ex, 'C-a');
    assert.equal(ex.tree.mode, 'aggregated', 'Ctrl+A does not switch the mode');
    press(ex, 'C-space');
    assert.match(ex.message?.text ?? '', /collapse \/ expand all/);
    press(ex, 'C-x');
    assert.match(ex.message?.text ?? '', /Ctrl\+X does nothing: layerlens keys are plain letters/);
    press(ex, 'M-q');
    assert.equal(ex.quit, false, 'Alt+Q does not quit');
    press(ex, 'C-c');
    assert.equal(ex.quit, true, 'Ctrl+C quits');
  });
});

test('dive’s chords all get a hint, and none is bound to an action', () => {
  for (const id of Object.keys(DIVE_CHORDS))
    assert.ok(!KEY_TABLE.some((b) => b.keys.includes(id)), `${id} is a hint, not an action`);
});

test('the status bar comes from the table; help and quit are pinned at every width down to 40', () => {
  const ex = explorerOn(model);
  for (const width of [200, 160, 120, 100, 80, 60, 40]) {
    ex.resize(width, 30);
    const bar = text(ex).split('\n').at(-1)!;
    assert.equal([...bar].length, width);
    assert.match(bar, /\? help/, `? help at ${width} columns`);
    assert.match(bar, /q quit/, `q quit at ${width} columns`);
  }
  ex.resize(160, 30);
  const { items, pinned } = statusHints(ex);
  assert.deepEqual(
    pinned.map(([, t]) => t),
    ['quit', 'help'],
  );
  assert.ok(
    items.some(([k, t]) => k.includes('↑↓') && t === 'move'),
    'tree hints while the tree has focus',
  );
  type(ex, 'f');
  assert.ok(
    statusHints(ex).items.some(([, t]) => t === 'go to'),
    'the findings panel brings its own hints',
  );
  assert.ok(!statusHints(ex).items.some(([, t]) => t === 'scroll'), 'its ↑↓ replace the generic scrolling');
  assert.deepEqual(activeContexts(ex), ['panel:findings', 'side', 'main']);
});

test('help overlay: scrolls with ↓ PgDn G g, wraps long lines, and covers the screen below 100 columns', () => {
  const ex = explorerOn(model, { width: 160, height: 30 });
  type(ex, '?');
  assert.match(text(ex), /Keys/);
  press(ex, 'pagedown');
  const afterPage = ex.helpScroll;
  assert.ok(afterPage > 10, `PgDn scrolls a page (${afterPage})`);
  type(ex, 'G');
  const bottom = ex.helpScroll;
  assert.ok(bottom > afterPage, 'G goes to the end');
  assert.match(text(ex), /Layer marks/, 'the legend is at the end');
  assert.match(text(ex), /the worst finding of the layer is critical/, 'the layer marks are explained');
  type(ex, 'g');
  assert.equal(ex.helpScroll, 0);
  // No help line is cut: at 160 columns long lines wrap inside the overlay.
  for (const line of helpBody(60).map(plain)) assert.ok([...line].length <= 60, line);
  assert.ok(
    !text(ex)
      .split('\n')
      .some((l) => /│ {2}\S.*…│/.test(l)),
    'no line of the overlay ends cut',
  );
  // At 80 columns the overlay takes the whole body: no border of the panels behind shows.
  ex.resize(80, 24);
  const lines = text(ex).split('\n');
  for (const l of lines.slice(1, -1)) assert.match(l, /^[╭│╰]/, `overlay edge on every row: ${l}`);
  type(ex, '\x1b');
  assert.equal(ex.help, false);
});
