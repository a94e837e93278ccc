/**
 * Which layers are the base image's and which are the user's own. The OCI annotations
 * `org.opencontainers.image.base.name` / `base.digest` (read from the config's labels, where
 * builders also write them) name the base but not where it ends, so the boundary comes from the
 * history:
 *
 *  1. The base image's last step: a base image ends with its CMD or ENTRYPOINT (debian's
 *     `CMD ["bash"]`, node's `CMD ["node"]`), a metadata-only step that FROM copies into every
 *     image built on it. The last such step that still has filesystem layers after it ends the base.
 *  2. Otherwise, a pause in the history's `created` times: the latest gap of more than an hour
 *     between one step and the next (the base was built long before the image on top of it).
 *  3. Otherwise the base is not identified, and the report says so.
 */
import type { ImageMeta } from '../../engine/types.js';

export interface BaseImage {
  /** Filesystem layers [0, layers) are the base image's. */
  layers: number;
  how: 'history-cmd' | 'history-time' | 'none';
  /** From the base.name annotation, when the image carries it. */
  name?: string;
  digest?: string;
}

const HOUR = 3600_000;

export function baseImageOf(meta: ImageMeta): BaseImage {
  const labels = meta.config.config?.Labels ?? {};
  const name = labels['org.opencontainers.image.base.name'] || undefined;
  const digest = labels['org.opencontainers.image.base.digest'] || undefined;
  const extra = { ...(name ? { name } : {}), ...(digest ? { digest } : {}) };
  const h = meta.history;
  // 1. The last CMD/ENTRYPOINT step followed by a filesystem layer.
  for (let i = h.length - 1; i >= 0; i--) {
    if (!h[i].emptyLayer || !/^\s*(?:\/bin\/sh -c #\(nop\)\s*)?(?:CMD|ENTRYPOINT)\b/.test(h[i].createdBy ?? ''))
      continue;
    const next = h.slice(i + 1).find((e) => e.layerIndex !== null);
    if (next && next.layerIndex !== null && next.layerIndex > 0)
      return { layers: next.layerIndex, how: 'history-cmd', ...extra };
  }
  // 2. The latest pause of more than an hour between consecutive steps.
  for (let i = h.length - 1; i > 0; i--) {
    const a = Date.parse(h[i - 1].created ?? '');
    const b = Date.parse(h[i].created ?? '');
    if (!(b - a > HOUR)) continue;
    const next = h.slice(i).find((e) => e.layerIndex !== null);
    if (next && next.layerIndex !== null && next.layerIndex > 0)
      return { layers: next.layerIndex, how: 'history-time', ...extra };
  }
  return { layers: 0, how: 'none', ...extra };
}
