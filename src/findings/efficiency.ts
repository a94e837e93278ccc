/**
 * The `efficiency` check: bytes shipped that the final filesystem cannot see, by cause — deleted
 * later, overwritten later, or copied again only to change metadata (chmod/chown, same size and
 * mtime). Only the N−1 superseded copies count as waste; the copy that is finally visible is not
 * (dive counts it too).
 */
import type { ImageModel } from '../engine/image.js';
import { nodeIndex } from './content.js';
import { layerDigestOf, makeFinding } from './make.js';
import type { Finding } from './types.js';

export type WasteCause = 'deleted' | 'overwritten' | 'metadata-only';

export interface WastedCopy {
  path: string;
  /** Layer holding the superseded copy. */
  layer: number;
  /** Layer that deleted or replaced it. */
  supersededIn: number;
  bytes: number;
  cause: WasteCause;
}

export interface EfficiencyReport {
  /** Sum of the sizes of every file version in every layer. */
  totalBytes: number;
  wastedBytes: number;
  byCause: Record<WasteCause, number>;
  /** 1 − wasted/total (1 when nothing is wasted). */
  score: number;
  /** Paths by wasted bytes, largest first (all copies of a path summed). */
  top: Array<{ path: string; bytes: number; copies: number; causes: WasteCause[] }>;
  /** Metadata-only copies (the chmod/chown case), largest first. */
  metadataCopies: WastedCopy[];
}

export function computeEfficiency(model: ImageModel, topN = 10): EfficiencyReport {
  const byCause: Record<WasteCause, number> = { deleted: 0, overwritten: 0, 'metadata-only': 0 };
  let total = 0;
  const perPath = new Map<string, { bytes: number; copies: number; causes: Set<WasteCause> }>();
  const meta: WastedCopy[] = [];
  const idx = nodeIndex(model.tree);
  total += idx.soleFileBytes; // single-version paths: counted, never wasted
  for (const node of idx.history) {
    const vs = node.versions;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (v.type !== 'file' || v.change === 'removed') continue;
      total += v.size;
      const next = vs[i + 1];
      if (!next || v.size === 0) continue;
      const cause: WasteCause =
        next.change === 'removed'
          ? 'deleted'
          : next.type === 'file' && next.size === v.size && next.mtime === v.mtime
            ? 'metadata-only'
            : 'overwritten';
      byCause[cause] += v.size;
      const path = node.path;
      const e = perPath.get(path) ?? { bytes: 0, copies: 0, causes: new Set<WasteCause>() };
      e.bytes += v.size;
      e.copies++;
      e.causes.add(cause);
      perPath.set(path, e);
      if (cause === 'metadata-only')
        meta.push({ path, layer: v.layer, supersededIn: next.layer, bytes: v.size, cause });
    }
  }
  const wasted = byCause.deleted + byCause.overwritten + byCause['metadata-only'];
  const top = [...perPath.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : 1))
    .slice(0, topN)
    .map(([path, e]) => ({ path, bytes: e.bytes, copies: e.copies, causes: [...e.causes] }));
  meta.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
  return {
    totalBytes: total,
    wastedBytes: wasted,
    byCause,
    score: total ? 1 - wasted / total : 1,
    top,
    metadataCopies: meta,
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const MAX_METADATA_FINDINGS = 50;

export function efficiencyFindings(model: ImageModel, report = computeEfficiency(model)): Finding[] {
  const out: Finding[] = [];
  const r = report;
  const pct = r.totalBytes ? (100 * r.wastedBytes) / r.totalBytes : 0;
  const heavy = pct >= 10 && r.wastedBytes >= 10 * 1024 * 1024;
  out.push(
    makeFinding({
      ruleId: 'efficiency-wasted-space',
      category: 'efficiency',
      severity: heavy ? 'low' : 'info',
      title: `Wasted space: ${formatBytes(r.wastedBytes)} (${pct.toFixed(1)}%), efficiency ${(r.score * 100).toFixed(1)}%`,
      message:
        `${formatBytes(r.wastedBytes)} of ${formatBytes(r.totalBytes)} of file content is shipped but hidden in the final filesystem: ` +
        `${formatBytes(r.byCause.deleted)} deleted later, ${formatBytes(r.byCause.overwritten)} overwritten later, ` +
        `${formatBytes(r.byCause['metadata-only'])} copied again only to change permissions or owner.` +
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
        topOffenders: r.top,
      },
    }),
  );
  const diffIds = model.layers.map((l) => l.diffId);
  for (const c of r.metadataCopies.slice(0, MAX_METADATA_FINDINGS)) {
    out.push(
      makeFinding({
        ruleId: 'efficiency-metadata-only-copy',
        category: 'efficiency',
        severity: c.bytes >= 1024 * 1024 ? 'low' : 'info',
        title: `Whole file copied again for a metadata change: ${c.path}`,
        message: `Layer ${c.supersededIn} changed only the permissions or owner of ${c.path} (same size and modification time), which stores the whole file again: ${formatBytes(c.bytes)} from layer ${c.layer} are wasted.`,
        remediation:
          'Set mode and owner when the file is added (COPY --chmod=… --chown=…) instead of a later RUN chmod/chown.',
        path: c.path,
        layerIndex: c.layer,
        layerDigest: layerDigestOf(model.meta, c.layer, diffIds),
        deletedInLayerIndex: c.supersededIn,
        properties: { wastedBytes: c.bytes, cause: c.cause },
      }),
    );
  }
  const rest = r.metadataCopies.slice(MAX_METADATA_FINDINGS);
  if (rest.length) {
    out.push(
      makeFinding({
        ruleId: 'efficiency-metadata-only-copy',
        category: 'efficiency',
        severity: 'info',
        title: `${rest.length} more files copied again for a metadata change`,
        message: `${rest.length} more files (${formatBytes(rest.reduce((s, c) => s + c.bytes, 0))}) were copied again only to change permissions or owner.`,
        remediation:
          'Set mode and owner when the files are added (COPY --chmod/--chown), or chown in the same RUN that creates them.',
        discriminator: 'rest',
        properties: { files: rest.length, wastedBytes: rest.reduce((s, c) => s + c.bytes, 0) },
      }),
    );
  }
  return out;
}
