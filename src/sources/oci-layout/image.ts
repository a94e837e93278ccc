/**
 * An OCI layout (directory, OCI archive, Docker 25+ / containerd `docker save`) → the chosen
 * image's metadata and the store members holding its layers.
 */
import { documentVariants } from '../../engine/go-json.js';
import { stringAnnotations } from '../../engine/annotations.js';
import { mapHistory } from '../../engine/history.js';
import type { ImageMeta, SourceKind } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { blobPath } from './digest.js';
import { ANNOTATION_STARGZ_TOC, isForeignLayer, manifestKind, OCI_INDEX } from './media-types.js';
import { selectImage, isObject, type SelectOptions } from './select.js';
import { MANIFEST } from '../../engine/go-schemas.js';
import { readJsonMember, type LayoutStore } from './store.js';

export interface ReadOptions extends SelectOptions {
  /** What the user asked for (path, path:tag), kept as ImageMeta.reference. */
  reference: string;
  source: SourceKind;
}

/** An image found in a store: metadata plus where each layer's bytes are. */
export interface ResolvedImage {
  meta: ImageMeta;
  /** Store member holding each filesystem layer's blob, in layer order (may repeat). */
  layerMembers: string[];
  /** Digest to verify each blob against while streaming; undefined where the diffID check covers it. */
  layerDigests: (string | undefined)[];
}

export async function hasOciLayout(store: LayoutStore): Promise<boolean> {
  return (await store.size('index.json')) !== undefined;
}

export async function readOciImage(store: LayoutStore, opts: ReadOptions): Promise<ResolvedImage> {
  const layout = await readJsonMember(store, 'oci-layout', 'oci-layout');
  if (layout !== undefined) {
    const v = isObject(layout) ? layout.imageLayoutVersion : undefined;
    if (typeof v !== 'string')
      throw new LayerlensError(`${store.label}: its oci-layout file names no imageLayoutVersion`, 'BAD_SCHEMA');
    if (!/^1\./.test(v))
      throw new LayerlensError(
        `${store.label}: unsupported OCI layout version ${JSON.stringify(v.slice(0, 40))}`,
        'UNSUPPORTED',
      );
  }
  const index = await readJsonMember(store, 'index.json', 'index.json', MANIFEST);
  if (index === undefined)
    throw new LayerlensError(`${store.label} has no index.json: not an OCI image layout`, 'NOT_IMAGE');
  if (isObject(index)) manifestKind(index, OCI_INDEX, `index.json of ${store.label}`);
  const sel = await selectImage(store, index, opts);
  const diffIds = sel.config.rootfs!.diff_ids;
  const layerMembers: string[] = [];
  const layerDigests: (string | undefined)[] = [];
  for (const [i, l] of sel.manifest.layers.entries()) {
    const member = blobPath(l.digest);
    if ((await store.size(member)) === undefined) {
      const foreign = isForeignLayer(l.mediaType) || !!l.urls?.length;
      throw new LayerlensError(
        `${store.label}: layer ${i} blob ${l.digest} is missing` +
          (foreign ? ' (a non-distributable layer that is fetched from its URLs)' : ''),
        'MISSING_BLOB',
      );
    }
    layerMembers.push(member);
    layerDigests.push(l.digest === diffIds[i] ? undefined : l.digest);
  }
  const meta: ImageMeta = {
    reference: opts.reference,
    source: opts.source,
    digest: sel.manifestDescriptor.digest,
    configDigest: sel.configDigest,
    platform: sel.platform,
    config: sel.config,
    layers: sel.manifest.layers.map((l, i) => ({
      digest: l.digest,
      diffId: diffIds[i],
      mediaType: l.mediaType,
      compressedSize: l.size,
      ...(l.annotations?.[ANNOTATION_STARGZ_TOC] ? { estargz: true } : {}),
    })),
    history: mapHistory(sel.config),
    repoTags: sel.names.length ? [...new Set(sel.names)] : undefined,
    annotations: stringAnnotations(sel.manifest.annotations, sel.manifestDescriptor.annotations),
  };
  const variants = documentVariants([
    ['image index', index],
    ...sel.indexes,
    ['manifest', sel.manifest],
    ['image config', sel.config],
  ]);
  if (variants.length) meta.keyVariants = variants;
  return { meta, layerMembers, layerDigests };
}
