/**
 * Sizes of two images: the layers uncompressed and as stored (compressed where the source stores
 * them so), the final filesystem's file bytes, and the wasted bytes by cause (the efficiency
 * check's figures, so a diff and a scan never disagree).
 */
import type { ImageModel } from '../../engine/image.js';
import type { EfficiencyReport } from '../efficiency.js';
import type { LayerRef, SideSizes } from './types.js';

/** Content bytes of the regular files in the final filesystem. */
export function finalFileBytes(model: ImageModel): number {
  const top = model.tree.layerCount - 1;
  let n = 0;
  for (const node of model.tree.allNodes) {
    const v = node.liveAt(top);
    if (v && v.type === 'file') n += v.size;
  }
  return n;
}

export function sideSizes(model: ImageModel, layers: LayerRef[], eff: EfficiencyReport): SideSizes {
  let uncompressed = 0;
  let compressed: number | null = 0;
  for (const l of layers) {
    uncompressed += l.size ?? 0;
    compressed = compressed === null || l.compressedSize === null ? null : compressed + l.compressedSize;
  }
  return {
    layers: layers.length,
    uncompressed,
    compressed,
    files: finalFileBytes(model),
    wasted: eff.wastedBytes,
    wastedByCause: { ...eff.byCause },
  };
}
