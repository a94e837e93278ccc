/**
 * The findings the explorer shows while layers still load: the checks that need the metadata
 * alone (config and history, ports, provenance, signatures, keys read otherwise than spelled) and the deleted/overwritten-file
 * check over the layers applied so far. They are the same functions as `runChecks` (same rules,
 * ids, tables and order), run on a partial index of the tree kept up to date layer by layer,
 * so a finding keeps its id when the full checks replace the list once the image is loaded.
 *
 * Cost: proportional to the changes of the layers applied since the last call, not to the tree
 * (the full walk of a 500k-path tree takes ~50 ms, too much to repeat while layers arrive), plus
 * the paths with a history so far (the deleted-file check). At two million paths that is still
 * 0.2–0.45 s: the explorer runs them in steps (earlySteps), a slice between keys.
 */
import type { ImageModel } from '../engine/image.js';
import type { FileTree, TreeNode } from '../engine/tree.js';
import { configFindings } from './config.js';
import { configValueFindings } from './config-values.js';
import { keyVariantFindings } from './key-variants.js';
import { drain, type Steps } from '../engine/steps.js';
import { INDEX_STEP, panelName, withNodeIndex, type NodeIndex } from './content.js';
import { deletedFileSteps } from './deleted-files.js';
import { sortFindings, uniqueIds } from './order.js';
import { portFindings } from './ports.js';
import { provenanceFindings } from './provenance.js';
import { provenanceFindings as signatureFindings } from './signatures.js';
import type { Finding } from './types.js';

interface Partial {
  /** Layers folded in (a prefix). */
  layers: number;
  history: Set<TreeNode>;
  panels: Set<TreeNode>;
}

const partials = new WeakMap<FileTree, Partial>();

/**
 * The part of the checks' node index the early checks read, for the layers applied so far, in
 * steps (every INDEX_STEP changes). A fold left half done (a newer call took over) is begun again
 * by the next: adding a node to the sets twice changes nothing.
 */
function* partialIndexSteps(tree: FileTree): Steps<NodeIndex> {
  let p = partials.get(tree);
  if (!p) partials.set(tree, (p = { layers: 0, history: new Set(), panels: new Set() }));
  for (; p.layers < tree.layerCount; p.layers++) {
    const changes = tree.changesByLayer[p.layers];
    if (!changes) continue;
    for (let i = 0; i < changes.length; i++) {
      if (i % INDEX_STEP === INDEX_STEP - 1) yield;
      const node = changes.at(i);
      // A second version can only come from a layer after the first.
      if (p.layers > 0 && node.versionCount > 1) p.history.add(node);
      if (panelName(node.name)) p.panels.add(node);
    }
  }
  return {
    history: [...p.history],
    inspected: [],
    permissionBits: [],
    soleFileBytes: 0,
    soleUserFileBytes: 0,
    panelNames: [...p.panels],
  };
}

/** What the explorer lists while the image loads; `reference` is what the user asked for. */
export function earlyFindings(model: ImageModel, reference?: string): Finding[] {
  return drain(earlySteps(model, reference));
}

/** earlyFindings in steps: the explorer runs them a slice at a time between keys. */
export function* earlySteps(model: ImageModel, reference?: string): Steps<Finding[]> {
  const meta = model.meta;
  if (!meta) return [];
  const tree = model.tree;
  const index = yield* partialIndexSteps(tree);
  const deleted = yield* deletedFileSteps(model, index);
  // (The other checks are quick: one step, each reading the partial index.)
  const all = withNodeIndex(tree, index, () => [
    ...deleted,
    ...configFindings(meta),
    ...configValueFindings(meta),
    ...keyVariantFindings(meta),
    ...portFindings(meta, tree),
    ...provenanceFindings(meta, reference ?? meta.reference),
    ...signatureFindings(meta),
  ]);
  return uniqueIds(sortFindings(all));
}
