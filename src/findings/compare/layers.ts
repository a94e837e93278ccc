/**
 * Layers and history of two images: which layers they share (by diffID: the same files; by stored
 * digest: the same blob too), the two layer lists lined up side by side, the common base ("the
 * first 3 layers are the same"), where the histories part, and the history steps lined up.
 */
import type { ImageModel } from '../../engine/image.js';
import type { HistoryEntry } from '../../engine/types.js';
import { dockerfileLine, historyForLayer } from '../../engine/history.js';
import { redactCommand } from '../config.js';
import { redactConfigString } from '../config-values.js';
import { align } from './align.js';
import type { HistoryRow, LayerComparison, LayerRef, LayerRow, StepRef } from './types.js';

/**
 * The step that made filesystem layer `i`, written Dockerfile-like with secrets masked; `# comment`
 * when the history has only a comment (`docker import`); null when the history does not say.
 */
export function layerStep(history: HistoryEntry[], i: number): string | null {
  const h = historyForLayer(history, i);
  if (h?.createdBy) return dockerfileLine(redactCommand(h.createdBy));
  return h?.comment ? `# ${redactConfigString('comment', h.comment)}` : null;
}

/** The layers of a loaded image as a comparison lists them. */
export function layerRefs(model: ImageModel): LayerRef[] {
  const meta = model.meta;
  if (!meta) return [];
  return meta.layers.map((d, i) => {
    const st = model.layers[i];
    return {
      index: i,
      diffId: d.diffId ?? st?.diffId ?? null,
      digest: d.digest ?? null,
      size: st?.size ?? null,
      compressedSize: d.compressedSize ?? st?.compressedSize ?? null,
      createdBy: layerStep(meta.history, i),
    };
  });
}

/**
 * A step as the alignment compares it (unredacted: compared, never shown). The classic builder
 * names what COPY/ADD copied by its content hash (`COPY dir:3f2a… in /app/`): the hash is dropped,
 * so that the same COPY of changed files reads as the same step, rebuilt.
 */
export function stepKey(createdBy: string | undefined): string {
  return (createdBy ?? '').replace(/\b(file|dir|multi):[0-9a-f]{64}\b/g, '$1:');
}

function rawStep(model: ImageModel, i: number): string | undefined {
  const h = model.meta ? historyForLayer(model.meta.history, i) : undefined;
  return h?.createdBy ? stepKey(h.createdBy) : undefined;
}

export function compareLayers(oldModel: ImageModel, newModel: ImageModel): LayerComparison {
  const a = layerRefs(oldModel);
  const b = layerRefs(newModel);
  const same = (i: number, j: number) => a[i].diffId !== null && a[i].diffId === b[j].diffId;
  const rows: LayerRow[] = align(
    a.length,
    b.length,
    (i, j) => {
      if (same(i, j)) return 3;
      const s = rawStep(oldModel, i);
      return s !== undefined && s === rawStep(newModel, j) ? 1 : 0;
    },
    3,
  ).map((p): LayerRow => {
    if (p.a === null) return { relation: 'added', old: null, new: b[p.b] };
    if (p.b === null) return { relation: 'removed', old: a[p.a], new: null };
    const x = a[p.a];
    const y = b[p.b];
    if (!same(p.a, p.b)) return { relation: 'rebuilt', old: x, new: y };
    return { relation: 'shared', old: x, new: y, sameDigest: x.digest !== null && x.digest === y.digest };
  });

  const oldByDiffId = new Map(a.filter((l) => l.diffId !== null).map((l) => [l.diffId, l]));
  const shared: LayerComparison['shared'] = { byDiffId: 0, byDigest: 0, bytes: 0 };
  for (const l of b) {
    const o = l.diffId !== null ? oldByDiffId.get(l.diffId) : undefined;
    if (!o) continue;
    shared.byDiffId++;
    shared.bytes += l.size ?? 0;
    // (A digest only one side knows says nothing about whether the blobs are the same.)
    if (o.digest === null || l.digest === null) shared.byDigest = null;
    else if (shared.byDigest !== null && o.digest === l.digest) shared.byDigest++;
  }
  let commonPrefix = 0;
  while (commonPrefix < a.length && commonPrefix < b.length && same(commonPrefix, commonPrefix)) commonPrefix++;
  const divergence =
    commonPrefix === a.length && commonPrefix === b.length
      ? null
      : {
          layer: commonPrefix,
          old: a[commonPrefix]?.createdBy ?? null,
          new: b[commonPrefix]?.createdBy ?? null,
        };
  return { rows, shared, commonPrefix, divergence };
}

/** The history steps of both images lined up (metadata-only steps included). */
export function compareHistory(oldModel: ImageModel, newModel: ImageModel): HistoryRow[] {
  const steps = (m: ImageModel): Array<StepRef & { raw: string; key: string; diffId: string | null }> =>
    (m.meta?.history ?? []).map((h, index) => ({
      index,
      createdBy: h.createdBy ? dockerfileLine(redactCommand(h.createdBy)) : null,
      emptyLayer: h.emptyLayer,
      layerIndex: h.layerIndex,
      raw: h.createdBy ?? '',
      key: stepKey(h.createdBy),
      diffId:
        h.layerIndex === null ? null : (m.meta?.layers[h.layerIndex]?.diffId ?? m.layers[h.layerIndex]?.diffId ?? null),
    }));
  const a = steps(oldModel);
  const b = steps(newModel);
  // The same step with the same layer (or none) pairs first; then the same layer where one side's
  // history has no text (docker import); then the same step rebuilt with other content.
  const kind = (i: number, j: number): HistoryRow['relation'] | null => {
    const sameRaw = a[i].raw === b[j].raw;
    const sameLayer = a[i].diffId === b[j].diffId;
    if (sameRaw && sameLayer) return 'same';
    if (sameLayer && a[i].diffId !== null && (a[i].raw === '' || b[j].raw === '')) return 'same';
    return a[i].key !== '' && a[i].key === b[j].key ? 'rebuilt' : null;
  };
  const strip = ({
    raw: _raw,
    key: _key,
    diffId: _diffId,
    ...step
  }: StepRef & { raw: string; key: string; diffId: string | null }) => step;
  return align(
    a.length,
    b.length,
    (i, j) => {
      const k = kind(i, j);
      return k === 'same' ? (a[i].raw === b[j].raw ? 3 : 2) : k === 'rebuilt' ? 1 : 0;
    },
    3,
  ).map((p): HistoryRow => {
    if (p.a === null) return { relation: 'added', old: null, new: strip(b[p.b]) };
    if (p.b === null) return { relation: 'removed', old: strip(a[p.a]), new: null };
    return { relation: kind(p.a, p.b)!, old: strip(a[p.a]), new: strip(b[p.b]) };
  });
}
