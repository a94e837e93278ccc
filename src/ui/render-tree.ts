/** File tree panel rows as styled lines. */
import type { Line, Seg, Style } from './style.js';
import { fitLine, seg } from './style.js';
import { formatBytes } from '../text/bytes.js';
import { hasUnsafe, safeText } from '../text/safe-text.js';
import { fit, fitRight } from '../text/width.js';
import { isPrivileged, modeString } from './format.js';
import type { TreeRow, TreeView } from './tree-view.js';

export const CHANGE_STYLE: Record<TreeRow['change'], { sym: string; style: Style }> = {
  added: { sym: '+', style: { fg: 'green' } },
  modified: { sym: '~', style: { fg: 'yellow' } },
  removed: { sym: '-', style: { fg: 'red' } },
  unmodified: { sym: ' ', style: {} },
};

/** A version that a later layer deletes or overwrites (still shipped in this one). */
export const HIDDEN_STYLE: Style = { fg: 'brightMagenta', bold: true };

export interface TreeColumns {
  mode: boolean;
  owner: boolean;
}

export function treeColumns(width: number): TreeColumns {
  return { mode: width >= 56, owner: width >= 72 };
}

export function treeHeader(width: number): Line {
  const c = treeColumns(width);
  const parts: Seg[] = [seg('   ')];
  if (c.mode) parts.push(seg(fit('Permission', 11)));
  if (c.owner) parts.push(seg(fitRight('UID:GID', 9) + ' '));
  parts.push(seg(fitRight('Size', 8) + '  '), seg('Name'));
  return fitLine(
    parts.map((p) => ({ ...p, fg: 'gray', bold: true })),
    width,
  );
}

/**
 * What a row says after its name about the change (default: the layer a removal or replacement
 * is about); the compare view says what differs between the two images instead.
 */
export type RowNote = (row: TreeRow) => { text: string; style: Style } | undefined;

function layerNote(row: TreeRow): { text: string; style: Style } | undefined {
  if (row.change === 'removed' && row.fromLayer !== undefined)
    return { text: `(from L${row.fromLayer})`, style: { fg: 'red' } };
  if (row.change === 'modified' && row.fromLayer !== undefined && row.version.type !== 'dir')
    return { text: `(replaces L${row.fromLayer})`, style: { fg: 'yellow' } };
  return undefined;
}

/** One tree row, exactly `width` cells. */
export function treeRowLine(row: TreeRow, width: number, focused: boolean, note: RowNote = layerNote): Line {
  const c = treeColumns(width);
  const v = row.version;
  const cs = CHANGE_STYLE[row.change];
  const hidden = row.hiddenBy;
  const nameStyle: Style = hidden
    ? HIDDEN_STYLE
    : row.change !== 'unmodified'
      ? { ...cs.style, bold: row.change !== 'removed' }
      : row.context
        ? { fg: 'gray' }
        : row.isDir
          ? { fg: 'brightBlue' }
          : v.type === 'symlink'
            ? { fg: 'cyan' }
            : {};
  const parts: Seg[] = [];
  parts.push(seg(cs.sym, { ...cs.style, bold: true }), hidden ? seg('✗', HIDDEN_STYLE) : seg(' '), seg(' '));
  if (c.mode) {
    const priv = isPrivileged(v);
    parts.push(seg(modeString(v), priv ? { fg: 'brightRed', bold: true } : { fg: 'gray' }), seg(' '));
  }
  if (c.owner) parts.push(seg(fitRight(`${v.uid}:${v.gid}`, 9), { fg: v.uid === 0 ? 'gray' : 'white' }), seg(' '));
  const size = row.isDir && row.size === 0 ? '-' : formatBytes(row.size);
  parts.push(seg(fitRight(size, 8), { fg: row.isDir ? 'gray' : 'white' }), seg('  '));
  parts.push(seg(row.guides, { fg: 'gray' }));
  if (row.isDir) parts.push(seg(row.hasChildren ? (row.expanded ? '▾ ' : '▸ ') : '  ', { fg: 'gray' }));
  const unsafe = hasUnsafe(row.node.name);
  if (unsafe) parts.push(seg('⚠', { fg: 'brightYellow', bold: true }));
  parts.push(seg(safeText(row.node.name), nameStyle));
  if (v.type === 'symlink' || v.type === 'hardlink')
    parts.push(seg(` → ${safeText(v.linkTarget ?? '?')}`, { fg: 'gray' }));
  if (hidden) parts.push(seg(`  ⚑ ${hidden.how} in L${hidden.layer}`, { fg: 'brightMagenta' }));
  const n = note(row);
  if (n) parts.push(seg(`  ${n.text}`, n.style));
  if (unsafe) parts.push(seg('  name holds control characters', { fg: 'yellow' }));
  let line = fitLine(parts, width);
  if (row.selected) {
    const bg = focused ? 'selBg' : 'dimBg';
    line = fitLine(
      parts.map((p) => ({ ...p, bg })),
      width,
      { bg },
    );
  }
  return line;
}

/** Body lines of the tree panel (header + rows + message when empty). */
export function treeBody(view: TreeView, width: number, focused: boolean, emptyNote: string, note?: RowNote): Line[] {
  const out: Line[] = [treeHeader(width)];
  const rows = view.rows();
  for (const r of rows) out.push(treeRowLine(r, width, focused, note));
  if (rows.length === 0) out.push([seg(''), seg(emptyNote, { fg: 'gray' })]);
  return out;
}
