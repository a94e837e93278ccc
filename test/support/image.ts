/** Builds real in-memory images (layer tars written by tar-stream) and loads them with the engine. */
import { buildTar, gzip, sha256, type TarSpec } from '../../src/engine/build-tar.js';
import { mapHistory } from '../../src/engine/history.js';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageConfig, ImageMeta } from '../../src/engine/types.js';
import { memoryReader } from '../../src/sources/memory.js';

export interface LayerInput {
  entries: TarSpec[];
  compress?: 'gzip';
  createdBy?: string;
  /** The history entry's comment (`docker import` writes "Imported from -"). */
  comment?: string;
}

export async function memoryImage(layers: LayerInput[]): Promise<{ meta: ImageMeta; blobs: Buffer[] }> {
  const tars = await Promise.all(layers.map((l) => buildTar(l.entries)));
  return imageOfTars(
    tars,
    layers.map((l) => l.compress),
    layers,
  );
}

/** An in-memory image of ready-made layer tars (hand-made ones in the hostile tests). */
export function imageOfTars(
  tars: Buffer[],
  compress: Array<'gzip' | undefined> = [],
  layers: Array<Pick<LayerInput, 'createdBy' | 'comment'>> = [],
): { meta: ImageMeta; blobs: Buffer[] } {
  const blobs = tars.map((t, i) => (compress[i] === 'gzip' ? gzip(t) : t));
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    history: tars.map((_, i) => ({
      created_by: layers[i]?.createdBy ?? `RUN step ${i}`,
      ...(layers[i]?.comment ? { comment: layers[i].comment } : {}),
    })),
    config: {},
  };
  const meta: ImageMeta = {
    reference: 'memory',
    source: 'demo',
    config,
    layers: blobs.map((b, i) => ({ digest: sha256(b), diffId: config.rootfs!.diff_ids[i], compressedSize: b.length })),
    history: mapHistory(config),
  };
  return { meta, blobs };
}

/** Load ready-made layer tars. */
export async function loadTars(tars: Buffer[]): Promise<ImageModel> {
  const { meta, blobs } = imageOfTars(tars);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs));
  return model;
}

export async function loadLayers(layers: LayerInput[]): Promise<ImageModel> {
  const { meta, blobs } = await memoryImage(layers);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs));
  return model;
}

/** `path change` lines of one layer's change set, sorted, for exact assertions. */
export function changeLines(model: ImageModel, layer: number): string[] {
  return [...(model.tree.changesByLayer[layer] ?? [])]
    .map((n) => {
      const v = n.versionIn(layer)!;
      return `${v.change} ${v.type} ${n.path}`;
    })
    .sort();
}

/** Paths alive at `layer` (aggregated tree), sorted. */
export function liveTree(model: ImageModel, layer: number): string[] {
  const out: string[] = [];
  const walk = (n: import('../../src/engine/tree.js').TreeNode) => {
    for (const c of n.childrenAt(layer)) {
      const v = c.liveAt(layer)!;
      out.push(`${c.path}${v.type === 'dir' ? '/' : ''}`);
      walk(c);
    }
  };
  walk(model.tree.root);
  return out.sort();
}
