/**
 * The explorer's screen geometry: where the header, the Layers box, the side panel, the file tree
 * and the status bar sit for a terminal size, and which of them a cell belongs to (mouse clicks).
 * Pure: rendering draws into these rectangles and the state asks for its page sizes here.
 *
 * Wide terminals (≥ 110 columns) put Layers above the side panel on the left and the tree on the
 * right. The tree is given what its columns need (mode, owner, size, a deep name: ~88 cells) and
 * the side panel the rest, so wide screens widen the panel whose text wraps; `<` and `>` move the
 * divider. Narrow terminals stack Layers above the tree, and the side panel takes the tree's
 * place while it has focus.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutInput {
  width: number;
  height: number;
  layerCount: number;
  /** A filter line is shown under the tree (typing a filter, or one applied). */
  filterLine: boolean;
  /** Columns the user moved the divider by (`<` / `>`), + widens the left column. */
  splitDelta: number;
  /** Narrow layout: the side panel replaces the tree (it has focus). */
  sideShown: boolean;
}

export interface Layout {
  width: number;
  height: number;
  wide: boolean;
  /** Too small to draw the explorer: a one-line message instead. */
  tooSmall: boolean;
  header: Rect;
  /** Rows between header and status bar. */
  body: Rect;
  layers: Rect;
  /** The side panel (narrow layout: empty when the tree is shown). */
  side: Rect;
  /** The file tree (narrow layout: empty while the side panel is shown). */
  tree: Rect;
  status: Rect;
  /** Rows of tree entries on screen. */
  treeRows: number;
  /** Rows of layers on screen. */
  layerRows: number;
}

export const MIN_WIDTH = 40;
export const MIN_HEIGHT = 10;
export const WIDE = 110;
/** What the tree's columns need: marks, mode, uid:gid, size, guides and a name. */
const TREE_WANTS = 88;
const MIN_LEFT = 40;
const MIN_TREE = 44;

const EMPTY: Rect = { x: 0, y: 0, width: 0, height: 0 };

/** Width of the left column (Layers and side panel) in the wide layout. */
export function leftWidth(width: number, splitDelta: number): number {
  const auto = Math.max(44, Math.min(width - TREE_WANTS, Math.floor(width * 0.6)));
  return Math.max(MIN_LEFT, Math.min(width - MIN_TREE, auto + splitDelta));
}

export function computeLayout(i: LayoutInput): Layout {
  const W = Math.max(1, i.width);
  const H = Math.max(1, i.height);
  const tooSmall = W < MIN_WIDTH || H < MIN_HEIGHT;
  const header: Rect = { x: 0, y: 0, width: W, height: 1 };
  const status: Rect = { x: 0, y: H - 1, width: W, height: 1 };
  const bodyH = Math.max(0, H - 2);
  const body: Rect = { x: 0, y: 1, width: W, height: bodyH };
  const wide = W >= WIDE;
  const filter = i.filterLine ? 1 : 0;
  const n = Math.max(1, i.layerCount);
  let layers: Rect;
  let side: Rect;
  let tree: Rect;
  if (wide) {
    const leftW = leftWidth(W, i.splitDelta);
    const layersH = Math.max(5, Math.min(n + 3, Math.round(bodyH * 0.45)));
    layers = { x: 0, y: 1, width: leftW, height: layersH };
    side = { x: 0, y: 1 + layersH, width: leftW, height: Math.max(0, bodyH - layersH) };
    tree = { x: leftW, y: 1, width: W - leftW, height: bodyH };
  } else {
    const layersH = Math.max(4, Math.min(n + 3, Math.round(bodyH * 0.3)));
    layers = { x: 0, y: 1, width: W, height: layersH };
    const rest: Rect = { x: 0, y: 1 + layersH, width: W, height: Math.max(0, bodyH - layersH) };
    side = i.sideShown ? rest : EMPTY;
    tree = i.sideShown ? EMPTY : rest;
  }
  // (Narrow: the tree's page is the rest of the body even while the side panel covers it.)
  const treeH = wide ? tree.height : Math.max(0, bodyH - layers.height);
  return {
    width: W,
    height: H,
    wide,
    tooSmall,
    header,
    body,
    layers,
    side,
    tree,
    status,
    treeRows: Math.max(1, treeH - 3 - filter),
    layerRows: Math.max(1, layers.height - 3),
  };
}

/** The help overlay: centred on wide screens, the whole body on narrow ones (nothing shows through). */
export function helpRect(l: Layout): Rect {
  if (l.width < 100) return l.body;
  const width = Math.min(l.width - 4, 110);
  const height = Math.min(l.body.height, 46);
  return {
    x: Math.floor((l.width - width) / 2),
    y: l.body.y + Math.max(0, Math.floor((l.body.height - height) / 2)),
    width,
    height,
  };
}

export function contains(r: Rect, x: number, y: number): boolean {
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
}

export type Region = 'header' | 'layers' | 'side' | 'tree' | 'status' | 'none';

/** Which part of the screen the cell (x, y) belongs to. */
export function regionAt(l: Layout, x: number, y: number): Region {
  if (contains(l.header, x, y)) return 'header';
  if (contains(l.status, x, y)) return 'status';
  if (contains(l.layers, x, y)) return 'layers';
  if (contains(l.side, x, y)) return 'side';
  if (contains(l.tree, x, y)) return 'tree';
  return 'none';
}
