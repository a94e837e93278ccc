/**
 * The `efficiency` check: bytes shipped that the final filesystem cannot see, by cause — deleted
 * later, overwritten later, or copied again only to change metadata (chmod/chown, same size and
 * mtime). Only the N−1 superseded copies count as waste; the copy that is finally visible is not.
 *
 * dive counts differently, and its users gate CI on its figures (`.dive-ci`): it adds up every
 * copy of a path that appears in more than one layer, the kept copy included, and counts a
 * deletion (whiteout) as one more copy of what it deleted. `dive` below gives its three figures,
 * computed its way, so thresholds written for dive mean the same here (dive-ci.ts); the two ways
 * are compared in docs/reports.md ("Efficiency: layerlens and dive").
 */
import type { ImageModel } from '../engine/image.js';
import { drain, type Steps } from '../engine/steps.js';
import type { FileTree, TreeNode } from '../engine/tree.js';
import { formatBytes, formatPercent } from '../text/bytes.js';
import { INDEX_STEP, linkedCopies, nodeIndexSteps, type Superseded, supersededBy } from './content.js';
import { Largest } from './largest.js';
import { layerDigestOf, makeFinding } from './make.js';
import type { Finding } from './types.js';

/** Why a copy is waste (content.ts supersededBy). */
export type WasteCause = Superseded;

export interface WastedCopy {
  path: string;
  /** Layer holding the superseded copy. */
  layer: number;
  /** Layer that deleted or replaced it. */
  supersededIn: number;
  bytes: number;
  cause: WasteCause;
}

/** dive's figures, computed as dive computes them (see the header). */
export interface DiveEfficiency {
  /** Σ smallest copy / Σ all copies, over every path (1 when there are no files). */
  score: number;
  /** Σ of all copies of every path that appears in more than one layer (whiteouts included). */
  wastedBytes: number;
  /** Bytes of the files in every layer but the first (dive's "user" layers). */
  userSizeBytes: number;
  /** wastedBytes / userSizeBytes (can pass 1: dive does not cap it). */
  userWastedPercent: number;
  /** dive's "Inefficient Files": paths in more than one layer, most bytes first (at most 50). */
  files: Array<{ path: string; count: number; bytes: number }>;
  /** How many such paths there are in all. */
  fileCount: number;
}

export interface EfficiencyReport {
  /** Sum of the sizes of every file version in every layer. */
  totalBytes: number;
  wastedBytes: number;
  byCause: Record<WasteCause, number>;
  /** 1 − wasted/total (1 when nothing is wasted). */
  score: number;
  /** Bytes of the files in every layer but the first (the base layer). */
  userSizeBytes: number;
  /** wastedBytes / userSizeBytes: the waste relative to what the image's own layers added. */
  userWastedPercent: number;
  /** The same image measured the way dive does. */
  dive: DiveEfficiency;
  /** Paths by wasted bytes, largest first (all copies of a path summed). */
  top: Array<{ path: string; bytes: number; copies: number; causes: WasteCause[] }>;
  /** The largest metadata-only copies (the chmod/chown case), largest first (at most 50). */
  metadataCopies: WastedCopy[];
  /** How many metadata-only copies there are in all, and their bytes. */
  metadataCopyCount: number;
  metadataCopyBytes: number;
}

// Kept per tree until it changes (as the node index: content.ts): the checks, a comparison's
// sizes, `scan`'s CI gate and the explorer's panel all ask for the same figures.
const computed = new WeakMap<FileTree, { edits: number; topN: number; report: EfficiencyReport }>();

export function computeEfficiency(model: ImageModel, topN = 10): EfficiencyReport {
  return drain(computeEfficiencySteps(model, topN));
}

/**
 * The report computeEfficiency keeps for the tree as it stands, if it has been made; else
 * undefined (nothing is computed). For a view that shows it once the checks have made it.
 */
export function keptEfficiency(model: ImageModel, topN = 10): EfficiencyReport | undefined {
  const hit = computed.get(model.tree);
  return hit && hit.edits === model.tree.edits && hit.topN === topN ? hit.report : undefined;
}

/**
 * computeEfficiency in steps (its walks yield every INDEX_STEP paths): the explorer runs them
 * between keys once the image is in.
 */
export function* computeEfficiencySteps(model: ImageModel, topN = 10): Steps<EfficiencyReport> {
  const tree = model.tree;
  const hit = computed.get(tree);
  if (hit && hit.edits === tree.edits && hit.topN === topN) return hit.report;
  const edits = tree.edits;
  const report = yield* efficiencySteps(model, topN);
  computed.set(tree, { edits, topN, report });
  return report;
}

/**
 * One node's wasted copies: the file versions a later version hides (empty files waste nothing).
 * Called for the listed nodes only; the sums over every node are made in place.
 */
function wasteOf(node: TreeNode, inLayer: Map<TreeNode, InLayerWaste>): { copies: number; causes: WasteCause[] } {
  const own = inLayer.get(node);
  const causes: WasteCause[] = own ? [...own.causes] : [];
  let copies = own ? own.copies : 0;
  const st = node.store;
  const slots: number[] = [];
  const n = node.slotsInto(slots);
  for (let i = 0; i < n - 1; i++) {
    const s = slots[i];
    if (st.type(s) !== 'file' || st.isRemoved(s) || st.size(s) === 0) continue;
    copies++;
    const cause = supersededBy(st, s, slots[i + 1]);
    if (!causes.includes(cause)) causes.push(cause);
  }
  return { copies, causes };
}

const MAX_METADATA_FINDINGS = 50;

/** One path's copies that their own layer superseded (FileTree.inLayerCopies), summed. */
interface InLayerWaste {
  bytes: number;
  copies: number;
  causes: WasteCause[];
}

/**
 * The copies a later entry of their own layer replaced or removed: shipped in the layer's blob,
 * in no file system, so wholly waste (dive cannot see them: its tree of a layer keeps one entry
 * per path, so its figures leave them out). Their causes are added to `byCause`; their bytes and
 * the lists' figures per path are returned.
 */
function inLayerWaste(
  model: ImageModel,
  byCause: Record<WasteCause, number>,
): { per: Map<TreeNode, InLayerWaste>; bytes: number; userBytes: number } {
  const per = new Map<TreeNode, InLayerWaste>();
  const layers = model.tree.layerCount;
  let bytes = 0;
  let userBytes = 0;
  // (A copy a hard link still holds is shipped and live: counted, not waste.)
  const linked = linkedCopies(model.tree);
  for (const { node, version: v, how } of model.tree.inLayerCopies) {
    if (v.layer >= layers) continue;
    bytes += v.size;
    if (v.layer > 0) userBytes += v.size;
    if (v.size === 0 || linked.has(v)) continue;
    byCause[how] += v.size;
    let w = per.get(node);
    if (!w) per.set(node, (w = { bytes: 0, copies: 0, causes: [] }));
    w.bytes += v.size;
    w.copies++;
    if (!w.causes.includes(how)) w.causes.push(how);
  }
  return { per, bytes, userBytes };
}

function* efficiencySteps(model: ImageModel, topN: number): Steps<EfficiencyReport> {
  const byCause: Record<WasteCause, number> = { deleted: 0, overwritten: 0, 'metadata-only': 0 };
  let total = 0;
  // Only the largest of each list are kept (largest.ts): an image whose upgrade layer rewrites
  // 500k files would otherwise build a record and a path for each of them (issue 16).
  const top = new Largest<TreeNode>(topN, (node) => node.path);
  const meta = new Largest<{ node: TreeNode; i: number }>(MAX_METADATA_FINDINGS, (c) => c.node.path);
  const idx = yield* nodeIndexSteps(model.tree);
  total += idx.soleFileBytes; // single-version paths: counted, never wasted
  // dive: single-version paths add their size to both sums of its score.
  let diveMin = idx.soleFileBytes;
  let diveAll = idx.soleFileBytes;
  let diveWasted = 0;
  // dive's 50 largest, ties in tree order (a stable sort's), then sorted with their paths.
  const diveTop = new Largest<{ node: TreeNode; count: number }>(50, (d) => d.node.path, 'first');
  // The bytes of the files every layer but the first added (what the tree's per-layer stats sum
  // up as addedBytes), counted here: a walk of every layer's change list cost ~30 ms on 500k files.
  const layers = model.tree.layerCount;
  const own = inLayerWaste(model, byCause);
  const inLayer = own.per;
  total += own.bytes;
  let userSize = idx.soleUserFileBytes + own.userBytes;
  // One walk over the paths with a history, reading the store's columns (no version views: on an
  // image whose upgrade layer rewrites 500k files the views were most of this check's time).
  const slots: number[] = [];
  const history = idx.history;
  for (let h = 0; h < history.length; h++) {
    if (h % INDEX_STEP === INDEX_STEP - 1) yield;
    const node = history[h];
    const n = node.slotsInto(slots);
    const d = diveCopies(node, slots, n);
    diveAll += d.all;
    diveMin += d.min;
    if (d.count > 1) {
      diveWasted += d.all;
      if (d.all > 0) diveTop.offer(d.all, { node, count: d.count });
    }
    const st = node.store;
    let bytes = inLayer.get(node)?.bytes ?? 0;
    for (let i = 0; i < n; i++) {
      const s = slots[i];
      if (st.type(s) !== 'file' || st.isRemoved(s)) continue;
      const size = st.size(s);
      total += size;
      const layer = st.layer(s);
      if (layer > 0 && layer < layers) userSize += size;
      if (i === n - 1 || size === 0) continue;
      const cause = supersededBy(st, s, slots[i + 1]);
      byCause[cause] += size;
      bytes += size;
      if (cause === 'metadata-only') meta.offer(size, { node, i });
    }
    if (bytes > 0) top.offer(bytes, node);
  }
  const diveFiles: DiveEfficiency['files'] = diveTop
    .list()
    .map((d) => ({ path: d.path, count: d.item.count, bytes: d.bytes }));
  // Paths with one version in the tree whose other copies their layer superseded.
  for (const [node, w] of inLayer) if (node.versionCount < 2) top.offer(w.bytes, node);
  const wasted = byCause.deleted + byCause.overwritten + byCause['metadata-only'];
  return {
    totalBytes: total,
    wastedBytes: wasted,
    byCause,
    score: total ? 1 - wasted / total : 1,
    userSizeBytes: userSize,
    userWastedPercent: userSize ? wasted / userSize : 0,
    dive: {
      score: diveAll ? diveMin / diveAll : 1,
      wastedBytes: diveWasted,
      userSizeBytes: userSize,
      userWastedPercent: userSize ? diveWasted / userSize : 0,
      files: diveFiles,
      fileCount: diveTop.count,
    },
    top: top.list().map(({ item, path, bytes }) => ({ path, bytes, ...wasteOf(item, inLayer) })),
    metadataCopies: meta.list().map(({ item: { node, i }, path, bytes }) => ({
      path,
      layer: node.versions[i].layer,
      supersededIn: node.versions[i + 1].layer,
      bytes,
      cause: 'metadata-only' as const,
    })),
    metadataCopyCount: meta.count,
    metadataCopyBytes: meta.bytes,
  };
}

/**
 * One path's copies as dive counts them: every version that is not a directory; a deletion counts
 * as a copy of what it deleted, a deleted directory as the sum of its files, and a path removed
 * only because its parent was (one whiteout on the parent) is not counted again.
 */
function diveCopies(node: TreeNode, slots: readonly number[], n: number): { count: number; all: number; min: number } {
  const st = node.store;
  const parent = node.parent;
  let count = 0;
  let all = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const s = slots[k];
    let size: number;
    if (st.isRemoved(s)) {
      const layer = st.layer(s);
      const p = parent ? parent.indexIn(layer) : -1;
      if (p >= 0 && st.isRemoved(p)) continue;
      const type = st.type(s);
      size = type === 'dir' ? removedBelow(node, layer) : type === 'file' ? st.size(s) : 0;
    } else if (st.isDir(s)) continue;
    else size = st.type(s) === 'file' ? st.size(s) : 0;
    count++;
    all += size;
    if (size < min) min = size;
  }
  return { count, all, min: count ? min : 0 };
}

/** Bytes of the files below `dir` that `layer` removed along with it. */
function removedBelow(dir: TreeNode, layer: number): number {
  let sum = 0;
  const st = dir.store;
  const stack: TreeNode[] = dir.children ? [...dir.children.values()] : [];
  while (stack.length) {
    const n = stack.pop()!;
    const i = n.indexIn(layer);
    if (i < 0 || !st.isRemoved(i)) continue;
    if (st.type(i) === 'file') sum += st.size(i);
    if (n.children) for (const c of n.children.values()) stack.push(c);
  }
  return sum;
}

export function efficiencyFindings(model: ImageModel, report = computeEfficiency(model)): Finding[] {
  const out: Finding[] = [];
  const r = report;
  const pct = r.totalBytes ? (100 * r.wastedBytes) / r.totalBytes : 0;
  const heavy = pct >= 10 && r.wastedBytes >= 10_000_000;
  out.push(
    makeFinding({
      ruleId: 'efficiency-wasted-space',
      category: 'efficiency',
      severity: heavy ? 'low' : 'info',
      title: `Wasted space: ${formatBytes(r.wastedBytes)} (${pct.toFixed(1)}%), efficiency ${formatPercent(r.score)}`,
      message:
        `${formatBytes(r.wastedBytes)} of ${formatBytes(r.totalBytes)} of file content is shipped but hidden in the final filesystem: ` +
        `${formatBytes(r.byCause.deleted)} deleted later, ${formatBytes(r.byCause.overwritten)} overwritten later, ` +
        `${formatBytes(r.byCause['metadata-only'])} copied again only to change permissions or owner` +
        ` (${formatPercent(r.userWastedPercent)} of the ${formatBytes(r.userSizeBytes)} the layers above the base added).` +
        ` Measured as dive does (every copy, the kept one included): ${formatBytes(r.dive.wastedBytes)} wasted, efficiency ${formatPercent(r.dive.score)}, user wasted ${formatPercent(r.dive.userWastedPercent)}.` +
        (r.top.length
          ? ` Largest: ${r.top
              .slice(0, 3)
              .map((t) => `${t.path} (${formatBytes(t.bytes)})`)
              .join(', ')}.`
          : ''),
      remediation:
        'Delete temporary files in the same RUN that creates them, set permissions with COPY --chmod/--chown instead of a later RUN chmod/chown, and use multi-stage builds.',
      properties: {
        totalBytes: r.totalBytes,
        wastedBytes: r.wastedBytes,
        wastedByCause: r.byCause,
        efficiencyScore: Number(r.score.toFixed(4)),
        userSizeBytes: r.userSizeBytes,
        userWastedPercent: Number(r.userWastedPercent.toFixed(4)),
        dive: {
          efficiency: Number(r.dive.score.toFixed(4)),
          wastedBytes: r.dive.wastedBytes,
          userWastedPercent: Number(r.dive.userWastedPercent.toFixed(4)),
        },
        topOffenders: r.top,
      },
    }),
  );
  const diffIds = model.layers.map((l) => l.diffId);
  for (const c of r.metadataCopies) {
    out.push(
      makeFinding({
        ruleId: 'efficiency-metadata-only-copy',
        category: 'efficiency',
        severity: c.bytes >= 1_000_000 ? 'low' : 'info',
        title: `Whole file copied again for a metadata change: ${c.path}`,
        message: `Layer ${c.supersededIn} changed only the permissions or owner of ${c.path} (same size and modification time), which stores the whole file again: the ${formatBytes(c.bytes)} copy from layer ${c.layer} stays in the image, unused.`,
        remediation:
          'Set mode and owner when the file is added (COPY --chmod=… --chown=…) instead of a later RUN chmod/chown.',
        path: c.path,
        // The layer that made the copy: where the fix goes (the copy it hides is in `copiedFromLayer`).
        layerIndex: c.supersededIn,
        layerDigest: layerDigestOf(model.meta, c.supersededIn, diffIds),
        properties: { wastedBytes: c.bytes, cause: c.cause, copiedFromLayer: c.layer },
      }),
    );
  }
  const restCount = r.metadataCopyCount - r.metadataCopies.length;
  const restBytes = r.metadataCopyBytes - r.metadataCopies.reduce((s, c) => s + c.bytes, 0);
  if (restCount > 0) {
    out.push(
      makeFinding({
        ruleId: 'efficiency-metadata-only-copy',
        category: 'efficiency',
        severity: 'info',
        title: `${restCount} more files copied again for a metadata change`,
        message: `${restCount} more files (${formatBytes(restBytes)}) were copied again only to change permissions or owner.`,
        remediation:
          'Set mode and owner when the files are added (COPY --chmod/--chown), or chown in the same RUN that creates them.',
        discriminator: 'rest',
        properties: { files: restCount, wastedBytes: restBytes },
      }),
    );
  }
  return out;
}
