/**
 * The file tree panel's view model: which rows are visible for the selected layer, where the
 * cursor is, which window of rows is on screen. Pure TypeScript, no React.
 *
 * Nothing here flattens the whole tree. The cursor and the first on-screen row are NODES; moving
 * walks the tree in preorder (next/previous visible node) using per-directory child lists that are
 * built and sorted the first time a directory is entered, and cached per view configuration
 * (layer, mode, sort, filter, kinds). A keypress therefore costs O(rows on screen × depth), not
 * O(files). A text filter needs one pass over the paths of the layer, once per filter text; the
 * changes mode and hidden kinds need one pass over the layer's changes, once per layer
 * (engine/kinds-below.ts).
 *
 * Layers are applied by the engine in order and never change afterwards, so a cache built for
 * layer L stays valid while later layers stream in. (A layer being applied in slices is not
 * ready until its last slice: FileTree.layerCount.)
 */
import {
  BELOW_ADDED,
  BELOW_MODIFIED,
  BELOW_REMOVED,
  BELOW_UNMODIFIED,
  kindsBelowSteps,
} from '../engine/kinds-below.js';
import type { FileTree, TreeNode } from '../engine/tree.js';
import { drain, type Steps } from '../engine/steps.js';
import type { Version } from '../engine/types.js';
import { runFor } from './background.js';
import { SizeIndex } from './sizes.js';
import { sameVersion } from '../engine/version-store.js';

export type TreeMode = 'changes' | 'aggregated';
export type SortKey = 'name' | 'size';
export type RowChange = 'added' | 'modified' | 'removed' | 'unmodified';
export const ROW_CHANGES: readonly RowChange[] = ['added', 'modified', 'removed', 'unmodified'];
export type KindFilter = Record<RowChange, boolean>;

export interface TreeRow {
  node: TreeNode;
  depth: number;
  /** Tree guide drawn before the name ("│  ├─ "). */
  guides: string;
  version: Version;
  change: RowChange;
  isDir: boolean;
  expanded: boolean;
  hasChildren: boolean;
  /** File bytes, or the directory's bytes (aggregated: as of the layer; changes: written by it). */
  size: number;
  /** For modified/removed rows: the layer whose version this one replaced or removed. */
  fromLayer?: number;
  /** This version is deleted or overwritten by a later layer (still shipped in this one). */
  hiddenBy?: { layer: number; how: 'deleted' | 'overwritten' };
  /** The row only gives context (an ancestor of a change or a match). */
  context: boolean;
  selected: boolean;
}

/**
 * Whether a path passes the filter. `component`, when set, decides the same from one path
 * component at a time (a path passes when one of its components does): plain text without a
 * slash, so a walk over two million paths needs no path strings.
 */
export type PathMatcher = ((path: string) => boolean) & { component?: (name: string) => boolean };

/**
 * Parse filter text. A regex only when the whole text is wrapped in slashes (`/\.ya?ml$/`);
 * anything else is plain text matched anywhere in the path (`/etc/passwd` is text). Both are
 * case-insensitive unless they hold a capital letter (smart case, as in less and ripgrep).
 * A bad regex leaves the view unfiltered and says why in plain words.
 */
export function parseFilter(text: string): { match: PathMatcher | null; regex: boolean; error?: string } {
  if (text === '') return { match: null, regex: false };
  const re = /^\/(.+)\/$/s.exec(text);
  if (re && !/^\/+$/.test(text)) {
    const body = re[1];
    const caseless = !/(?<!\\)[A-Z]/.test(body.replace(/\\./g, ''));
    try {
      // Caseless by matching the path in lower case, not with the `i` flag: V8's linear-time
      // engine, which takes over a regex that backtracks too long (cli/v8-tuning.ts: a name
      // the image chose can make `/a.*b.*c/` take seconds), does not run `i`.
      const rx = new RegExp(body);
      return { match: caseless ? (p) => rx.test(p.toLowerCase()) : (p) => rx.test(p), regex: true };
    } catch (err) {
      const why = (err as Error).message.split(': ').pop()?.toLowerCase() ?? 'invalid';
      return {
        match: null,
        regex: true,
        error: `not a valid regex: ${why}; without /…/ it is text`,
      };
    }
  }
  const caseless = text === text.toLowerCase();
  const has = caseless ? (s: string) => s.toLowerCase().includes(text) : (s: string) => s.includes(text);
  const match: PathMatcher = (p) => has(p);
  if (!text.includes('/')) match.component = has;
  return { match, regex: false };
}

/** Which directories are collapsed: a default plus the exceptions to it. */
export class CollapseState {
  defaultCollapsed = false;
  readonly toggled = new Set<TreeNode>();

  isCollapsed(n: TreeNode): boolean {
    return this.toggled.has(n) !== this.defaultCollapsed;
  }

  set(n: TreeNode, collapsed: boolean): void {
    if (collapsed === this.defaultCollapsed) this.toggled.delete(n);
    else this.toggled.add(n);
  }

  all(collapsed: boolean): void {
    this.defaultCollapsed = collapsed;
    this.toggled.clear();
  }
}

/**
 * Nodes a text filter's walk visits between two yields of a build in slices (~0.25 ms at the
 * ~120 ns a node of a plain-text filter over two million paths; a /regex/ costs ~2× that).
 */
const FILTER_STEP = 2048;
/**
 * The same for a walk that tests whole paths (a `/regex/`, text with a slash): a test can cost
 * milliseconds on a long name the image chose, so the budget is looked at every 16.
 */
const PATH_STEP = 16;

/** A view of a big tree is built where it is asked for when this is enough, else in slices. */
const FIRST_SLICE_MS = 2;

/** A text filter's view built a slice at a time (TreeView.prepareFilter). */
export interface FilterBuild {
  /** Build for about `budgetMs` (at least one step); true once the view is built and cached. */
  step(budgetMs: number): boolean;
}

/** Child lists and positions for one view configuration. */
class ViewCache {
  readonly lists = new Map<TreeNode, TreeNode[]>();
  readonly index = new Map<TreeNode, number>();
  /** Restricted views: children that are visible, per directory (unsorted until first use). */
  keepChildren: Map<TreeNode, TreeNode[]> | null = null;
  /** Restricted views: nodes that pass on their own (the rest of `keep` is context). */
  passing: Set<TreeNode> | null = null;
  /**
   * Restricted views without a text filter, instead of the two above: whether a node is shown
   * (it passes, or holds something that does), whether a directory can hold a shown node (skips
   * listing the children of one that cannot), and whether a node passes on its own (its change in
   * the layer and its kind). Each is answered per node from the layer's kinds-below bits, so the
   * view holds nothing per node.
   */
  shows: ((n: TreeNode) => boolean) | null = null;
  opens: ((dir: TreeNode) => boolean) | null = null;
  passes: ((n: TreeNode) => boolean) | null = null;
  /** The rest of its build, while it is built in slices (TreeView.buildStep): no row shown until then. */
  building: Steps | null = null;
  constructor(readonly key: string) {}
}

/** In the aggregated view of `layer`: alive there, or removed by exactly that layer (shown as such). */
function inAggregatedAt(node: TreeNode, layer: number): boolean {
  const i = node.indexAt(layer);
  return i >= 0 && (!node.store.isRemoved(i) || node.store.layer(i) === layer);
}

const compareName = (a: TreeNode, b: TreeNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export interface TreeViewOptions {
  tree: FileTree;
  sizes?: SizeIndex;
}

export class TreeView {
  readonly tree: FileTree;
  readonly sizes: SizeIndex;
  layer = 0;
  mode: TreeMode = 'aggregated';
  sort: SortKey = 'name';
  kinds: KindFilter = { added: true, modified: true, removed: true, unmodified: true };
  filterText = '';
  filterError?: string;
  /** The filter text is a /regex/ (else plain text). */
  filterIsRegex = false;
  private matcher: PathMatcher | null = null;
  readonly collapse = new CollapseState();
  /** While a filter is active, collapsing is separate (and starts fully expanded). */
  private filterCollapse = new CollapseState();

  cursor: TreeNode | null = null;
  private top: TreeNode | null = null;
  /** Cursor row − top row. */
  private offset = 0;
  height = 20;

  private cache: ViewCache | null = null;
  private readonly caches = new Map<string, ViewCache>();
  /** The kinds-below bits of the last few layers viewed with kinds hidden or in the changes mode. */
  private readonly belowByLayer = new Map<number, Map<TreeNode, number>>();

  constructor(opts: TreeViewOptions) {
    this.tree = opts.tree;
    this.sizes = opts.sizes ?? new SizeIndex(opts.tree);
  }

  // ---- configuration -------------------------------------------------------------------------

  /** Is the selected layer in the tree yet? */
  get layerReady(): boolean {
    return this.layer < this.tree.layerCount;
  }

  setLayer(layer: number): void {
    this.layer = Math.max(0, layer);
    this.relocate();
  }

  setMode(mode: TreeMode): void {
    this.mode = mode;
    this.relocate();
  }

  toggleMode(): void {
    this.setMode(this.mode === 'changes' ? 'aggregated' : 'changes');
  }

  setSort(sort: SortKey): void {
    this.sort = sort;
    this.relocate();
  }

  toggleKind(kind: RowChange): void {
    this.kinds = { ...this.kinds, [kind]: !this.kinds[kind] };
    this.relocate();
  }

  /** Set the filter text; a bad regex leaves the view unfiltered and says why in filterError. */
  setFilter(text: string): void {
    if (text === this.filterText) return;
    const parsed = parseFilter(text);
    this.filterText = text;
    this.filterError = parsed.error;
    this.filterIsRegex = parsed.regex;
    this.matcher = parsed.match;
    this.filterCollapse = new CollapseState();
    this.relocate();
    // Land on the first match rather than on one of its ancestors.
    const passing = this.view().passing;
    if (this.matcher && passing && this.cursor && !passing.has(this.cursor)) {
      let n: TreeNode | null = this.first();
      for (let i = 0; n && i < 10_000 && !passing.has(n); i++) n = this.next(n);
      if (n) {
        this.cursor = n;
        this.relocate();
      }
    }
  }

  setHeight(h: number): void {
    this.height = Math.max(1, h);
    this.relocate();
  }

  /** Something outside changed (a layer arrived): re-check the cursor against the view. */
  refresh(): void {
    this.relocate();
  }

  get filtering(): boolean {
    return this.matcher !== null;
  }

  private get restricted(): boolean {
    return this.mode === 'changes' || this.matcher !== null || ROW_CHANGES.some((k) => !this.kinds[k]);
  }

  private get collapseState(): CollapseState {
    return this.matcher ? this.filterCollapse : this.collapse;
  }

  /** The view cache's key for the current configuration with `filter` as its filter text ('' for none). */
  private keyWith(filter: string): string {
    const k = this.kinds;
    return [
      this.layer,
      this.layerReady ? 1 : 0,
      this.mode,
      this.sort,
      filter,
      +k.added,
      +k.modified,
      +k.removed,
      +k.unmodified,
    ].join('\u0000');
  }

  private view(): ViewCache {
    // (Sizes as of the layer shown need the layers up to it folded in; the explorer folds the
    // rest in the background.)
    this.sizes.catchUp(Math.min(this.tree.layerCount, this.layer + 1));
    const key = this.keyWith(this.matcher ? this.filterText : '');
    if (this.cache?.key === key) return this.cache;
    let c = this.caches.get(key);
    if (!c) {
      c = new ViewCache(key);
      if (this.restricted && this.layerReady) {
        const steps = this.restrictedSteps(c, this.matcher);
        if (this.tree.nodeCount < this.buildInSlicesFrom) drain(steps);
        // A big tree: built here when that is quick (a view that needs no walk), else in slices.
        else if (!runFor(steps, this.firstSliceMs)) c.building = steps;
      }
      this.remember(c);
      this.cache = c;
      if (c.building) this.onBuilding();
    }
    this.cache = c;
    return c;
  }

  /**
   * From this many nodes in the tree, a view that needs a walk (a text filter's over the layer's
   * paths, or the first over its changes, for the changes view or hidden kinds) is built a slice at
   * a time (`buildStep`), not in the call that asks for it: the explorer sets it, as such a walk
   * of a layer of two million paths is 0.07–0.5 s. Such a view shows no row until it is built
   * (`building`); `onBuilding` says one began.
   */
  buildInSlicesFrom = Number.POSITIVE_INFINITY;
  /** How long such a view may take where it is asked for (a view that needs no walk is built there). */
  firstSliceMs = FIRST_SLICE_MS;
  onBuilding: () => void = () => {};

  /** The view on screen is being built in slices: it shows no row yet. */
  get building(): boolean {
    return this.view().building !== null;
  }

  /**
   * Build the view on screen for about `budgetMs` (at least one step); true once it is built (the
   * cursor then placed in it) or when it needs no building.
   */
  buildStep(budgetMs: number): boolean {
    const c = this.view();
    const steps = c.building;
    if (!steps) return true;
    if (!runFor(steps, budgetMs)) return false;
    c.building = null;
    this.relocate();
    return true;
  }

  private remember(c: ViewCache): void {
    this.caches.set(c.key, c);
    if (this.caches.size > 8) this.caches.delete(this.caches.keys().next().value!);
  }

  /**
   * The walk setFilter(`text`) would make, as a build in slices for a big tree (the explorer runs
   * one slice per turn of the event loop, so keys and frames go on meanwhile: a text filter over
   * two million paths is a 0.1–0.5 s walk). Undefined when the tree is not big
   * (`buildInSlicesFrom`) or setting it costs no walk: no filter, a bad regex, the layer not read
   * yet, or its view already cached. Once `step` returns true the view is cached, and
   * setFilter(`text`) finds it (as long as the layer, mode and kinds are the ones the build
   * started with: the build belongs to that configuration).
   */
  prepareFilter(text: string): FilterBuild | undefined {
    if (this.tree.nodeCount < this.buildInSlicesFrom) return undefined;
    const match = parseFilter(text).match;
    if (!match || !this.layerReady) return undefined;
    const key = this.keyWith(text);
    if (this.caches.has(key)) return undefined;
    const c = new ViewCache(key);
    const steps = this.restrictedSteps(c, match);
    return {
      step: (budgetMs: number): boolean => {
        if (!runFor(steps, budgetMs)) return false;
        this.remember(c);
        return true;
      },
    };
  }

  // ---- what is visible -----------------------------------------------------------------------

  /** The version a row shows for `node` in the current layer and mode. */
  displayVersion(node: TreeNode): Version | undefined {
    const L = this.layer;
    if (this.mode === 'changes') return node.versionIn(L) ?? node.versionAt(L);
    return node.versionAt(L);
  }

  changeOf(node: TreeNode): RowChange {
    return node.changeIn(this.layer) ?? 'unmodified';
  }

  /** In the aggregated view: alive at the layer, or removed by exactly this layer (shown as such). */
  private inAggregated(node: TreeNode): boolean {
    return inAggregatedAt(node, this.layer);
  }

  /** The layer's kinds-below bits, made (a slice at a time) once and kept for the last few layers. */
  private *kindsBelow(layer: number): Steps<Map<TreeNode, number>> {
    let below = this.belowByLayer.get(layer);
    if (!below) {
      below = new Map();
      yield* kindsBelowSteps(this.tree, layer, below);
      this.belowByLayer.set(layer, below);
      if (this.belowByLayer.size > 4) this.belowByLayer.delete(this.belowByLayer.keys().next().value!);
    }
    return below;
  }

  /**
   * Build a restricted view (`match`: its text filter, if any): run whole, or a slice at a time.
   * Yields every FILTER_STEP nodes of a text filter's walk, and while the layer's kinds-below bits
   * are made: the two long parts.
   */
  private *restrictedSteps(
    c: ViewCache,
    match: PathMatcher | null,
    // (Parameters: bound when the build is made, not when its first slice runs.)
    L = this.layer,
    kinds = this.kinds,
    mode = this.mode,
  ): Steps {
    const passesKind = (n: TreeNode) => kinds[n.changeIn(L) ?? 'unmodified'];
    const changedOnly = mode === 'changes' || !kinds.unmodified;
    if (!match) {
      // Decided node by node when asked, from the layer's kinds-below bits (one pass per layer,
      // kept while kinds are toggled): sets of every changed node and its ancestors took 1.4 s on
      // the key that opened the changes view of a layer of two million paths, and a walk of the
      // layer's filesystem per kind setting 60–100 ms.
      const below = yield* this.kindsBelow(L);
      const want =
        (kinds.added ? BELOW_ADDED : 0) | (kinds.modified ? BELOW_MODIFIED : 0) | (kinds.removed ? BELOW_REMOVED : 0);
      const holds = (n: TreeNode, bits: number) => ((below.get(n) ?? 0) & bits) !== 0;
      if (changedOnly) {
        // A node the layer wrote is always in its aggregated view (removed by exactly this layer
        // at worst), so the mode changes nothing here.
        const passes = (n: TreeNode) => {
          const change = n.changeIn(L);
          return !!change && kinds[change];
        };
        c.passes = passes;
        c.opens = (dir) => holds(dir, want);
        c.shows = (n) => holds(n, want) || passes(n);
      } else {
        // The aggregated view with unmodified paths shown and some kind of change hidden: a node
        // of a hidden kind stays as context when something below it is shown.
        const wantBelow = want | BELOW_UNMODIFIED;
        c.passes = (n) => inAggregatedAt(n, L) && passesKind(n);
        c.shows = (n) => inAggregatedAt(n, L) && (passesKind(n) || holds(n, wantBelow));
      }
      return;
    }
    // A text filter: the nodes that pass, and every ancestor as context, listed per directory.
    const keepChildren = new Map<TreeNode, TreeNode[]>();
    const passing = new Set<TreeNode>();
    const inKeep = new Set<TreeNode>();
    const root = this.tree.root;
    const keep = (n: TreeNode) => {
      passing.add(n);
      for (let x: TreeNode | null = n; x && x !== root && !inKeep.has(x); x = x.parent) {
        inKeep.add(x);
        let list = keepChildren.get(x.parent!);
        if (!list) keepChildren.set(x.parent!, (list = []));
        list.push(x);
      }
    };
    // (Loops and stacks, not recursion, below: a path may be tens of thousands of directories
    // deep where the path limit is raised.)
    const component = match.component;
    if (changedOnly) {
      // A directory's own answer is kept: its changed children ask for it again.
      const dirHit = new Map<TreeNode, boolean>();
      const climbed: TreeNode[] = [];
      const hitAbove = (dir: TreeNode): boolean => {
        let h = false;
        for (let x = dir; x !== root; x = x.parent!) {
          const known = dirHit.get(x);
          if (known !== undefined) {
            h = known;
            break;
          }
          climbed.push(x);
        }
        for (let x = climbed.pop(); x; x = climbed.pop()) dirHit.set(x, (h = h || component!(x.name)));
        return h;
      };
      const passes = component
        ? (n: TreeNode) => component(n.name) || hitAbove(n.parent!)
        : (n: TreeNode) => match(n.path);
      // (A node the layer wrote is in its aggregated view: the mode changes nothing here either.)
      let step = 0;
      for (const n of this.tree.changesByLayer[L] ?? []) {
        const change = n.changeIn(L);
        if (change && kinds[change] && passes(n)) keep(n);
        if (++step === FILTER_STEP) {
          step = 0;
          yield;
        }
      }
    } else if (component) {
      // One pass over the layer's filesystem, a component at a time: each directory waits with
      // whether it or a directory above it matched.
      const stack: Array<[TreeNode, boolean]> = [[root, false]];
      let step = 0;
      for (let top = stack.pop(); top; top = stack.pop()) {
        const [dir, above] = top;
        // (Yielding inside a directory too: one may hold millions of entries. A layer applied
        // meanwhile may add to its map: such entries are not in this layer's view.)
        for (const n of dir.children?.values() ?? []) {
          if (++step === FILTER_STEP) {
            step = 0;
            yield;
          }
          if (!inAggregatedAt(n, L)) continue;
          const h = above || component(n.name);
          if (h && passesKind(n)) keep(n);
          if (n.children) stack.push([n, h]);
        }
      }
    } else {
      // One pass over the layer's filesystem, building paths as we go.
      const stack: Array<[TreeNode, string]> = [[root, '/']];
      let step = 0;
      for (let top = stack.pop(); top; top = stack.pop()) {
        const [dir, dirPath] = top;
        for (const n of dir.children?.values() ?? []) {
          if (++step === PATH_STEP) {
            step = 0;
            yield;
          }
          if (!inAggregatedAt(n, L)) continue;
          const p = dirPath === '/' ? '/' + n.name : dirPath + '/' + n.name;
          if (passesKind(n) && match(p)) keep(n);
          if (n.children) stack.push([n, p]);
        }
      }
    }
    c.keepChildren = keepChildren;
    c.passing = passing;
  }

  /** Visible children of `dir` (ignoring collapse), sorted; cached per view. */
  children(dir: TreeNode): TreeNode[] {
    const c = this.view();
    if (c.building) return [];
    let list = c.lists.get(dir);
    if (list) return list;
    if (!this.layerReady) list = [];
    else if (c.keepChildren) list = (c.keepChildren.get(dir) ?? []).slice();
    else if (c.shows) {
      list = [];
      if (dir.children && (!c.opens || c.opens(dir)))
        for (const n of dir.children.values()) if (c.shows(n)) list.push(n);
    } else {
      list = [];
      if (dir.children) for (const n of dir.children.values()) if (this.inAggregated(n)) list.push(n);
    }
    this.sortList(list);
    list.forEach((n, i) => c.index.set(n, i));
    c.lists.set(dir, list);
    return list;
  }

  private sortList(list: TreeNode[]): void {
    if (this.sort === 'name') {
      list.sort(compareName);
      return;
    }
    const size = new Map<TreeNode, number>();
    for (const n of list) size.set(n, this.rowSize(n));
    list.sort((a, b) => size.get(b)! - size.get(a)! || compareName(a, b));
  }

  private rowSize(n: TreeNode): number {
    const v = this.displayVersion(n);
    if (!v) return 0;
    if (v.type !== 'dir') return v.type === 'file' ? v.size : 0;
    return this.mode === 'changes' ? this.sizes.changedBelow(n, this.layer) : this.sizes.sizeAt(n, v, this.layer);
  }

  isExpanded(n: TreeNode): boolean {
    return !this.collapseState.isCollapsed(n);
  }

  private isDirNode(n: TreeNode): boolean {
    const v = this.displayVersion(n);
    return v?.type === 'dir' || (!!n.children && this.children(n).length > 0);
  }

  /** Position of `n` in its parent's visible list, or -1. */
  private indexOf(n: TreeNode): number {
    if (!n.parent) return -1;
    const list = this.children(n.parent);
    const i = this.view().index.get(n);
    return i !== undefined && list[i] === n ? i : -1;
  }

  isVisible(n: TreeNode): boolean {
    const root = this.tree.root;
    if (n === root) return false;
    for (let c = n; c.parent; c = c.parent) {
      if (this.indexOf(c) < 0) return false;
      if (c.parent !== root && !this.isExpanded(c.parent)) return false;
    }
    return true;
  }

  first(): TreeNode | null {
    return this.children(this.tree.root)[0] ?? null;
  }

  last(): TreeNode | null {
    let list = this.children(this.tree.root);
    let n: TreeNode | null = list[list.length - 1] ?? null;
    while (n && this.isExpanded(n) && (list = this.children(n)).length) n = list[list.length - 1];
    return n;
  }

  /** Next visible node in preorder. */
  next(n: TreeNode): TreeNode | null {
    if (this.isExpanded(n)) {
      const kids = this.children(n);
      if (kids.length) return kids[0];
    }
    const root = this.tree.root;
    for (let c: TreeNode = n; c.parent; c = c.parent) {
      const list = this.children(c.parent);
      const i = this.indexOf(c);
      if (i >= 0 && i + 1 < list.length) return list[i + 1];
      if (c.parent === root) return null;
    }
    return null;
  }

  /** Previous visible node in preorder. */
  prev(n: TreeNode): TreeNode | null {
    if (!n.parent) return null;
    const i = this.indexOf(n);
    if (i > 0) {
      let m = this.children(n.parent)[i - 1];
      let kids: TreeNode[];
      while (this.isExpanded(m) && (kids = this.children(m)).length) m = kids[kids.length - 1];
      return m;
    }
    return n.parent === this.tree.root ? null : n.parent;
  }

  // ---- cursor and window ---------------------------------------------------------------------

  /** Re-establish cursor and window after anything that may change visibility. O(height × depth). */
  private relocate(): void {
    // (A view being built shows nothing yet: the cursor waits where it was, and is placed once
    // the view is built.)
    if (this.view().building) return;
    if (!this.cursor || !this.isVisible(this.cursor)) {
      let target: TreeNode | null = null;
      for (let a = this.cursor?.parent ?? null; a && a.parent; a = a.parent) {
        if (this.isVisible(a)) {
          target = a;
          break;
        }
      }
      this.cursor = target ?? this.first();
    }
    if (!this.cursor) {
      this.top = null;
      this.offset = 0;
      return;
    }
    const want = Math.min(this.offset, this.height - 1);
    let top = this.cursor;
    let k = 0;
    for (let p: TreeNode | null; k < want && (p = this.prev(top)); k++) top = p;
    // Fill the window: no blank rows at the bottom while rows exist above.
    let count = k + 1;
    for (let n: TreeNode | null = this.cursor; count < this.height && (n = this.next(n)); ) count++;
    for (let p: TreeNode | null; count < this.height && (p = this.prev(top)); count++, k++) top = p;
    this.top = top;
    this.offset = k;
  }

  down(steps = 1): void {
    if (!this.cursor) return;
    for (let s = 0; s < steps; s++) {
      const n = this.next(this.cursor);
      if (!n) break;
      this.cursor = n;
      if (this.offset + 1 >= this.height) this.top = this.top ? (this.next(this.top) ?? this.top) : n;
      else this.offset++;
    }
  }

  up(steps = 1): void {
    if (!this.cursor) return;
    for (let s = 0; s < steps; s++) {
      const p = this.prev(this.cursor);
      if (!p) break;
      this.cursor = p;
      if (this.offset === 0) this.top = p;
      else this.offset--;
    }
  }

  pageDown(): void {
    this.down(Math.max(1, this.height - 1));
  }

  pageUp(): void {
    this.up(Math.max(1, this.height - 1));
  }

  home(): void {
    this.cursor = this.first();
    this.top = this.cursor;
    this.offset = 0;
  }

  end(): void {
    this.cursor = this.last();
    this.offset = this.height - 1;
    this.relocate();
  }

  /** ← / h: collapse an expanded directory, else go to the parent. */
  left(): void {
    const c = this.cursor;
    if (!c) return;
    if (this.isDirNode(c) && this.isExpanded(c) && this.children(c).length) {
      this.collapseState.set(c, true);
      this.relocate();
    } else if (c.parent && c.parent !== this.tree.root) {
      this.select(c.parent);
    }
  }

  /** → / l: expand a collapsed directory, else step into it. */
  right(): void {
    const c = this.cursor;
    if (!c || !this.isDirNode(c)) return;
    if (!this.isExpanded(c)) {
      this.collapseState.set(c, false);
      this.relocate();
    } else if (this.children(c).length) this.down();
  }

  /** Space / Enter on a directory. */
  toggle(): void {
    const c = this.cursor;
    if (!c || !this.isDirNode(c)) return;
    this.collapseState.set(c, this.isExpanded(c));
    this.relocate();
  }

  collapseAll(): void {
    // Keep the cursor on its top-level ancestor so it stays in view.
    let c = this.cursor;
    while (c && c.parent && c.parent !== this.tree.root) c = c.parent;
    this.collapseState.all(true);
    if (c) this.cursor = c;
    this.relocate();
  }

  expandAll(): void {
    this.collapseState.all(false);
    this.relocate();
  }

  /**
   * Put the cursor on `node` (expanding its ancestors), placing it about a third down the window.
   * (A view still being built in slices is finished here: a jump needs its answer, and without it
   * `reveal` would clear a filter, kinds or mode that do show the node.)
   */
  select(node: TreeNode): boolean {
    const c = this.view();
    if (c.building) {
      drain(c.building);
      c.building = null;
    }
    for (let a = node.parent; a && a.parent; a = a.parent) this.collapseState.set(a, false);
    if (!this.isVisible(node)) return false;
    const wasVisibleOnScreen = this.visibleNodes().includes(node);
    this.cursor = node;
    if (!wasVisibleOnScreen) this.offset = Math.floor(this.height / 3);
    this.relocate();
    return true;
  }

  /**
   * Reveal `path` in `layer` for a finding or a search: expands ancestors, and when the current
   * filter, kinds or mode hide the path, clears them. Returns false when the path is not in the
   * layer at all.
   */
  reveal(path: string, layer: number): boolean {
    const node = this.tree.lookupPath(path);
    this.layer = layer;
    if (!node) {
      this.relocate();
      return false;
    }
    if (this.select(node)) return true;
    if (this.matcher) this.setFilter('');
    if (ROW_CHANGES.some((k) => !this.kinds[k]))
      this.kinds = { added: true, modified: true, removed: true, unmodified: true };
    if (this.select(node)) return true;
    if (this.mode === 'changes') this.mode = 'aggregated';
    if (this.select(node)) return true;
    this.relocate();
    return false;
  }

  private visibleNodes(): TreeNode[] {
    const out: TreeNode[] = [];
    for (let n = this.top, i = 0; n && i < this.height; n = this.next(n), i++) out.push(n);
    return out;
  }

  /** The rows on screen, top to bottom (at most `height`). */
  rows(): TreeRow[] {
    const c = this.view();
    const out: TreeRow[] = [];
    if (c.building) return out;
    for (const n of this.visibleNodes()) {
      const row = this.row(n, c);
      if (row) out.push(row);
    }
    return out;
  }

  /** 0-based position of the cursor in the window (for tests and mouse clicks). */
  get cursorRow(): number {
    return this.offset;
  }

  /** Move the cursor to the `i`-th row of the window (mouse click). */
  clickRow(i: number): void {
    const nodes = this.visibleNodes();
    if (i < 0 || i >= nodes.length) return;
    this.cursor = nodes[i];
    this.offset = i;
  }

  private row(n: TreeNode, c: ViewCache): TreeRow | undefined {
    const v = this.displayVersion(n);
    if (!v) return undefined;
    const root = this.tree.root;
    let depth = 0;
    let guides = '';
    for (let a: TreeNode = n; a.parent; a = a.parent) {
      const list = this.children(a.parent);
      const lastChild = this.indexOf(a) === list.length - 1;
      guides = (a === n ? (lastChild ? '└─ ' : '├─ ') : lastChild ? '   ' : '│  ') + guides;
      if (a.parent === root) break;
      depth++;
    }
    const change = this.changeOf(n);
    const isDir = v.type === 'dir' || (!!n.children && this.children(n).length > 0);
    const row: TreeRow = {
      node: n,
      depth,
      guides,
      version: v,
      change,
      isDir,
      expanded: this.isExpanded(n),
      hasChildren: isDir && this.children(n).length > 0,
      size: this.rowSize(n),
      context: c.passing ? !c.passing.has(n) : c.passes ? !c.passes(n) : false,
      selected: n === this.cursor,
    };
    if (change === 'modified' || change === 'removed') row.fromLayer = v.previousLayer;
    if (v.change !== 'removed' && v.type !== 'dir') {
      const vs = n.versions;
      const i = vs.findIndex((x) => sameVersion(x, v));
      const later = i >= 0 ? vs[i + 1] : undefined;
      if (later) row.hiddenBy = { layer: later.layer, how: later.change === 'removed' ? 'deleted' : 'overwritten' };
    }
    return row;
  }
}
