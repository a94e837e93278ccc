/**
 * Mouse clicks and wheel steps, mapped to the same state transitions as keys: a click selects a
 * layer, a tree row or a side-panel tab (a click on the selected directory opens or closes it), the
 * wheel scrolls whatever is under the pointer. Positions come from layout.ts and the tab positions
 * from panels.ts, the same geometry the frame is drawn with.
 */
import type { Explorer } from './explorer.js';
import type { MouseEvent } from './input.js';
import { regionAt } from './layout.js';
import { panelById, sideTabs } from './panels.js';

const WHEEL_LINES = 3;

export function handleMouse(ex: Explorer, ev: MouseEvent): void {
  if (ev.action === 'release' || ev.action === 'drag' || ex.prompt || ex.filterEditing) return;
  const step: 1 | -1 = ev.action === 'wheel-down' ? 1 : -1;
  const wheel = ev.action === 'wheel-up' || ev.action === 'wheel-down';
  if (ex.help) {
    if (wheel) ex.scrollHelp(ex.helpScroll + step * WHEEL_LINES);
    return;
  }
  if (ex.viewer) {
    if (wheel) ex.scrollViewer(ex.viewer.scroll + step * WHEEL_LINES);
    return;
  }
  if (!wheel && ev.button !== 0) return;
  const l = ex.layout();
  if (l.tooSmall) return;
  ex.message = null;
  switch (regionAt(l, ev.x, ev.y)) {
    case 'layers': {
      if (wheel) {
        ex.selectLayer(ex.layer + step);
        return;
      }
      const row = ev.y - l.layers.y - 2; // border, column titles
      if (row < 0 || row >= l.layerRows) return;
      if (ex.layerTop + row < ex.layerCount) ex.selectLayer(ex.layerTop + row);
      ex.setFocus('layers');
      return;
    }
    case 'tree': {
      if (wheel) {
        for (let i = 0; i < WHEEL_LINES; i++) step > 0 ? ex.tree.down() : ex.tree.up();
        return;
      }
      const row = ev.y - l.tree.y - 2;
      ex.setFocus('tree');
      if (row < 0 || row >= l.treeRows) return;
      if (row === ex.tree.cursorRow && ex.tree.cursor) ex.tree.toggle();
      else ex.tree.clickRow(row);
      return;
    }
    case 'side': {
      const panel = panelById(ex.side, ex);
      if (wheel) {
        if (panel.wheel) panel.wheel(ex, step);
        else ex.scrollSide(step * WHEEL_LINES);
        return;
      }
      if (ev.y === l.side.y) {
        const x = ev.x - l.side.x;
        const tab = sideTabs(ex).find((t) => x >= t.x0 && x < t.x1);
        if (tab) {
          ex.side = tab.id;
          ex.sideScroll = 0;
          ex.setFocus('side');
        }
        return;
      }
      ex.setFocus('side');
      const rows = Math.max(0, l.side.height - 2);
      const row = ev.y - l.side.y - 1;
      if (row >= 0 && row < rows) panel.click?.(ex, row, rows);
      return;
    }
    default:
      return;
  }
}
