/**
 * Manifests as registries serve them: OCI index, Docker manifest list, OCI image manifest, Docker
 * schema 2. Schema 1 is refused with a clear message. Digests are checked on every body.
 */
import { createHash } from 'node:crypto';
import type { Platform } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';

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

export function checkDigestSyntax(d: string, what: string): void {
  const m = DIGEST_RE.exec(d);
  if (!m || m[2].length !== HEX_LENGTH[m[1]])
    throw new LayerlensError(`${what} has an invalid digest "${d.slice(0, 80)}"`, 'BAD_MANIFEST');
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
  const algo = expected
    ? digestAlgorithm(expected)
    : header && DIGEST_RE.test(header)
      ? digestAlgorithm(header)
      : 'sha256';
  const actual = digestOf(body, algo);
  if (expected && actual !== expected) {
    throw new LayerlensError(
      `${what}: the registry sent data hashing to ${actual}, not the requested ${expected} (corrupted or tampered)`,
      'DIGEST_MISMATCH',
    );
  }
  if (header && DIGEST_RE.test(header)) {
    const viaHeader = digestAlgorithm(header) === algo ? actual : digestOf(body, digestAlgorithm(header));
    if (viaHeader !== header) {
      throw new LayerlensError(
        `${what}: Docker-Content-Digest says ${header} but the body hashes to ${viaHeader} (corrupted or tampered)`,
        'DIGEST_MISMATCH',
      );
    }
  }
  return expected ?? (header && DIGEST_RE.test(header) ? header : actual);
}

export function parseManifest(body: Buffer, contentType: string | undefined, what: string): ParsedManifest {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new LayerlensError(`${what}: the manifest is not valid JSON`, 'BAD_MANIFEST');
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
      `${what}: unsupported manifest schemaVersion ${JSON.stringify(j.schemaVersion)}`,
      'BAD_MANIFEST',
    );
  const annotations = isStringMap(j.annotations) ? j.annotations : undefined;
  const subject = j.subject ? descriptor(j.subject, `${what} subject`) : undefined;
  if (Array.isArray(j.manifests) || mediaType === MT.ociIndex || mediaType === MT.dockerList) {
    if (!Array.isArray(j.manifests)) throw new LayerlensError(`${what}: an index without "manifests"`, 'BAD_MANIFEST');
    return {
      kind: 'index',
      mediaType: mediaType || MT.ociIndex,
      manifests: j.manifests.map((d, i) => descriptor(d, `${what} manifests[${i}]`)),
      subject,
      annotations,
    };
  }
  if (j.config && Array.isArray(j.layers)) {
    return {
      kind: 'image',
      mediaType: mediaType || MT.ociManifest,
      config: descriptor(j.config, `${what} config`),
      layers: j.layers.map((d, i) => descriptor(d, `${what} layers[${i}]`)),
      subject,
      artifactType: typeof j.artifactType === 'string' ? j.artifactType : undefined,
      annotations,
    };
  }
  throw new LayerlensError(`${what}: unknown manifest type ${JSON.stringify(mediaType || 'none')}`, 'BAD_MANIFEST');
}

function descriptor(x: unknown, what: string): Descriptor {
  const d = x as Record<string, unknown>;
  if (!d || typeof d !== 'object' || typeof d.digest !== 'string')
    throw new LayerlensError(`${what}: descriptor without a digest`, 'BAD_MANIFEST');
  checkDigestSyntax(d.digest, what);
  const size = typeof d.size === 'number' && Number.isSafeInteger(d.size) && d.size >= 0 ? d.size : -1;
  const out: Descriptor = { mediaType: typeof d.mediaType === 'string' ? d.mediaType : '', digest: d.digest, size };
  const p = d.platform as Record<string, unknown> | undefined;
  if (p && typeof p.os === 'string' && typeof p.architecture === 'string') {
    out.platform = { os: p.os, architecture: p.architecture };
    if (typeof p.variant === 'string' && p.variant) out.platform.variant = p.variant;
    if (typeof p['os.version'] === 'string') out.platform['os.version'] = p['os.version'];
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
