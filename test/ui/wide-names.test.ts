/**
 * Emoji of default emoji presentation (`🚀`, `✅`, `⭐`, `⌚`, `🪐`) take two cells in a terminal,
 * as CJK does; the width table counted them one, so a name or a RUN command of them made rows
 * wider than the terminal: at 100 columns the Layers and History rows were 130 cells, wrapped,
 * and every frame below slid. Every row is now exactly the terminal's width.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenLines } from '../../src/ui/render-screen.js';
import { plain } from '../../src/ui/style.js';
import { textWidth } from '../../src/text/width.js';
import { explorerOn, loadedImage, press, type } from '../support/ui.js';

const WIDE = ['🚀', '✅', '⭐', '⌚', '🪐', '❌'];
const run = WIDE.join('').repeat(6);

/** Cells of a screen line: the fixture's emoji two, everything else the explorer draws one. */
function cells(line: string): number {
  let w = 0;
  for (const c of line) w += WIDE.includes(c) ? 2 : 1;
  return w;
}

test('textWidth counts emoji of emoji presentation two cells', () => {
  for (const c of WIDE) assert.equal(textWidth(c), 2, c);
  assert.equal(textWidth('\u3099'), 0); // a combining mark in a wide block takes none
  assert.equal(textWidth('界e\u0301'), 3);
});

test('names and commands of wide emoji: every row is the terminal width', async () => {
  const model = await loadedImage([
    {
      entries: [
        { name: 'app/', type: 'directory' },
        { name: `app/${run}`, content: 'x' },
        { name: `app/link-${run}`, type: 'symlink', linkname: run },
      ],
      createdBy: `RUN echo ${run}`,
    },
  ]);
  for (const width of [100, 60]) {
    const ex = explorerOn(model, { width, height: 30 });
    ex.tree.expandAll();
    const views: Array<[string, () => void]> = [
      ['first frame', () => {}],
      ['tree', () => type(ex, '\t')],
      ['selected file', () => press(ex, 'down', 'down')],
      ['findings', () => type(ex, 'f')],
      ['image', () => type(ex, 'i')],
    ];
    for (const [what, act] of views) {
      act();
      const lines = screenLines(ex).map(plain);
      assert.ok(
        lines.some((l) => WIDE.some((c) => l.includes(c))),
        `${what}: the names are on the screen`,
      );
      for (const l of lines) assert.equal(cells(l), width, `${what} at ${width}: ${l}`);
    }
  }
});
