/**
 * Manifests as registries serve them: OCI index, Docker manifest list, OCI image manifest, Docker
 * schema 2. Schema 1 is refused with a clear message. Digests are checked on every body.
 *
 * The JSON is checked at this boundary: every field layerlens uses has the type the specs give it
 * (a descriptor's digest, size and media type; the lists; a platform's strings), lists are
 * bounded (limits.ts), and a wrong shape is one plain line saying which field. Messages name a
 * value only when it is short and has the syntax of its kind (a media type); they never quote a
 * body's bytes.
 */
import { createHash } from 'node:crypto';
import type { Platform } from '../../engine/types.js';
import { carryVariants, decodeAsGo } from '../../engine/go-json.js';
import { MANIFEST } from '../../engine/go-schemas.js';
import { manifestKind } from '../oci-layout/media-types.js';
import { LayerlensError } from '../../errors/index.js';
import { MAX_INDEX_ENTRIES, MAX_LAYERS } from './limits.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** Accept header for manifest GETs; without it some registries fall back to schema 1. */
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform & { 'os.version'?: string; 'os.features'?: string[] };
  annotations?: Record<string, string>;
  artifactType?: string;
  urls?: string[];
}

export type ParsedManifest =
  | {
      kind: 'index';
      mediaType: string;
      manifests: Descriptor[];
      subject?: Descriptor;
      annotations?: Record<string, string>;
    }
  | {
      kind: 'image';
      mediaType: string;
      config: Descriptor;
      layers: Descriptor[];
      subject?: Descriptor;
      artifactType?: string;
      annotations?: Record<string, string>;
    };

const DIGEST_RE = /^(sha256|sha384|sha512):([a-f0-9]+)$/;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export function digestOf(buf: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(buf).digest('hex')}`;
}

/** A digest of a known algorithm with a hex part of the right length. */
export function isDigest(d: string): boolean {
  const m = DIGEST_RE.exec(d);
  return !!m && m[2].length === HEX_LENGTH[m[1]];
}

export function checkDigestSyntax(d: string, what: string): void {
  if (!isDigest(d))
    throw new LayerlensError(
      `${what} has an invalid digest (not sha256:, sha384: or sha512: and its hex)`,
      'BAD_MANIFEST',
    );
}

const MEDIA_TYPE_RE = /^[A-Za-z0-9][\w!#$&^.+-]{0,63}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}$/;

/** A media type as a message may show it: itself when it has the syntax of one, else a description. */
export function showMediaType(t: string): string {
  return MEDIA_TYPE_RE.test(t) ? t : 'an invalid media type';
}

export function digestAlgorithm(d: string): string {
  return d.slice(0, d.indexOf(':'));
}

/** Verify a body against the digest we asked for and/or the Docker-Content-Digest header. */
export function verifyBodyDigest(
  body: Buffer,
  what: string,
  expected: string | undefined,
  header: string | undefined,
): string {
  const algo = expected ? digestAlgorithm(expected) : header && isDigest(header) ? digestAlgorithm(header) : 'sha256';
  const actual = digestOf(body, algo);
  if (expected && actual !== expected) {
    throw new LayerlensError(
      `${what}: the registry sent data hashing to ${actual}, not the requested ${expected} (corrupted or tampered)`,
      'DIGEST_MISMATCH',
    );
  }
  if (header && isDigest(header)) {
    const viaHeader = digestAlgorithm(header) === algo ? actual : digestOf(body, digestAlgorithm(header));
    if (viaHeader !== header) {
      throw new LayerlensError(
        `${what}: Docker-Content-Digest says ${header} but the body hashes to ${viaHeader} (corrupted or tampered)`,
        'DIGEST_MISMATCH',
      );
    }
  }
  return expected ?? (header && isDigest(header) ? header : actual);
}

export function parseManifest(body: Buffer, contentType: string | undefined, what: string): ParsedManifest {
  let j: Record<string, unknown>;
  try {
    j = decodeAsGo(body.toString('utf8'), MANIFEST, `${what}: the manifest`) as Record<string, unknown>;
  } catch (err) {
    throw new LayerlensError((err as Error).message, 'BAD_MANIFEST');
  }
  if (!j || typeof j !== 'object' || Array.isArray(j))
    throw new LayerlensError(`${what}: the manifest is not a JSON object`, 'BAD_MANIFEST');
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const mediaType = (typeof j.mediaType === 'string' ? j.mediaType : '') || ct;
  if (
    j.schemaVersion === 1 ||
    ct === MT.schema1 ||
    ct === MT.schema1Signed ||
    mediaType === MT.schema1 ||
    mediaType === MT.schema1Signed
  ) {
    throw new LayerlensError(
      `${what} is a Docker schema 1 manifest, a format deprecated since 2017 that layerlens does not read; push the image again with a current docker, buildx or skopeo`,
      'SCHEMA1',
    );
  }
  if (j.schemaVersion !== 2)
    throw new LayerlensError(
      `${what}: unsupported manifest schemaVersion ${typeof j.schemaVersion === 'number' ? j.schemaVersion : `(${j.schemaVersion === undefined ? 'missing' : `a ${typeName(j.schemaVersion)}`})`}`,
      'BAD_MANIFEST',
    );
  if (j.mediaType !== undefined && typeof j.mediaType !== 'string')
    throw new LayerlensError(`${what}: mediaType is not a string`, 'BAD_MANIFEST');
  const annotations = isStringMap(j.annotations) ? j.annotations : undefined;
  const subject = j.subject !== undefined ? descriptor(j.subject, `${what} subject`) : undefined;
  // Manifest or index: by the type it was served as, else its own, else its fields; never both.
  const kind = manifestKind(j, ct || undefined, what);
  if (kind === 'index') {
    if (!Array.isArray(j.manifests))
      throw new LayerlensError(`${what}: an index without a "manifests" list`, 'BAD_MANIFEST');
    if (j.manifests.length > MAX_INDEX_ENTRIES)
      throw new LayerlensError(
        `${what}: an index of ${j.manifests.length} manifests (the limit is ${MAX_INDEX_ENTRIES})`,
        'TOO_LARGE',
      );
    return withVariants(j, {
      kind: 'index',
      mediaType: mediaType || MT.ociIndex,
      manifests: j.manifests.map((d, i) => descriptor(d, `${what} manifests[${i}]`)),
      subject,
      annotations,
    });
  }
  if (kind === 'manifest') {
    if (!Array.isArray(j.layers)) throw new LayerlensError(`${what}: "layers" is not a list`, 'BAD_MANIFEST');
    if (j.config === undefined) throw new LayerlensError(`${what}: no "config" descriptor`, 'BAD_MANIFEST');
    if (j.layers.length > MAX_LAYERS)
      throw new LayerlensError(`${what}: ${j.layers.length} layers (the limit is ${MAX_LAYERS})`, 'TOO_LARGE');
    if (j.artifactType !== undefined && typeof j.artifactType !== 'string')
      throw new LayerlensError(`${what}: artifactType is not a string`, 'BAD_MANIFEST');
    return withVariants(j, {
      kind: 'image',
      mediaType: mediaType || MT.ociManifest,
      config: descriptor(j.config, `${what} config`),
      layers: j.layers.map((d, i) => descriptor(d, `${what} layers[${i}]`)),
      subject,
      artifactType: j.artifactType as string | undefined,
      annotations,
    });
  }
  throw new LayerlensError(
    `${what}: unknown manifest type ${mediaType ? showMediaType(mediaType) : '(no mediaType)'}`,
    'BAD_MANIFEST',
  );
}

/** The parsed manifest, keeping the document's key variants (engine/go-json.ts). */
function withVariants<T extends object>(doc: unknown, parsed: T): T {
  carryVariants(doc, parsed);
  return parsed;
}

function typeName(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'list' : typeof x;
}

function descriptor(x: unknown, what: string): Descriptor {
  if (!x || typeof x !== 'object' || Array.isArray(x))
    throw new LayerlensError(`${what}: a descriptor must be a JSON object, not ${typeName(x)}`, 'BAD_MANIFEST');
  const d = x as Record<string, unknown>;
  if (typeof d.digest !== 'string') throw new LayerlensError(`${what}: descriptor without a digest`, 'BAD_MANIFEST');
  checkDigestSyntax(d.digest, what);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0)
    throw new LayerlensError(`${what}: size is not a non-negative integer`, 'BAD_MANIFEST');
  if (d.mediaType !== undefined && typeof d.mediaType !== 'string')
    throw new LayerlensError(`${what}: mediaType is not a string`, 'BAD_MANIFEST');
  const out: Descriptor = { mediaType: (d.mediaType as string | undefined) ?? '', digest: d.digest, size: d.size };
  const p = d.platform;
  if (p !== undefined) {
    const q = p as Record<string, unknown>;
    if (!q || typeof q !== 'object' || typeof q.os !== 'string' || typeof q.architecture !== 'string')
      throw new LayerlensError(`${what}: platform needs "os" and "architecture" strings`, 'BAD_MANIFEST');
    out.platform = { os: q.os, architecture: q.architecture };
    if (typeof q.variant === 'string' && q.variant) out.platform.variant = q.variant;
    if (typeof q['os.version'] === 'string') out.platform['os.version'] = q['os.version'];
  }
  if (isStringMap(d.annotations)) out.annotations = d.annotations;
  if (typeof d.artifactType === 'string') out.artifactType = d.artifactType;
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  return out;
}

function isStringMap(x: unknown): x is Record<string, string> {
  return !!x && typeof x === 'object' && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
}

/** BuildKit attestation manifests (provenance/SBOM) ride in indexes as unknown/unknown. */
export function isAttestationManifest(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown';
}

export function isImageConfigType(mediaType: string): boolean {
  return mediaType === MT.ociConfig || mediaType === MT.dockerConfig || mediaType === '';
}
