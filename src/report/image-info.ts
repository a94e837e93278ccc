/**
 * The `image` block every report carries, built from the engine's model (or its metadata alone,
 * for the explorer's export before all layers are read). History commands are redacted: build-arg
 * values and secrets in RUN lines are masked unless `reveal`.
 */
import type { ImageModel } from '../engine/image.js';
import { dockerfileLine } from '../engine/history.js';
import { imagePlatform } from '../engine/platform.js';
import type { ImageMeta } from '../engine/types.js';
import { redactCommand } from '../findings/config.js';

export interface ReportLayer {
  /** 0-based among filesystem layers; null for a history step that made no layer. */
  index: number | null;
  digest: string | null;
  diffId: string | null;
  /** Uncompressed bytes, when the layer was read. */
  size: number | null;
  compressedSize: number | null;
  createdBy: string | null;
  emptyLayer: boolean;
}

export interface ReportImage {
  reference: string;
  source: string;
  digest: string | null;
  configDigest: string | null;
  platform: string | null;
  user: string | null;
  exposedPorts: string[];
  layers: ReportLayer[];
}

export function imageInfoFromMeta(meta: ImageMeta, model?: ImageModel, opts: { reveal?: boolean } = {}): ReportImage {
  const layer = (i: number) => {
    const d = meta.layers[i];
    const st = model?.layers[i];
    return {
      digest: d?.digest ?? null,
      diffId: d?.diffId ?? st?.diffId ?? null,
      size: st?.size ?? null,
      compressedSize: d?.compressedSize ?? st?.compressedSize ?? null,
    };
  };
  const layers: ReportLayer[] = [];
  const covered = new Set<number>();
  for (const h of meta.history) {
    const cmd = h.createdBy ? dockerfileLine(redactCommand(h.createdBy, opts.reveal)) : null;
    if (h.layerIndex !== null) covered.add(h.layerIndex);
    layers.push({
      index: h.layerIndex,
      ...(h.layerIndex !== null
        ? layer(h.layerIndex)
        : { digest: null, diffId: null, size: null, compressedSize: null }),
      createdBy: cmd,
      emptyLayer: h.emptyLayer,
    });
  }
  // Layers the history does not account for (squashed or hand-made images).
  for (let i = 0; i < meta.layers.length; i++) {
    if (!covered.has(i)) layers.push({ index: i, ...layer(i), createdBy: null, emptyLayer: false });
  }
  return {
    reference: meta.reference,
    source: meta.source,
    digest: meta.digest ?? null,
    configDigest: meta.configDigest ?? null,
    platform: imagePlatform(meta),
    user: meta.config.config?.User || null,
    exposedPorts: Object.keys(meta.config.config?.ExposedPorts ?? {}),
    layers,
  };
}

export function imageInfo(model: ImageModel, opts: { reveal?: boolean } = {}): ReportImage {
  if (!model.meta) throw new Error('image metadata not loaded');
  return imageInfoFromMeta(model.meta, model, opts);
}
