/**
 * Directory sizes for every layer without walking the tree on a keypress. Each layer's change
 * set is folded in once, when the layer is applied: the byte delta of every changed file is added
 * to its ancestors, recorded sparsely per directory (a directory gets an entry only in layers that
 * change something below it). Asking "size of /usr as of layer 7" is then a short scan.
 */
import type { FileTree, TreeNode } from '../engine/tree.js';
import { drain, type Steps } from '../engine/steps.js';
import type { Version } from '../engine/types.js';
import { runFor } from './background.js';

interface SizeHistory {
  layers: number[];
  sizes: number[];
}

/** Changes folded between two yields of a fold made in slices. */
const FOLD_STEP = 4096;

export class SizeIndex {
  /** Layers folded in so far (a prefix). */
  applied = 0;
  private readonly agg = new Map<TreeNode, SizeHistory>();
  /** Per layer: directory → bytes this layer added or rewrote below it. */
  private readonly changed: Map<TreeNode, number>[] = [];

  constructor(private readonly tree: FileTree) {}

  /**
   * The fold of layer `applied` under way, when it is made a slice at a time (`catchUpFor`). Until
   * it ends, sizes as of that layer are partial; those of the layers below it are not touched.
   */
  private folding: Steps | null = null;

  /** Fold in layers [applied, upTo) now. Cost: the changes of those layers × their depth. */
  catchUp(upTo: number): void {
    while (this.applied < upTo && this.applied < this.tree.changesByLayer.length) {
      drain(this.folding ?? this.fold(this.applied));
      this.folding = null;
      this.applied++;
    }
  }

  /**
   * Fold in layers [applied, upTo) for about `budgetMs`; true once they are all in. (The explorer
   * folds the layers as they land, a slice per turn of the event loop: a layer of two million
   * changes is 0.1–0.6 s, which a frame waited for; the layer on screen is folded at once.)
   */
  catchUpFor(upTo: number, budgetMs: number): boolean {
    const end = performance.now() + budgetMs;
    while (this.applied < upTo && this.applied < this.tree.changesByLayer.length) {
      this.folding ??= this.fold(this.applied);
      if (!runFor(this.folding, end - performance.now())) return false;
      this.folding = null;
      this.applied++;
    }
    return true;
  }

  /** Fold in `layer` (yielding every FOLD_STEP changes). */
  private *fold(layer: number): Steps {
    const perLayer = new Map<TreeNode, number>();
    this.changed[layer] = perLayer;
    // A layer's changes come in tar order, a directory's files in a run: their bytes are summed
    // per run and added to the directory's ancestors once per run, not once per file (a layer of
    // two million changes: 388 ms in one frame with a climb per file).
    let dir: TreeNode | null = null;
    let delta = 0;
    let written = 0;
    const climb = () => {
      for (let a = dir; a; a = a.parent) {
        if (delta !== 0) this.add(a, layer, delta);
        if (written) perLayer.set(a, (perLayer.get(a) ?? 0) + written);
      }
    };
    let step = 0;
    for (const node of this.tree.changesByLayer[layer] ?? []) {
      if (++step === FOLD_STEP) {
        step = 0;
        yield;
      }
      // (By the node's own questions, no version view: a fold walks every change of a layer.)
      if (!node.changeIn(layer)) continue;
      if (node.parent !== dir) {
        climb();
        dir = node.parent;
        delta = 0;
        written = 0;
      }
      const bytes = node.fileBytesAt(layer);
      delta += bytes - node.fileBytesAt(layer - 1);
      written += bytes;
    }
    climb();
  }

  private add(dir: TreeNode, layer: number, delta: number): void {
    let h = this.agg.get(dir);
    if (!h) {
      h = { layers: [], sizes: [] };
      this.agg.set(dir, h);
    }
    const n = h.layers.length;
    if (n && h.layers[n - 1] === layer) h.sizes[n - 1] += delta;
    else {
      h.layers.push(layer);
      h.sizes.push((n ? h.sizes[n - 1] : 0) + delta);
    }
  }

  /** Bytes of all files below `dir` as of `layer`. */
  dirSize(dir: TreeNode, layer: number): number {
    const h = this.agg.get(dir);
    if (!h) return 0;
    for (let i = h.layers.length - 1; i >= 0; i--) if (h.layers[i] <= layer) return h.sizes[i];
    return 0;
  }

  /** Bytes `layer` added or rewrote below `dir`. */
  changedBelow(dir: TreeNode, layer: number): number {
    return this.changed[layer]?.get(dir) ?? 0;
  }

  /** Size shown for a node: a file's own bytes, a directory's subtree as of `layer`. */
  sizeAt(node: TreeNode, v: Version, layer: number): number {
    if (v.type === 'dir') return this.dirSize(node, v.change === 'removed' ? layer - 1 : layer);
    return v.type === 'file' ? v.size : 0;
  }
}
