/**
 * Media types layerlens understands. Layers are decoded by magic bytes, not by these names; the
 * names only tell an image from an artifact and an index from a manifest.
 */
import { LayerlensError } from '../../errors/index.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

export const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
export const MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
export const CONFIG_TYPES = new Set([OCI_CONFIG, DOCKER_CONFIG]);

/** Filesystem layer media types (OCI, its non-distributable variants, Docker v2 and foreign). */
export const LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar',
]);

/** Layers that registries do not serve: the blob is often absent from layouts too. */
export function isForeignLayer(mediaType: string | undefined): boolean {
  return !!mediaType && (mediaType.includes('.foreign.') || mediaType.includes('.nondistributable.'));
}

export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';
export const ANNOTATION_REFERENCE_TYPE = 'vnd.docker.reference.type';
/** eStargz layers carry their TOC's digest under this annotation. */
export const ANNOTATION_STARGZ_TOC = 'containerd.io/snapshot/stargz/toc.digest';

/**
 * Whether a manifest document is an image manifest or an index, as containerd and the registries
 * decide since CVE-2021-41190: by the type it was served or listed as (`declared`: a Content-Type,
 * a parent index's descriptor), else by its own `mediaType`, else by its fields; and never both.
 * A document whose type and fields disagree (a manifest with `manifests`, an index with `layers`
 * or `config`, a `mediaType` other than declared) is refused: one reader would take it for the
 * one, another for the other, and show other layers than a container runs. Returns undefined when
 * it is neither (the caller says what it is).
 */
export function manifestKind(
  doc: Record<string, unknown>,
  declared: string | undefined,
  what: string,
): 'index' | 'manifest' | undefined {
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const kindOf = (t: string | undefined) =>
    t === undefined ? undefined : INDEX_TYPES.has(t) ? 'index' : MANIFEST_TYPES.has(t) ? 'manifest' : undefined;
  const hasIndexFields = doc.manifests !== undefined;
  const hasManifestFields = doc.layers !== undefined || doc.config !== undefined;
  const kind =
    kindOf(declared) ?? kindOf(own) ?? (hasIndexFields ? 'index' : hasManifestFields ? 'manifest' : undefined);
  const refuse = (why: string) =>
    new LayerlensError(
      `${what} is ambiguous: ${why}; runtimes refuse such a document (CVE-2021-41190), since readers could take it for a manifest or for an index`,
      'BAD_MANIFEST',
    );
  if (kind === 'manifest' && (hasIndexFields || kindOf(own) === 'index'))
    throw refuse(
      hasIndexFields
        ? 'an image manifest that also lists "manifests"'
        : `an image manifest whose mediaType says ${own}`,
    );
  if (kind === 'index' && (hasManifestFields || kindOf(own) === 'manifest'))
    throw refuse(
      hasManifestFields ? 'an index that also has "layers" or "config"' : `an index whose mediaType says ${own}`,
    );
  return kind;
}
