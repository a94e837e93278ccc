/**
 * The `layerlens inspect --json` document: the image and, per filesystem layer, its exact change
 * set. Meant for scripts and tests, so field names are stable and paths absolute.
 */
import type { ImageModel } from '../engine/image.js';
import { historyForLayer } from '../engine/history.js';
import { imagePlatform } from '../engine/platform.js';
import type { EntryType, ChangeKind, HistoryEntry, ImageConfig } from '../engine/types.js';
import { judgeKeyValue, redactCommand } from '../findings/config.js';
import { maskSecret } from '../findings/secrets/mask.js';

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

/**
 * The config with secret-looking ENV and LABEL values and build-arg values in history masked
 * (first 4 characters and the length), unless `reveal`.
 */
export function redactConfig(config: ImageConfig, reveal: boolean): ImageConfig {
  if (reveal) return config;
  const c = config.config;
  const maskEnv = (kv: string) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) return kv;
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    return judgeKeyValue(key, value) ? `${key}=${maskSecret(value)}` : kv;
  };
  const labels = c?.Labels
    ? Object.fromEntries(Object.entries(c.Labels).map(([k, v]) => [k, judgeKeyValue(k, v) ? maskSecret(v) : v]))
    : c?.Labels;
  return {
    ...config,
    config: c ? { ...c, Env: c.Env?.map(maskEnv), Labels: labels } : c,
    history: config.history?.map((h) => (h.created_by ? { ...h, created_by: redactCommand(h.created_by) } : h)),
  };
}

function redactHistory(history: HistoryEntry[], reveal: boolean): HistoryEntry[] {
  return reveal ? history : history.map((h) => (h.createdBy ? { ...h, createdBy: redactCommand(h.createdBy) } : h));
}

export function inspectDocument(model: ImageModel, opts: { reveal?: boolean } = {}): InspectDocument {
  const meta = model.meta!;
  const reveal = !!opts.reveal;
  const history = redactHistory(meta.history, reveal);
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
      createdBy: historyForLayer(history, index)?.createdBy ?? null,
      changes,
    };
  });
  return {
    image: {
      reference: meta.reference,
      source: meta.source,
      digest: meta.digest ?? null,
      configDigest: meta.configDigest ?? null,
      platform: imagePlatform(meta),
      repoTags: meta.repoTags ?? [],
      config: redactConfig(meta.config, reveal),
      history,
      notes: meta.notes ?? [],
    },
    layers,
  };
}
