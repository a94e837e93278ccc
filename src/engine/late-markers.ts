/**
 * Whiteouts and opaque markers that come after entries of their own layer which they would
 * remove. The OCI image spec's markers hide only what lower layers put there, whatever their place
 * in the tar, and the tree applies them before the layer's entries (as go-containerregistry's
 * readers do). Docker and containerd apply each where it stands:
 * - a whiteout removes whatever is at its path, the layer's earlier entries included;
 * - an opaque marker removes every path under its directory that is not an entry the layer
 *   unpacked before it, so an earlier entry under a directory the layer did not list itself
 *   (created as a parent, or kept from a lower layer) goes with that directory.
 * The tree keeps the spec's reading; a layer the readings disagree on is noted (`rewritten`,
 * `whiteout`), checked against Docker in test/integration/same-layer.test.ts and
 * unpack-vs-docker.test.ts.
 *
 * Both passes run once per layer over its changes. The markers above an entry's directory are
 * looked up once per directory (kept for the pass, whatever order the tar lists its directories
 * in), so a layer of many markers over a large directory costs one pass, not a walk of the
 * directory per marker. The versions are read from the tree's store by slot: no version object
 * per entry.
 */
import type { Steps } from './steps.js';
import type { FileTree, TreeNode } from './tree.js';
import { cutName } from './tree.js';

/** A marker as the layer parser hands it over (its tar ordinal; none from hand-made records). */
export interface MarkerEntry {
  parts: readonly string[];
  ordinal?: number;
}

interface Marker {
  ordinal: number;
  parts: readonly string[];
  noted: boolean;
}

/** A marker above a directory, and what lies between the two (see chainAbove). */
interface Above {
  marker: Marker;
  at: TreeNode;
  /** A directory between them that the layer did not list. */
  unlisted: boolean;
  /** The latest ordinal of the directories between them that the layer listed (-1: none). */
  latest: number;
}

/** The markers by the node they name at `layer`, each node's latest one. */
function markersAt(
  tree: FileTree,
  entries: readonly MarkerEntry[],
  layer: number,
  dir: boolean,
): Map<TreeNode, Marker> {
  const at = new Map<TreeNode, Marker>();
  for (const e of entries) {
    if (e.ordinal === undefined || (!dir && e.parts.length === 0)) continue;
    const node = tree.resolve(e.parts, e.parts.length, layer);
    const had = node && at.get(node);
    if (node && (!had || had.ordinal < e.ordinal)) at.set(node, { ordinal: e.ordinal, parts: e.parts, noted: false });
  }
  return at;
}

/** No marker above a directory (shared: most directories have none). */
const NONE_ABOVE: readonly Above[] = Object.freeze([]);

/** The markers at `dir` and above it, each with what lies between it and `dir`'s entries. */
function chainAbove(
  tree: FileTree,
  dir: TreeNode | null,
  at: ReadonlyMap<TreeNode, Marker>,
  layer: number,
): readonly Above[] {
  let chain: Above[] | undefined;
  let unlisted = false;
  let latest = -1;
  for (let n = dir; n; n = n.parent) {
    const marker = at.get(n);
    if (marker) (chain ??= []).push({ marker, at: n, unlisted, latest });
    const entry = entryIn(tree, n, layer);
    if (entry < 0) unlisted = true;
    else if (entry > latest) latest = entry;
  }
  return chain ?? NONE_ABOVE;
}

/** The tar ordinal of the live entry `layer` wrote at `node`, or -1 (none, a removal, an implicit directory). */
function entryIn(tree: FileTree, node: TreeNode, layer: number): number {
  const st = tree.versions;
  const i = node.indexAt(layer);
  return i < 0 || st.layer(i) !== layer || st.isRemoved(i) ? -1 : st.entry(i);
}

/**
 * Call `visit` for each live entry `layer` wrote, with its tar ordinal and the markers above its
 * directory (each run of a directory's entries looks them up once).
 */
function* eachEntry(
  tree: FileTree,
  at: ReadonlyMap<TreeNode, Marker>,
  layer: number,
  visit: (node: TreeNode, entry: number, above: readonly Above[]) => void,
): Steps {
  const aboveDir = new Map<TreeNode | null, readonly Above[]>();
  const changes = tree.changesByLayer[layer];
  if (!changes) return;
  for (let i = 0; i < changes.length; i++) {
    if (i % MARKER_STEP === MARKER_STEP - 1) yield;
    const node = changes.at(i);
    const entry = entryIn(tree, node, layer);
    if (entry < 0) continue;
    const dir = node.parent;
    let above = aboveDir.get(dir);
    if (above === undefined) aboveDir.set(dir, (above = chainAbove(tree, dir, at, layer)));
    visit(node, entry, above);
  }
}

/**
 * A layer's changes looked at between two steps of a pass (the explorer applies a big layer in
 * slices: the two passes over a layer of 600k changes took ~0.14 s in one).
 */
const MARKER_STEP = 16_384;

/** Note `marker` (at `node`) once. */
function noteOnce(tree: FileTree, layer: number, marker: Marker, node: TreeNode, name: string, opaque: boolean): void {
  if (marker.noted) return;
  marker.noted = true;
  tree.note({
    layer,
    problem: 'rewritten',
    name: cutName(name),
    path: node.path,
    whiteout: true,
    ...(opaque ? { opaque } : {}),
  });
}

/** Note `layer`'s whiteouts that came after an entry of the layer at their path or under it. */
export function* noteLateWhiteouts(tree: FileTree, whiteouts: readonly MarkerEntry[], layer: number): Steps {
  const at = markersAt(tree, whiteouts, layer, false);
  if (at.size === 0) return;
  yield* eachEntry(tree, at, layer, (node, entry, above) => {
    const own = at.get(node);
    if (own && own.ordinal > entry) noteOnce(tree, layer, own, node, own.parts.join('/'), false);
    for (const a of above)
      if (a.marker.ordinal > entry) noteOnce(tree, layer, a.marker, a.at, a.marker.parts.join('/'), false);
  });
}

/** Note `layer`'s opaque markers that came after entries of the layer a runtime's marker removes. */
export function* noteLateOpaques(tree: FileTree, opaques: readonly MarkerEntry[], layer: number): Steps {
  const at = markersAt(tree, opaques, layer, true);
  if (at.size === 0) return;
  yield* eachEntry(tree, at, layer, (_node, entry, above) => {
    for (const a of above) {
      const o = a.marker;
      // Removed by the runtime's marker: written before it, under a directory the layer did not
      // list or listed only after the marker.
      if (o.ordinal > entry && (a.unlisted || a.latest > o.ordinal)) {
        const dir = o.parts.join('/');
        noteOnce(tree, layer, o, a.at, dir ? `${dir}/.wh..wh..opq` : '.wh..wh..opq', true);
      }
    }
  });
}
