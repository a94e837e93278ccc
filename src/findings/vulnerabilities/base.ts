/**
 * Which layers are the base image's and which are the user's own.
 *
 * The base's name and digest come from the OCI annotations `org.opencontainers.image.base.name` /
 * `base.digest`: the image manifest's (Podman and Buildah write them, so do Docker's official
 * images), else the config's labels of the same names (where a Dockerfile's LABEL or a build tool
 * puts them). They name the base but not where its layers end (the base's own manifest is not at
 * hand offline), so the boundary comes from the history:
 *
 *  1. The step the builder marked as the first one on that base: Buildah/Podman write
 *     `FROM <base.name>` in the comment of the first history entry of the new image. Used only
 *     when the annotation names that same base.
 *  2. The base image's last step: a base image ends with its CMD or ENTRYPOINT (debian's
 *     `CMD ["bash"]`, node's `CMD ["node"]`), a metadata-only step that FROM copies into every
 *     image built on it. The last such step that still has filesystem layers after it ends the base.
 *  3. Otherwise, a pause in the history's `created` times: the latest gap of more than an hour
 *     between one step and the next (the base was built long before the image on top of it).
 *  4. Otherwise the base is not identified, and the report says so (naming the base when an
 *     annotation does).
 */
import { BASE_DIGEST_ANNOTATION, BASE_NAME_ANNOTATION } from '../../engine/annotations.js';
import type { HistoryEntry, ImageMeta } from '../../engine/types.js';

export interface BaseImage {
  /** Filesystem layers [0, layers) are the base image's. */
  layers: number;
  how: 'builder-comment' | 'history-cmd' | 'history-time' | 'none';
  /** From the base.name annotation (or label), when the image carries it. */
  name?: string;
  digest?: string;
  /** Where name and digest were read: the manifest's annotations or the config's labels. */
  namedBy?: 'annotation' | 'label';
}

const HOUR = 3600_000;

/** The first filesystem layer made at or after history entry `i` (it must not be layer 0). */
function layerFrom(h: HistoryEntry[], i: number): number | undefined {
  const next = h.slice(i).find((e) => e.layerIndex !== null);
  return next && next.layerIndex !== null && next.layerIndex > 0 ? next.layerIndex : undefined;
}

function named(meta: ImageMeta): Pick<BaseImage, 'name' | 'digest' | 'namedBy'> {
  const labels = meta.config.config?.Labels ?? {};
  for (const [map, namedBy] of [
    [meta.annotations ?? {}, 'annotation'],
    [labels, 'label'],
  ] as const) {
    const name = typeof map[BASE_NAME_ANNOTATION] === 'string' ? map[BASE_NAME_ANNOTATION].trim() : '';
    const digest = typeof map[BASE_DIGEST_ANNOTATION] === 'string' ? map[BASE_DIGEST_ANNOTATION].trim() : '';
    if (name || digest) return { ...(name ? { name } : {}), ...(digest ? { digest } : {}), namedBy };
  }
  return {};
}

export function baseImageOf(meta: ImageMeta): BaseImage {
  const extra = named(meta);
  const h = meta.history;
  // 1. Buildah's mark on the first step built on the named base.
  if (extra.name) {
    const i = h.findIndex((e) => (e.comment ?? '').trim() === `FROM ${extra.name}`);
    const at = i >= 0 ? layerFrom(h, i) : undefined;
    if (at !== undefined) return { layers: at, how: 'builder-comment', ...extra };
  }
  // 2. The last CMD/ENTRYPOINT step followed by a filesystem layer.
  for (let i = h.length - 1; i >= 0; i--) {
    if (!h[i].emptyLayer || !/^\s*(?:\/bin\/sh -c #\(nop\)\s*)?(?:CMD|ENTRYPOINT)\b/.test(h[i].createdBy ?? ''))
      continue;
    const at = layerFrom(h, i + 1);
    if (at !== undefined) return { layers: at, how: 'history-cmd', ...extra };
  }
  // 3. The latest pause of more than an hour between consecutive steps.
  for (let i = h.length - 1; i > 0; i--) {
    const a = Date.parse(h[i - 1].created ?? '');
    const b = Date.parse(h[i].created ?? '');
    if (!(b - a > HOUR)) continue;
    const at = layerFrom(h, i);
    if (at !== undefined) return { layers: at, how: 'history-time', ...extra };
  }
  return { layers: 0, how: 'none', ...extra };
}
