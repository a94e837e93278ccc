/** What the content inspector leaves on a version, and helpers to walk the tree for it. */
import type { FileTree, TreeNode } from '../engine/tree.js';
import type { Version } from '../engine/types.js';
import type { OsFileData } from './os/packages.js';
import type { PackageFileData } from './packages/types.js';
import type { SecretMatch } from './secrets/scanner.js';
import { drain, type Steps } from '../engine/steps.js';
import { sameVersion, type VersionStore, versionKey } from '../engine/version-store.js';

export interface InspectedContent {
  secrets?: SecretMatch[];
  os?: OsFileData;
  /** Packages a package file names (package.json, METADATA, a lockfile, a jar, a Go binary). */
  packages?: PackageFileData;
  /** Only the first bytes of the file were scanned. */
  truncated?: boolean;
}

/**
 * Copies their own layer superseded (FileTree.inLayerCopies) that a hard link still holds in the
 * final image, to the link's node: a runtime links the file that stood at the target when it
 * reached the link, so the copy's bytes are live at the link's path, not only in the blob.
 */
// (Once per tree as it stands: the secret, deleted-file and efficiency checks all ask.)
export const linkedCopies: (tree: FileTree) => LinkedCopies = perTreeEdit((tree) => {
  // (Keyed by versionKey: a tree's versions are views made on demand, one object per ask.)
  const out = new Map<number | Version, TreeNode>();
  const linked: LinkedCopies = { get: (v) => out.get(versionKey(v)), has: (v) => out.has(versionKey(v)) };
  if (!tree.inLayerCopies.length) return linked;
  const copies = new Set(tree.inLayerCopies.map((c) => versionKey(c.version)));
  const top = tree.layerCount - 1;
  for (const { node, version } of tree.ownLayerLinks) {
    if (!sameVersion(node.liveAt(top), version)) continue; // the link itself is gone, or replaced later
    const copy = tree.linkedVersion(version)?.version;
    const key = copy && versionKey(copy);
    if (key !== undefined && copies.has(key) && !out.has(key)) out.set(key, node);
  }
  return linked;
});

/** linkedCopies' answer: the link's node for a copy a hard link holds. */
export interface LinkedCopies {
  get(copy: Version): TreeNode | undefined;
  has(copy: Version): boolean;
}

/**
 * `build` asked once per tree as it stands: the answer is kept until the tree is edited again
 * (a layer applied). For what several checks ask of the same tree.
 */
export function perTreeEdit<T>(build: (tree: FileTree) => T): (tree: FileTree) => T {
  // biome-ignore lint/correctness/useYield: a build that never yields (one step), kept as a stepped one is
  return perTreeEditSteps(function* (tree) {
    return build(tree);
  }).get;
}

/**
 * perTreeEdit for work written as steps (engine/steps.ts): `steps(tree)` builds the answer a
 * step at a time (at once when it is kept), `get(tree)` runs them to the end. The explorer runs
 * the long walks of a big tree in slices between keys; a command asks `get`.
 */
export function perTreeEditSteps<T>(build: (tree: FileTree) => Steps<T>): {
  get(tree: FileTree): T;
  steps(tree: FileTree): Steps<T>;
} {
  const kept = new WeakMap<FileTree, { edits: number; value: T }>();
  function* steps(tree: FileTree): Steps<T> {
    const hit = kept.get(tree);
    if (hit && hit.edits === tree.edits) return hit.value;
    // (As the tree stood when the walk began: an edit meanwhile makes the next ask walk again.)
    const edits = tree.edits;
    const value = yield* build(tree);
    kept.set(tree, { edits, value });
    return value;
  }
  return { steps, get: (tree) => drain(steps(tree)) };
}

export function inspected(v: Version | undefined): InspectedContent | undefined {
  // A removal copies the attributes (and content result) of what it removed: not new content.
  if (!v || v.change === 'removed') return undefined;
  const c = v.content;
  return c && typeof c === 'object' ? (c as InspectedContent) : undefined;
}

/** inspected() of slot `s` of `st`, without a view (the walks over every path). */
export function inspectedAt(st: VersionStore, s: number): InspectedContent | undefined {
  if (st.isRemoved(s)) return undefined;
  const c = st.content(s);
  return c && typeof c === 'object' ? (c as InspectedContent) : undefined;
}

/**
 * The nodes each check needs, sorted out in ONE pass. On a 500k-file image a pass that reads each
 * node's versions costs ~45 ms (the nodes are spread over the heap: cache misses, not work), so
 * five checks each reading every node cost five times that.
 */
export interface NodeIndex {
  /** Nodes with two versions or more (deleted, replaced, re-added). */
  history: TreeNode[];
  /** Nodes with a version the content inspector left a result on (secrets, OS data). */
  inspected: TreeNode[];
  /**
   * Nodes whose version in the final image is a file or directory with setuid/setgid or
   * world-write bits, or xattrs (symlinks, always 0777, are not: ~1,100 on a Debian image).
   */
  permissionBits: TreeNode[];
  /** Bytes of regular files in single-version nodes (the efficiency total, minus `history`). */
  soleFileBytes: number;
  /** The part of `soleFileBytes` that layers above the first added (dive's "user" size, minus `history`). */
  soleUserFileBytes: number;
  /**
   * Nodes named like an admin panel the port check looks for (phpmyadmin, adminer…, manager,
   * jenkins.war), in any layer: it keeps those in the final image.
   */
  panelNames: TreeNode[];
}

/** The port check's panel names (ports.ts findPanels), tested on the first letter first. */
export function panelName(name: string): boolean {
  const c0 = name.charCodeAt(0) | 0x20;
  if (c0 !== 0x70 && c0 !== 0x61 && c0 !== 0x6d && c0 !== 0x6a) return false; // p a m j
  const low = name.toLowerCase();
  return low === 'phpmyadmin' || low.startsWith('adminer') || low === 'manager' || low === 'jenkins.war';
}

/** What the permissions check can report on: a file or directory with those bits or xattrs. */
function permissionRelevant(st: VersionStore, v: number): boolean {
  const type = st.type(v);
  return (type === 'file' || type === 'dir') && ((st.mode(v) & 0o6002) !== 0 || !!st.rareOf(v)?.xattrs);
}

let shared: { tree: FileTree; index: NodeIndex } | null = null;
/**
 * The index of each tree as of its last edit: the scan and the explorer ask for it from more than
 * one place (the vulnerability database is opened for the package inventory before the checks
 * run), and each walk of a large tree costs tens of milliseconds.
 */
const built = perTreeEditSteps(buildIndexSteps);

export function nodeIndex(tree: FileTree): NodeIndex {
  return shared?.tree === tree ? shared.index : built.get(tree);
}

/**
 * nodeIndex in steps (a step every INDEX_STEP nodes): at two million paths the walk takes
 * ~0.1–0.15 s, which the explorer runs between keys once the image is in.
 */
export function* nodeIndexSteps(tree: FileTree): Steps<NodeIndex> {
  if (shared?.tree === tree) return shared.index;
  return yield* built.steps(tree);
}

/** Nodes walked between two steps of a walk over every node (~0.3 ms of work here). */
export const INDEX_STEP = 4096;

function* buildIndexSteps(tree: FileTree): Steps<NodeIndex> {
  const top = tree.layerCount - 1;
  const idx: NodeIndex = {
    history: [],
    inspected: [],
    permissionBits: [],
    soleFileBytes: 0,
    soleUserFileBytes: 0,
    panelNames: [],
  };
  const all = tree.allNodes;
  for (let i = 0; i < all.length; i++) {
    if (i % INDEX_STEP === INDEX_STEP - 1) yield;
    const node = all.at(i);
    if (panelName(node.name)) idx.panelNames.push(node);
    // (From the store's columns, no version view and no count: this walks every node of the tree.)
    const v = node.lastIndex;
    if (v < 0) continue;
    const st = node.store;
    if (st.below(v) < 0) {
      if (st.isRemoved(v)) continue;
      const layer = st.layer(v);
      if (st.type(v) === 'file') {
        idx.soleFileBytes += st.size(v);
        if (layer > 0 && layer <= top) idx.soleUserFileBytes += st.size(v);
      }
      if (inspectedAt(st, v)) idx.inspected.push(node);
      if (layer <= top && permissionRelevant(st, v)) idx.permissionBits.push(node);
      continue;
    }
    idx.history.push(node);
    for (let s = v; s >= 0; s = st.below(s)) {
      if (inspectedAt(st, s)) {
        idx.inspected.push(node);
        break;
      }
    }
    const live = node.liveIndexAt(top);
    if (live >= 0 && permissionRelevant(st, live)) idx.permissionBits.push(node);
  }
  return idx;
}

/** Run `fn` with `index` as every nodeIndex(tree) inside it (the early checks pass a partial one). */
export function withNodeIndex<T>(tree: FileTree, index: NodeIndex, fn: () => T): T {
  const prev = shared;
  shared = { tree, index };
  try {
    return fn();
  } finally {
    shared = prev;
  }
}

/** The index of the last layer (the image as shipped). */
export function topLayer(tree: FileTree): number {
  return tree.layerCount - 1;
}

/** How a version stopped being visible: removed, or replaced by another version. */
export interface Fate {
  /** The layer of the version that ended it. */
  layer: number;
  how: 'deleted' | 'overwritten';
}

/**
 * Where the content of version `i` of `node` stopped being visible: the next version's layer and
 * whether it was a removal or a replacement. Undefined when it is still there in the final image.
 */
export function fateOf(node: TreeNode, i: number): Fate | undefined {
  const n = node.slotsInto(scratch);
  return i + 1 < n ? fateAbove(node.store, scratch[i + 1]) : undefined;
}
const scratch: number[] = [];

/** The fate of a version whose next version is slot `next` of `st`. */
export function fateAbove(st: VersionStore, next: number): Fate {
  return { layer: st.layer(next), how: st.isRemoved(next) ? 'deleted' : 'overwritten' };
}

/** How a file version was superseded (the efficiency check's causes of waste). */
export type Superseded = 'deleted' | 'overwritten' | 'metadata-only';

/**
 * What superseded file slot `v` of `st`, whose next version is slot `next`: a removal, another
 * file, or the same file written again (same size and mtime: a chmod or chown, the content not
 * new; the efficiency and the deleted-file checks judge alike).
 */
export function supersededBy(st: VersionStore, v: number, next: number): Superseded {
  return st.isRemoved(next)
    ? 'deleted'
    : st.type(next) === 'file' && st.size(next) === st.size(v) && st.mtime(next) === st.mtime(v)
      ? 'metadata-only'
      : 'overwritten';
}

/**
 * What tells apart the findings on copies of one path that their own layer superseded (a name
 * twice in a tar: InLayerCopy): the tar entry each came from, stable from run to run.
 */
export function inLayerKey(v: Version): string {
  return `in-layer:${v.entry}`;
}
