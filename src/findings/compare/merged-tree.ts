/**
 * The final filesystems of two images merged into one layered tree of two layers: layer 0 holds
 * OLD as shipped, layer 1 is NEW written over it as a layer, so its change set is exactly what
 * the comparison found (added, modified, removed) and the aggregated tree at layer 1 is NEW with
 * OLD's removed paths marked. Whatever shows a layer's changes (the explorer's tree, with its
 * symbols and colours) shows a comparison the same way.
 *
 * Each version's content says where its bytes are: which image and which of its layers
 * (`MergedOrigin`), so a viewer can read both versions of a changed file and extract either.
 */
import type { ImageModel } from '../../engine/image.js';
import { drain, type Steps } from '../../engine/steps.js';
import { FileTree, type TreeNode } from '../../engine/tree.js';
import type { Version } from '../../engine/types.js';
import { versionDifference } from './files.js';

/** Where a merged version's bytes are: in `side`'s image, in its layer `layer`. */
export interface MergedOrigin {
  side: 'old' | 'new';
  layer: number;
}

export interface MergedTree {
  tree: FileTree;
  /** The layer of `tree` that holds NEW over OLD. */
  newLayer: 1;
}

/** A version of the merged tree: its origin, when it has content from an image. */
export function mergedOrigin(v: Version | undefined): MergedOrigin | undefined {
  const c = v?.content as MergedOrigin | undefined;
  return c && (c.side === 'old' || c.side === 'new') ? c : undefined;
}

export function mergedTree(oldModel: ImageModel, newModel: ImageModel): MergedTree {
  return drain(mergedTreeSteps(oldModel, newModel));
}

/** Paths written between two steps of mergedTreeSteps. */
const MERGE_STEP = 4096;

/**
 * mergedTree in steps (every MERGE_STEP paths): two images of a million paths each take seconds,
 * which the explorer's compare view builds between keys.
 */
export function* mergedTreeSteps(oldModel: ImageModel, newModel: ImageModel): Steps<MergedTree> {
  const tree = new FileTree();
  let written = 0;
  const oldTop = oldModel.tree.layerCount - 1;
  const newTop = newModel.tree.layerCount - 1;
  tree.beginLayer(0);
  tree.beginLayer(1);
  // Layer 0: OLD as shipped (a stack: paths thousands deep are data, not recursion).
  const down: Array<[TreeNode, string[]]> = [[oldModel.tree.root, []]];
  while (down.length) {
    const [dir, parts] = down.pop()!;
    for (const c of dir.childrenAt(oldTop)) {
      const v = c.liveAt(oldTop)!;
      const p = [...parts, c.name];
      tree.put(p, v, 0, { side: 'old', layer: v.layer } satisfies MergedOrigin);
      if (v.type === 'dir') down.push([c, p]);
      if (++written % MERGE_STEP === 0) yield;
    }
  }
  // Layer 1: NEW over it. Paths only OLD has are whited out; paths that differ are written again.
  const walk: Array<[TreeNode | undefined, TreeNode | undefined, string[]]> = [
    [oldModel.tree.root, newModel.tree.root, []],
  ];
  while (walk.length) {
    const [od, nd, parts] = walk.pop()!;
    const names = new Set<string>();
    if (od) for (const c of od.childrenAt(oldTop)) names.add(c.name);
    if (nd) for (const c of nd.childrenAt(newTop)) names.add(c.name);
    for (const name of names) {
      if (++written % MERGE_STEP === 0) yield;
      const oc = od?.children?.get(name);
      const nc = nd?.children?.get(name);
      const o = oc?.liveAt(oldTop);
      const n = nc?.liveAt(newTop);
      const p = [...parts, name];
      if (o && !n) {
        tree.whiteout(p, 1);
        continue;
      }
      if (!n) continue;
      if (!o || versionDifference(o, n).aspects.length > 0)
        tree.put(p, n, 1, { side: 'new', layer: n.layer } satisfies MergedOrigin);
      if (n.type === 'dir') walk.push([o?.type === 'dir' ? oc : undefined, nc, p]);
    }
  }
  return { tree, newLayer: 1 };
}
