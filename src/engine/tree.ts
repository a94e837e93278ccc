/**
 * The layered file tree. One node per distinct path ever seen, each holding its history across
 * layers (its versions, at most one per layer). The tree "as of layer L" is not
 * copied: a node exists at L when its last version at or below L is not a removal. Removing a
 * directory records a removal on every descendant that was alive, so each node answers on its own.
 *
 * Memory therefore grows with distinct paths plus changes, not with layers × entries (dive keeps
 * two full copies of the tree per layer).
 */
import { MAX_SYMLINK_HOPS, MAX_UNPACK_NOTES } from './limits.js';
import { NameTable } from './names.js';
import { splitPath } from './paths.js';
import { SegmentedList } from './segmented-list.js';
import type { ChangeKind, EntryAttrs, UnpackNote, UnpackProblem, Version } from './types.js';
import { StoredVersion, UNPLACED, VersionStore } from './version-store.js';

const NO_VERSIONS: readonly Version[] = Object.freeze([]);

/** Directories one layer's application remembers by path (FileTree.dirNodes). */
const MAX_DIR_NODES = 1 << 16;

/**
 * A path of the tree. Made by newNode() only, never by `new`: see there.
 */
export class TreeNode {
  /** Children by name; null for nodes that never were a directory. */
  children: Map<string, TreeNode> | null = null;
  /**
   * The last version's slot in the tree's VersionStore, -1 before the first; the earlier ones are
   * chained through the store (VersionStore.below): a path holds no array and no version object.
   */
  private top = -1;

  private constructor(
    readonly name: string,
    readonly parent: TreeNode | null,
    /** The tree's versions (version-store.ts). */
    readonly store: VersionStore,
  ) {}

  get path(): string {
    if (!this.parent) return '/';
    const parts: string[] = [];
    for (let n: TreeNode | null = this; n && n.parent; n = n.parent) parts.push(n.name);
    return '/' + parts.reverse().join('/');
  }

  /** This path's history, oldest first (views: made on each call). */
  get versions(): readonly Version[] {
    if (this.top < 0) return NO_VERSIONS;
    const out: Version[] = [];
    for (let i = this.top; i >= 0; i = this.store.below(i)) out.push(this.store.view(i));
    return out.reverse();
  }

  get versionCount(): number {
    let n = 0;
    for (let i = this.top; i >= 0; i = this.store.below(i)) n++;
    return n;
  }

  /**
   * This path's history as slots of its store, oldest first, written into `out` (a buffer the
   * caller reuses from node to node); returns how many. What `versions` gives without a view per
   * version: the checks' walks over every path with a history read the store's columns.
   */
  slotsInto(out: number[]): number {
    let n = 0;
    for (let i = this.top; i >= 0; i = this.store.below(i)) out[n++] = i;
    for (let a = 0, b = n - 1; a < b; a++, b--) {
      const t = out[a];
      out[a] = out[b];
      out[b] = t;
    }
    return n;
  }

  /** The slot of the version in force at `layer` (last one with layer ≤ `layer`), or -1. */
  indexAt(layer: number): number {
    const st = this.store;
    let i = this.top;
    while (i >= 0 && st.layer(i) > layer) i = st.below(i);
    return i;
  }

  /** The slot of the live (not removed) version at `layer`, or -1. */
  liveIndexAt(layer: number): number {
    const i = this.indexAt(layer);
    return i >= 0 && !this.store.isRemoved(i) ? i : -1;
  }

  /** The version in force at `layer` (last one with version.layer ≤ layer), if any. */
  versionAt(layer: number): Version | undefined {
    const i = this.indexAt(layer);
    return i < 0 ? undefined : this.store.view(i);
  }

  /** The slot of the version written by exactly this layer, or -1. */
  indexIn(layer: number): number {
    const i = this.indexAt(layer);
    return i >= 0 && this.store.layer(i) === layer ? i : -1;
  }

  /** The version written by exactly this layer, if any. */
  versionIn(layer: number): Version | undefined {
    const i = this.indexIn(layer);
    return i < 0 ? undefined : this.store.view(i);
  }

  /**
   * The change the layer `layer` made here, if it wrote this path (versionIn(layer)?.change
   * without a version view: walks over every node of a layer ask this).
   */
  changeIn(layer: number): ChangeKind | undefined {
    const i = this.indexIn(layer);
    return i < 0 ? undefined : this.store.change(i);
  }

  /** Bytes of the regular file this path is at `layer` (0 when it is none or removed). */
  fileBytesAt(layer: number): number {
    const i = this.liveIndexAt(layer);
    return i >= 0 && this.store.type(i) === 'file' ? this.store.size(i) : 0;
  }

  /** Live (not removed) version at `layer`. */
  liveAt(layer: number): Version | undefined {
    const i = this.liveIndexAt(layer);
    return i < 0 ? undefined : this.store.view(i);
  }

  /** Children alive at `layer` (unsorted). */
  *childrenAt(layer: number): Iterable<TreeNode> {
    if (!this.children) return;
    for (const c of this.children.values()) if (c.liveIndexAt(layer) >= 0) yield c;
  }

  /** The last version of this path in the whole image. */
  get last(): Version | undefined {
    return this.top < 0 ? undefined : this.store.view(this.top);
  }

  /** The last version's slot, or -1. */
  get lastIndex(): number {
    return this.top;
  }

  /** The version before the last one (the tree's same-layer merges judge against it). */
  get beforeLast(): Version | undefined {
    const i = this.top < 0 ? -1 : this.store.below(this.top);
    return i < 0 ? undefined : this.store.view(i);
  }

  /** @internal FileTree's edits: slot `i` becomes the last version. */
  pushVersion(i: number): void {
    this.store.setBelow(i, this.top);
    this.top = i;
  }

  /** @internal */
  replaceLast(i: number): void {
    this.store.setBelow(i, this.top < 0 ? -1 : this.store.below(this.top));
    this.top = i;
  }

  /** @internal */
  popVersion(): void {
    this.top = this.top < 0 ? -1 : this.store.below(this.top);
  }
}

/**
 * A new node, made as an object literal with TreeNode's prototype: V8 tracks where literals are
 * allocated and, once it sees that nearly all of one site's objects survive, allocates them in
 * the old generation directly. Objects made by `new` are not tracked so: each one was copied by
 * the scavenger twice, to the young generation's other half and then to the old (issue 16: on
 * the tiny-files image, with the tree's versions in columns, nodes were most of the ~160 MB the
 * scavenges copied). Same prototype, same fields in the same order: one shape for every node.
 */
function newNode(name: string, parent: TreeNode | null, store: VersionStore): TreeNode {
  return { __proto__: TreeNode.prototype, children: null, top: -1, name, parent, store } as unknown as TreeNode;
}

const ROOT_ATTRS: EntryAttrs = { type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0 };

/** Per-layer summary counters, filled while a layer is applied. */
export interface ChangeStats {
  added: number;
  modified: number;
  removed: number;
  /** Content bytes this layer adds (files added or modified). */
  addedBytes: number;
  /** Content bytes of lower files this layer removes or replaces. */
  removedBytes: number;
}

/**
 * A file a layer wrote and then, by a later entry of the same layer, replaced (its name twice in
 * the tar, a directory written over it) or removed (a file written over a directory above it: a
 * runtime removes the whole directory first). A runtime that unpacks the layer ends without it, so
 * no version of the tree is this copy; its bytes are still in the layer's blob, for anyone who
 * extracts the layer, so the checks that look at shipped bytes read these too (deleted and
 * overwritten files, secrets, wasted space).
 */
export interface InLayerCopy {
  node: TreeNode;
  version: Version;
  how: 'deleted' | 'overwritten';
}

/**
 * The bytes of an entry no runtime unpacks (an unknown tar type, a name above the root or past
 * PATH_MAX, a file under a path that is not a directory), kept where the content inspector
 * found something in them: in no file system, but in the layer for anyone who reads its tar.
 */
export interface RefusedCopy {
  /** The name it would be extracted at (`/`-led, `..` dropped, as GNU tar does). */
  path: string;
  version: Version;
  problem: UnpackProblem;
  tarType?: string;
}

export function emptyStats(): ChangeStats {
  return { added: 0, modified: 0, removed: 0, addedBytes: 0, removedBytes: 0 };
}

export class FileTree {
  /** Every version of the tree, in columns (version-store.ts); nodes name them by slot. */
  readonly versions = new VersionStore();
  readonly root = newNode('', null, this.versions);
  /**
   * Nodes changed by each layer, in the order the changes were made. (This and allNodes grow in
   * segments: as arrays, the copies left behind as they grew were tens of MB of old-generation
   * garbage on a two-million-path image; segmented-list.ts.)
   */
  readonly changesByLayer: SegmentedList<TreeNode>[] = [];
  /**
   * Every node, in creation order (nodes are never removed: a deleted path keeps its node and
   * history). Walks over the whole tree read this instead of recursing through children maps.
   */
  readonly allNodes = SegmentedList.of([this.root]);
  /**
   * Counts every change to the tree's versions: what a reader derives from the tree (findings'
   * node index) is still good while this has not moved.
   */
  edits = 0;
  /**
   * Files written and then replaced or removed within their own layer, in the order they were
   * superseded (see InLayerCopy; no honest layer has any, so a plain array).
   */
  readonly inLayerCopies: InLayerCopy[] = [];
  /** Refused entries whose bytes the inspector found something in (see RefusedCopy), in tar order. */
  readonly refusedCopies: RefusedCopy[] = [];
  /**
   * Hard links to a file their own layer wrote (Version.linkEntry), in tar order: a later entry
   * of the layer that replaces the file leaves the link with the copy (linkedVersion).
   */
  readonly ownLayerLinks: Array<{ node: TreeNode; version: Version }> = [];
  /** The layer being applied in slices, or -1 (see layerCount). */
  private applying = -1;
  /** Number of distinct paths. */
  get nodeCount(): number {
    return this.allNodes.length;
  }

  constructor() {
    this.root.children = new Map();
    // The root directory exists in every layer; it is never reported as a change.
    this.root.pushVersion(this.versions.addAttrs(ROOT_ATTRS, -1, 'added', undefined, undefined, -1, true));
  }

  /** Find a node by components; undefined when the path was never seen. */
  lookup(parts: readonly string[]): TreeNode | undefined {
    let n: TreeNode | undefined = this.root;
    for (const p of parts) {
      n = n.children?.get(p);
      if (!n) return undefined;
    }
    return n;
  }

  /**
   * The directories above `nodes` (the root included), each once: a walk that lists only what a
   * layer changed (inspect's layer changes) enters just these and keeps one entry per directory,
   * not one per node. (The explorer asks per kind of change: kinds-below.ts.)
   */
  static directoriesAbove(nodes: Iterable<TreeNode>): Set<TreeNode> {
    const dirs = new Set<TreeNode>();
    for (const node of nodes) for (let n = node.parent; n && !dirs.has(n); n = n.parent) dirs.add(n);
    return dirs;
  }

  lookupPath(path: string): TreeNode | undefined {
    return this.lookup(path.split('/').filter((p) => p !== ''));
  }

  /**
   * Number of layers applied so far. A layer being applied in slices (readers run between them)
   * does not count until its last slice: what is cached from it (a view's child lists, directory
   * sizes, change counters) would otherwise stay a part of the layer.
   */
  get layerCount(): number {
    return this.applying >= 0 ? this.applying : this.changesByLayer.length;
  }

  /** `layer` is being applied in slices (null: its last slice is in). */
  setApplying(layer: number | null): void {
    this.applying = layer ?? -1;
  }

  beginLayer(layer: number): void {
    while (this.changesByLayer.length <= layer) {
      this.changesByLayer.push(new SegmentedList<TreeNode>());
    }
  }

  /** Record slot `v` as `node`'s version in `layer`, merging with a version already written by this layer. */
  private record(node: TreeNode, layer: number, v: number): void {
    this.edits++;
    const st = this.versions;
    const lastV = node.lastIndex;
    if (lastV < 0 || st.layer(lastV) !== layer) {
      node.pushVersion(v);
      this.changesByLayer[layer].push(node);
      return;
    }
    // A second write in the same layer (whiteout/opaque first, then the layer's own entry; a file
    // turned into a parent directory; a duplicate tar member; a directory of this layer replaced).
    // The outcome is judged against the version below this layer. A file this layer wrote is no
    // longer in its file system, but still in its blob: kept aside (InLayerCopy).
    if (st.type(lastV) === 'file' && !st.isRemoved(lastV))
      this.inLayerCopies.push({ node, version: st.view(lastV), how: st.isRemoved(v) ? 'deleted' : 'overwritten' });
    const before = st.below(lastV);
    const existedBefore = before >= 0 && !st.isRemoved(before);
    if (st.isRemoved(v)) {
      if (!existedBefore) {
        node.popVersion(); // added and removed within one layer: as if never there
        const list = this.changesByLayer[layer];
        const i = list.lastIndexOf(node);
        if (i >= 0) list.removeAt(i);
        return;
      }
      v = st.copy(st, before, layer, 'removed', st.layer(before), -1);
    } else {
      st.setChange(v, existedBefore ? 'modified' : 'added');
      st.setPreviousLayer(v, existedBefore ? st.layer(before) : undefined);
    }
    node.replaceLast(v);
  }

  /** Counters for one layer's change set (computed on demand from the recorded versions). */
  stats(layer: number): ChangeStats {
    const s = emptyStats();
    const st = this.versions;
    for (const node of this.changesByLayer[layer] ?? []) {
      const v = node.indexAt(layer);
      if (v < 0 || st.layer(v) !== layer) continue;
      const change = st.change(v);
      const file = st.type(v) === 'file';
      if (change === 'added') s.added++;
      else if (change === 'modified') s.modified++;
      else s.removed++;
      if (change !== 'removed' && file) s.addedBytes += st.size(v);
      if (change === 'removed' && file) s.removedBytes += st.size(v);
      if (change === 'modified') {
        const prev = node.indexAt(layer - 1);
        if (prev >= 0 && st.type(prev) === 'file') s.removedBytes += st.size(prev);
      }
    }
    return s;
  }

  /**
   * Mark every live descendant of `node` (and `node` itself when `includeSelf`) removed in
   * `layer`. Whiteouts and opaque markers hide only what LOWER layers put there (the OCI image
   * spec; Docker's and containerd's unpack keep the paths the layer itself wrote); `own` removes
   * this layer's entries too: an entry written over a directory makes a runtime remove the whole
   * directory first (Docker's and containerd's unpack: RemoveAll unless both are directories).
   */
  removeSubtree(node: TreeNode, layer: number, includeSelf: boolean, own = false): void {
    // A directory gone: the remembered one may be it or below it (an entry written through a
    // symlink can replace a directory its own name does not pass through).
    this.forgetDirs();
    const st = this.versions;
    if (node.children) {
      for (const child of node.children.values()) {
        const live = child.liveIndexAt(layer);
        if (live >= 0 && (own || st.layer(live) < layer)) this.removeSubtree(child, layer, true, own);
      }
    }
    if (!includeSelf) return;
    const live = node.liveIndexAt(layer);
    if (live < 0 || (st.layer(live) === layer && !own)) return;
    this.record(node, layer, st.copy(st, live, layer, 'removed', st.layer(live), -1));
  }

  /**
   * Apply a whiteout of `parts` (the hidden path) in `layer`: only what lower layers put there.
   * Its parent is resolved as a runtime resolves it (through symlinks, within the root).
   */
  whiteout(parts: readonly string[], layer: number): void {
    this.forgetDirs();
    if (parts.length === 0) return;
    const parent = this.walk(parts, parts.length - 1, layer, 'find');
    const node = parent?.children?.get(parts[parts.length - 1]);
    if (!node) return;
    const live = node.liveIndexAt(layer);
    if (live < 0 || this.versions.layer(live) >= layer) return;
    this.removeSubtree(node, layer, true);
  }

  /**
   * The node `parts[0, end)` names at `layer`, resolved as a whiteout's is (symlinks followed
   * within the root; nothing created or noted); undefined when it leads nowhere.
   */
  resolve(parts: readonly string[], end: number, layer: number): TreeNode | undefined {
    if (end === 0) return this.root;
    const parent = this.walk(parts, end - 1, layer, 'quiet');
    return parent?.children?.get(parts[end - 1]);
  }

  /**
   * The node a process in a container of this image reads at absolute `path` as of `layer`
   * (open(2) inside its root): symlinks followed in every component, the last included, absolute
   * targets from the root, `..` never above the root, at most MAX_SYMLINK_HOPS of them. runc
   * reads /etc/passwd so, and dpkg its status file: a link at a well-known path (`/etc/passwd ->
   * /opt/users`) or a linked directory above it leads to what they really read. Undefined when
   * the path leads nowhere (missing, a loop, a file where a directory should be).
   */
  open(path: string, layer: number): TreeNode | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    return this.walk(parts, parts.length, layer, 'open');
  }

  /**
   * Directories `parts` in `layer`, made implicitly where missing, as a runtime makes an entry's
   * parents (symlinks followed, a file in the way noted): a PAX global header's path's.
   */
  ensureDirs(parts: readonly string[], layer: number): void {
    this.forgetDirs();
    this.walk(parts, parts.length, layer, 'create');
  }

  /** Apply an opaque marker on directory `parts` in `layer`: hide every lower child. */
  opaque(parts: readonly string[], layer: number): void {
    this.forgetDirs();
    const node = this.walk(parts, parts.length, layer, 'find');
    if (!node || node.liveIndexAt(layer) < 0) return;
    this.removeSubtree(node, layer, false);
  }

  /**
   * Apply one tar entry (not a whiteout) of `layer`, where a runtime writes it: its parent
   * directories resolved in the tree as it stands (symlinks followed within the root, missing
   * directories created). Returns undefined when a runtime would refuse it (noted).
   */
  put(parts: readonly string[], attrs: EntryAttrs, layer: number, content?: unknown, entry = -1): TreeNode | undefined {
    if (parts.length === 0) return this.root; // the root directory's own entry: attributes only
    const parent = this.parentOf(parts, layer);
    if (!parent) return undefined;
    const [src, j] = this.staged(attrs);
    return this.putIn(parent, parts[parts.length - 1], src, j, layer, content, entry, false);
  }

  /**
   * `attrs` as a slot: a view's own, or a new slot of this tree's, not placed yet, that putIn
   * then takes as the version instead of copying it.
   */
  private staged(attrs: EntryAttrs): [VersionStore, number] {
    if (attrs instanceof StoredVersion) return [attrs.store, attrs.index];
    return [this.versions, this.versions.addAttrs(attrs, UNPLACED, 'added', undefined, undefined, -1)];
  }

  /**
   * The last directory put() reached through directories only (no symlink on the way) in `layer`,
   * by its path: tars list a directory's files together, so the next entry is most often another
   * child of it, which then needs neither its path split nor its parents walked again (a million
   * small files: ~10% of applying a layer). Valid while the layer's entries are applied until a
   * directory is replaced or removed (removeSubtree forgets it): only that can change what its
   * path leads to. The entry that does it need not name the path: one written through a symlink
   * (`a/b/c -> ..`, then `a/b/c/b`) replaces `a/b` by a name that does not pass through it.
   */
  private readonly lastDir = { layer: -2, path: '', node: this.root };

  /**
   * Every directory so reached in lastDir's layer, by path (bounded by MAX_DIR_NODES, then begun
   * again), valid as lastDir is and forgotten with it: a tar that goes back and forth between
   * directories (files written round-robin into many) finds each one's node again here. The
   * layer parser hands each run directory over as one string, whose hash V8 keeps with it.
   */
  private readonly dirNodes = new Map<string, TreeNode>();

  /** A directory was replaced or removed: what a remembered path leads to may have changed. */
  private forgetDirs(): void {
    this.lastDir.layer = -2;
    // (Cleared only when it holds something: clear() makes a new table each time, and a subtree
    // removed whole asks once per node: 106 ms of one layer of the ML-shaped image.)
    if (this.dirNodes.size !== 0) this.dirNodes.clear();
  }

  /** put() for a path given as one cleaned string (`usr/lib/x.so`, no leading `/`; `''`: the root). */
  putPath(path: string, attrs: EntryAttrs, layer: number, content?: unknown, entry = -1): TreeNode | undefined {
    if (path.length === 0) return this.root;
    const cut = path.lastIndexOf('/');
    return this.putAt(cut < 0 ? '' : path.slice(0, cut), path.slice(cut + 1), attrs, layer, content, entry);
  }

  /**
   * put() for an entry named `name` in the directory `dir` (a cleaned path, `''` for the root;
   * `name` one component). The layer parser hands entries over this way: a run of entries in one
   * directory shares one `dir` string, so a waiting layer keeps no full path per entry (issue 16:
   * those strings were a third of the garbage a million-file load left in the old generation).
   * `owned`: `name` came through NameTable.own() already (the layer parser's items: names.ts; the
   * load's table, or another image's for a layer two share).
   */
  putAt(
    dir: string,
    name: string,
    attrs: EntryAttrs,
    layer: number,
    content?: unknown,
    entry = -1,
    owned = false,
  ): TreeNode | undefined {
    const [src, j] = this.staged(attrs);
    return this.putSlotAt(dir, name, src, j, layer, content, entry, owned);
  }

  /**
   * putAt() for the attributes in slot `j` of `src` (the layer parser's store: ParsedLayer.versions),
   * copied into this tree's store: no object per entry on the way.
   */
  putSlotAt(
    dir: string,
    name: string,
    src: VersionStore,
    j: number,
    layer: number,
    content: unknown,
    entry: number,
    owned: boolean,
  ): TreeNode | undefined {
    const d = this.lastDir;
    if (d.layer === layer) {
      if (d.path === dir) return this.putIn(d.node, name, src, j, layer, content, entry, owned);
      const known = this.dirNodes.get(dir);
      if (known) {
        d.path = dir;
        d.node = known;
        return this.putIn(known, name, src, j, layer, content, entry, owned);
      }
    } else this.dirNodes.clear();
    const parts = splitPath(dir);
    parts.push(name);
    const parent = this.parentOf(parts, layer);
    if (!parent) return undefined;
    if (this.plainWalk) {
      d.layer = layer;
      d.path = dir;
      d.node = parent;
      if (this.dirNodes.size >= MAX_DIR_NODES) this.dirNodes.clear();
      this.dirNodes.set(dir, parent);
    }
    return this.putIn(parent, name, src, j, layer, content, entry, owned);
  }

  /** Set by parentOf: the parents were all directories (no symlink followed, nothing noted). */
  private plainWalk = false;

  /** The directory an entry at `parts` is written into, created as needed; undefined when refused. */
  private parentOf(parts: readonly string[], layer: number): TreeNode | undefined {
    const depth = parts.length - 1;
    let parent = this.root;
    this.plainWalk = true;
    const st = this.versions;
    for (let i = 0; i < depth; i++) {
      const child = parent.children!.get(parts[i]);
      const live = child ? child.liveIndexAt(layer) : -1;
      if (live >= 0 && st.isDir(live)) parent = child!;
      else if (live < 0) parent = this.implicitDir(parent, parts[i], child, layer);
      else {
        // A symlink (or something that is no directory) on the way: the careful walk from here.
        this.plainWalk = false;
        return this.walk(parts, depth, layer, 'create', parent, i);
      }
    }
    return parent;
  }

  /** Write the entry `name`, slot `j` of `src`, into directory `parent` (put's second half). */
  private putIn(
    parent: TreeNode,
    name: string,
    src: VersionStore,
    j: number,
    layer: number,
    content: unknown,
    entry: number,
    owned: boolean,
  ): TreeNode | undefined {
    const st = this.versions;
    const type = src.type(j);
    if (type === 'hardlink') this.resolveLinkTarget(src, j, layer);
    let node = parent.children!.get(name);
    if (!node) node = this.addChild(parent, name, owned);
    const live = node.liveIndexAt(layer);
    const copies = this.inLayerCopies.length;
    // The layer wrote this path before (its name again, or another name that leads there): noted
    // whatever the type (a file's first copy is also kept aside: InLayerCopy).
    const again = live >= 0 && st.layer(live) === layer && !st.implicit(live);
    if (live >= 0 && type === 'dir' && st.isDir(live)) {
      const same = st.layer(live) !== layer && sameDirAttrs(st, live, src, j);
      if (same) return node; // a parent directory entry repeated in this layer: not a change
      if (st.layer(live) === layer && st.implicit(live)) {
        // The real entry for a directory created implicitly earlier in this layer.
        this.edits++;
        node.replaceLast(this.place(src, j, layer, st.change(live), st.previousLayer(live), undefined, entry));
        return node;
      }
    } else if (live >= 0 && st.isDir(live)) {
      // Anything but a directory over a directory replaces it: the whole subtree goes, what this
      // layer wrote into it included.
      this.removeSubtree(node, layer, false, true);
    }
    if (type === 'dir' && !node.children) node.children = new Map();
    const change: ChangeKind = live >= 0 ? 'modified' : 'added';
    const version = this.place(src, j, layer, change, live >= 0 ? st.layer(live) : undefined, content, entry);
    this.record(node, layer, version);
    if (st.rareOf(version)?.linkEntry !== undefined) this.ownLayerLinks.push({ node, version: st.view(version) });
    if (again || this.inLayerCopies.length !== copies) this.noteRewrite(node, layer, copies, entry, again);
    return node;
  }

  /**
   * Slot `j` of `src` as a version of this tree in `layer`: taken as it is when it is a slot of
   * this tree's that no node holds yet (staged, or written by the layer parser into this tree's
   * store: ParseOptions.versions), copied otherwise (a parser's store of its own; a layer applied
   * to two trees in a comparison, or twice as identical layers).
   */
  private place(
    src: VersionStore,
    j: number,
    layer: number,
    change: ChangeKind,
    previousLayer: number | undefined,
    content: unknown,
    entry: number,
  ): number {
    const st = this.versions;
    let i = j;
    if (src === st && st.layer(j) === UNPLACED) {
      st.setLayer(i, layer);
      st.setChange(i, change);
      st.setPreviousLayer(i, previousLayer);
      st.setEntry(i, entry);
    } else i = st.copy(src, j, layer, change, previousLayer, entry); // (placed by the copy)
    // (The copy took the source's result; most callers pass that same one.)
    if (st.content(i) !== content) st.setContent(i, content);
    return i;
  }

  /**
   * Note the entry at `node` that superseded what its layer wrote: the files from
   * `inLayerCopies[from]` on, and the path itself when `duplicate` (the layer wrote it before).
   */
  private noteRewrite(node: TreeNode, layer: number, from: number, entry: number, duplicate: boolean): void {
    const path = node.path;
    this.note({
      layer,
      problem: 'rewritten',
      name: cutName(path.slice(1)),
      path,
      files: this.inLayerCopies.length - from,
      entry,
      ...(duplicate ? { duplicate } : {}),
    });
  }

  /** Entries a runtime refuses or writes elsewhere, per layer in tar order (see UnpackNote). */
  readonly unpackNotes: UnpackNote[] = [];
  /** Notes beyond MAX_UNPACK_NOTES per layer and problem: counted only, by `layer:problem`. */
  readonly unpackOverflow = new Map<string, number>();
  private readonly noteCounts = new Map<string, number>();

  /**
   * Keep a refused entry's inspected bytes (see RefusedCopy): `attrs` with the inspector's result
   * `content`, `problem` why no runtime unpacks it (undefined: the last problem noted, the walk to
   * its directory's).
   */
  keepRefused(
    path: string,
    attrs: EntryAttrs,
    layer: number,
    content: unknown,
    entry: number,
    problem: UnpackProblem | undefined,
    tarType?: string,
  ): void {
    if (content === undefined) return;
    const version = this.versions.view(this.versions.addAttrs(attrs, layer, 'added', undefined, content, entry));
    const copy: RefusedCopy = { path: '/' + path, version, problem: problem ?? this.lastProblem };
    if (tarType !== undefined) copy.tarType = tarType;
    this.refusedCopies.push(copy);
  }

  /** The problem of the last note (counted past MAX_UNPACK_NOTES too). */
  private lastProblem: UnpackProblem = 'not-a-directory';

  /** Record an unpack note (kept up to MAX_UNPACK_NOTES per layer and problem, then counted). */
  note(n: UnpackNote): void {
    this.lastProblem = n.problem;
    const key = `${n.layer}:${n.problem}`;
    const count = (this.noteCounts.get(key) ?? 0) + 1;
    this.noteCounts.set(key, count);
    if (count <= MAX_UNPACK_NOTES) this.unpackNotes.push(n);
    else this.unpackOverflow.set(key, count - MAX_UNPACK_NOTES);
  }

  /** Node names, each distinct one stored once (names.ts); the layer parser uses it too. */
  readonly names = new NameTable();

  /**
   * A new node `name` under `parent` (which has none of that name); `owned`: see putAt.
   */
  private addChild(parent: TreeNode, name: string, owned = false): TreeNode {
    const own = owned ? this.names.shareOwn(name) : this.names.intern(name);
    const node = newNode(own, parent, this.versions);
    parent.children!.set(own, node);
    this.allNodes.push(node);
    return node;
  }

  /** The child `name` of `parent` as a directory in `layer`, added implicitly (a parent the tar did not list). */
  private implicitDir(parent: TreeNode, name: string, child: TreeNode | undefined, layer: number): TreeNode {
    child ??= this.addChild(parent, name);
    this.record(child, layer, this.versions.addAttrs(ROOT_ATTRS, layer, 'added', undefined, undefined, -1, true));
    if (!child.children) child.children = new Map();
    return child;
  }

  /**
   * The directory `parts[0, end)` at `layer`, walked as a runtime walks it (containerd's scoped
   * path resolution; Docker unpacks in a chroot, to the same effect): a symlink is followed, an
   * absolute target from the root, `..` never above the root, at most MAX_SYMLINK_HOPS of them.
   * Starts at `from`, the directory reached by `parts[0, start)`. `mode`:
   * - 'create': a missing directory is created implicitly (an entry's parents); a symlink
   *   followed, a loop and a parent that is not a directory are noted (undefined for the last two);
   * - 'find': nothing is created: a missing directory ends the walk (a whiteout's or an opaque
   *   marker's directory: nothing there to hide); a symlink followed and a loop are noted;
   * - 'quiet': as 'find', noting nothing (a hardlink's target);
   * - 'open': as 'quiet', and the last component may be a file (open(2) of a path: see open()).
   */
  private walk(
    parts: readonly string[],
    end: number,
    layer: number,
    mode: 'create' | 'find' | 'quiet' | 'open',
    from: TreeNode = this.root,
    start = 0,
  ): TreeNode | undefined {
    const todo: string[] = []; // components left, the next one last
    for (let k = end - 1; k >= start; k--) todo.push(parts[k]);
    let cur = from;
    let hops = 0;
    let via: TreeNode | undefined;
    let viaTarget = '';
    const note = (problem: UnpackProblem, path?: string): void => {
      if (mode === 'quiet' || mode === 'open') return;
      this.note({
        layer,
        problem,
        name: cutName(parts.join('/')),
        ...(path !== undefined ? { path } : {}),
        ...(via ? { symlink: via.path, symlinkTarget: viaTarget } : {}),
        ...(mode === 'find' ? { whiteout: true } : {}),
      });
    };
    while (todo.length) {
      const name = todo.pop()!;
      if (name === '..') {
        cur = cur.parent ?? this.root;
        continue;
      }
      if (name === '' || name === '.') continue;
      const child = cur.children?.get(name);
      const li = child ? child.liveIndexAt(layer) : -1;
      const type = li >= 0 ? this.versions.type(li) : undefined;
      const live = li >= 0;
      if (type === 'dir') {
        cur = child!;
        continue;
      }
      if (type === 'symlink') {
        const target = this.versions.linkTarget(li) ?? '';
        if (!via) {
          via = child;
          viaTarget = target;
        }
        if (++hops > MAX_SYMLINK_HOPS) return (note('symlink-loop'), undefined);
        const tparts = target.split('/');
        for (let k = tparts.length - 1; k >= 0; k--) todo.push(tparts[k]);
        if (target.charCodeAt(0) === 47) cur = this.root;
        continue;
      }
      // The last component of an open(): the file itself (symlinks before it were followed).
      if (mode === 'open' && live && todo.length === 0) return child;
      if (mode !== 'create') return undefined;
      if (live) return (note('not-a-directory', child!.path), undefined);
      cur = this.implicitDir(cur, name, child, layer);
    }
    if (via) {
      const dir = cur === this.root ? '' : cur.path;
      note('through-symlink', end === parts.length ? dir || '/' : `${dir}/${parts[end]}`);
    }
    return cur;
  }

  /**
   * A hardlink's target is an archive path: resolved like a parent path (symlinks in its
   * directories followed; the last component is the file itself), so it names the node the tree
   * holds. Left as written when it leads nowhere.
   */
  private resolveLinkTarget(src: VersionStore, j: number, layer: number): void {
    const target = src.linkTarget(j);
    if (!target) return;
    const parts = target.split('/').filter((p) => p !== '');
    if (parts.length === 0) return;
    const dir = this.walk(parts, parts.length - 1, layer, 'quiet');
    if (!dir) return;
    const path = (dir === this.root ? '' : dir.path) + '/' + parts[parts.length - 1];
    if (path !== target) src.setRare(j, 'linkTarget', path);
    // The file the link is made to, when this layer wrote it: a later entry of the layer may
    // replace it, and the link keeps these bytes (see linkedVersion).
    // (Set or cleared here: a comparison applies one layer's attributes to two trees.)
    const st = this.versions;
    const tv = dir.children?.get(parts[parts.length - 1])?.liveIndexAt(layer) ?? -1;
    if (tv >= 0 && st.type(tv) === 'file' && st.layer(tv) === layer && st.entry(tv) >= 0)
      src.setRare(j, 'linkEntry', st.entry(tv));
    else if (src.rareOf(j)?.linkEntry !== undefined) src.setRare(j, 'linkEntry', undefined);
  }

  /**
   * The file version a hardlink's bytes are, as a runtime links it: its target's version at the
   * link's layer, or, when a later entry of that layer replaced the target, the copy the link was
   * made to (an InLayerCopy). Undefined when the target is not a file there.
   */
  linkedVersion(link: Version): { node: TreeNode; version: Version } | undefined {
    if (!link.linkTarget) return undefined;
    const node = this.lookupPath(link.linkTarget);
    if (!node) return undefined;
    const now = node.versionAt(link.layer);
    if (link.linkEntry !== undefined && now?.entry !== link.linkEntry) {
      const copy = this.inLayerCopies.find((c) => c.node === node && c.version.entry === link.linkEntry);
      if (copy) return { node, version: copy.version };
    }
    return now && now.change !== 'removed' && now.type === 'file' ? { node, version: now } : undefined;
  }
}

/** A name as a note keeps it: at most 256 characters. */
export function cutName(name: string): string {
  return name.length > 256 ? name.slice(0, 255) + '…' : name;
}

/** Whether two directory versions (slots of two stores) are the same directory to a runtime. */
function sameDirAttrs(a: VersionStore, i: number, b: VersionStore, j: number): boolean {
  if (a.mode(i) !== b.mode(j) || a.uid(i) !== b.uid(j) || a.gid(i) !== b.gid(j)) return false;
  const axs = a.rareOf(i)?.xattrs;
  const bxs = b.rareOf(j)?.xattrs;
  const ax = axs ? Object.keys(axs) : [];
  const bx = bxs ? Object.keys(bxs) : [];
  if (ax.length !== bx.length) return false;
  for (const k of ax) if (axs![k] !== bxs?.[k]) return false;
  return true;
}
