/**
 * The `layerlens inspect --json` document: the image and, per filesystem layer, its exact change
 * set. Meant for scripts and tests, so field names are stable and paths absolute.
 */
import type { ImageModel } from '../engine/image.js';
import { historyForLayer } from '../engine/history.js';
import type { EntryType, ChangeKind } from '../engine/types.js';

export interface InspectChange {
  path: string;
  type: EntryType;
  change: ChangeKind;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
  /** For removed/modified entries: the layer whose version went away. */
  previousLayer?: number;
}

export interface InspectLayer {
  index: number;
  digest: string | null;
  diffId: string | null;
  size: number | null;
  compressedSize: number | null;
  compression: string | null;
  createdBy: string | null;
  changes: InspectChange[];
}

export interface InspectDocument {
  image: {
    reference: string;
    source: string;
    digest: string | null;
    configDigest: string | null;
    platform: string | null;
    repoTags: string[];
    config: unknown;
    history: unknown[];
    notes: string[];
  };
  layers: InspectLayer[];
}

export function platformString(p: { os: string; architecture: string; variant?: string } | undefined): string | null {
  if (!p) return null;
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function inspectDocument(model: ImageModel): InspectDocument {
  const meta = model.meta!;
  const layers: InspectLayer[] = meta.layers.map((desc, index) => {
    const status = model.layers[index];
    const changes: InspectChange[] = [];
    for (const node of model.tree.changesByLayer[index] ?? []) {
      const v = node.versionIn(index);
      if (!v) continue;
      const c: InspectChange = {
        path: node.path,
        type: v.type,
        change: v.change,
        size: v.size,
        mode: v.mode,
        uid: v.uid,
        gid: v.gid,
      };
      if (v.linkTarget !== undefined) c.linkTarget = v.linkTarget;
      if (v.previousLayer !== undefined) c.previousLayer = v.previousLayer;
      changes.push(c);
    }
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      index,
      digest: desc.digest ?? null,
      diffId: status?.diffId ?? desc.diffId ?? null,
      size: status?.size ?? null,
      compressedSize: desc.compressedSize ?? status?.compressedSize ?? null,
      compression: status?.compression ?? null,
      createdBy: historyForLayer(meta.history, index)?.createdBy ?? null,
      changes,
    };
  });
  return {
    image: {
      reference: meta.reference,
      source: meta.source,
      digest: meta.digest ?? null,
      configDigest: meta.configDigest ?? null,
      platform: platformString(meta.platform ?? (meta.config.os ? { os: meta.config.os, architecture: meta.config.architecture ?? '', variant: meta.config.variant } : undefined)),
      repoTags: meta.repoTags ?? [],
      config: meta.config,
      history: meta.history,
      notes: meta.notes ?? [],
    },
    layers,
  };
}
