/**
 * Reference → the image manifest to read: fetch the manifest (digest-checked), pick a platform
 * from an index (skipping attestation manifests), then fetch and check the config.
 */
import type { ImageConfig, Platform } from '../../engine/types.js';
import { decodeAsGo } from '../../engine/go-json.js';
import { IMAGE_CONFIG } from '../../engine/go-schemas.js';
import { LayerlensError } from '../../errors/index.js';
import type { ImageReference } from '../../reference/parse.js';
import type { RegistryClient } from './client.js';
import {
  MANIFEST_ACCEPT,
  MT,
  isAttestationManifest,
  isDigest,
  isImageConfigType,
  parseManifest,
  showMediaType,
  verifyBodyDigest,
  type Descriptor,
  type ParsedManifest,
} from './manifest.js';
import { CONFIG_LIMIT, MANIFEST_LIMIT } from './limits.js';
import { bestPlatformMatch, formatPlatform, hostPlatform, parsePlatform, samePlatform } from './platform.js';

export interface FetchedManifest {
  digest: string;
  manifest: ParsedManifest;
  size: number;
}

export interface ResolvedImage {
  manifestDigest: string;
  manifest: Extract<ParsedManifest, { kind: 'image' }>;
  indexDigest?: string;
  indexManifests?: Descriptor[];
  /** The index document itself (its key variants: ImageMeta.keyVariants). */
  index?: object;
  /** Platform as the index described it. */
  indexPlatform?: Platform;
  notes: string[];
}

export async function fetchManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  expectedDigest: string | undefined,
  what: string,
): Promise<FetchedManifest> {
  const { headers, body } = await client.fetchOk({
    path: `/v2/${repository}/manifests/${reference}`,
    scopes: [`repository:${repository}:pull`],
    headers: { accept: MANIFEST_ACCEPT },
    limit: MANIFEST_LIMIT,
    what,
  });
  const header = headers['docker-content-digest'];
  const digest = verifyBodyDigest(body, what, expectedDigest, Array.isArray(header) ? header[0] : header);
  const ct = headers['content-type'];
  return { digest, manifest: parseManifest(body, Array.isArray(ct) ? ct[0] : ct, what), size: body.length };
}

export async function resolveImage(
  client: RegistryClient,
  ref: ImageReference,
  platformOption: string | undefined,
): Promise<ResolvedImage> {
  const repo = ref.repository;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const top = await fetchManifest(client, repo, reference, ref.digest, `manifest of ${ref.familiar}`);
  const notes: string[] = [];
  if (top.manifest.kind === 'image') {
    if (platformOption)
      notes.push(`--platform ${platformOption}: ${ref.familiar} is a single-platform image; reading it as is`);
    return { manifestDigest: top.digest, manifest: top.manifest, notes };
  }
  const wanted = platformOption ? parsePlatform(platformOption) : hostPlatform();
  const candidates = top.manifest.manifests.filter(
    (d) =>
      !isAttestationManifest(d) &&
      (d.mediaType === '' || d.mediaType === MT.ociManifest || d.mediaType === MT.dockerManifest),
  );
  const i = bestPlatformMatch(
    wanted,
    candidates.map((d) => d.platform),
  );
  if (i < 0) {
    const available = candidates.map((d) => (d.platform ? formatPlatform(d.platform) : 'unknown')).join(', ') || 'none';
    throw new LayerlensError(
      `${ref.familiar} has no image for ${formatPlatform(wanted)}${platformOption ? '' : ' (this machine)'}; available: ${available}${platformOption ? '' : ' — pick one with --platform'}`,
      'NO_PLATFORM',
    );
  }
  const desc = candidates[i];
  const got = desc.platform!;
  notes.push(
    samePlatform(got, wanted)
      ? `platform ${formatPlatform(got)} from a ${candidates.length}-platform index ${top.digest}`
      : `platform ${formatPlatform(wanted)} is not in the index; using the compatible ${formatPlatform(got)} (index ${top.digest})`,
  );
  const chosen = await fetchManifest(
    client,
    repo,
    desc.digest,
    desc.digest,
    `manifest ${desc.digest} of ${ref.familiar} (${formatPlatform(got)})`,
  );
  if (chosen.manifest.kind !== 'image')
    throw new LayerlensError(`${ref.familiar}: nested indexes are not supported`, 'BAD_MANIFEST');
  return {
    manifestDigest: chosen.digest,
    manifest: chosen.manifest,
    indexDigest: top.digest,
    indexManifests: top.manifest.manifests,
    index: top.manifest,
    indexPlatform: got,
    notes,
  };
}

export async function fetchConfig(
  client: RegistryClient,
  ref: ImageReference,
  m: Extract<ParsedManifest, { kind: 'image' }>,
): Promise<ImageConfig> {
  if (!isImageConfigType(m.config.mediaType)) {
    throw new LayerlensError(
      `${ref.familiar} is not a container image but an OCI artifact (config type ${showMediaType(m.config.mediaType)}${m.artifactType ? `, artifact type ${showMediaType(m.artifactType)}` : ''})`,
      'NOT_IMAGE',
    );
  }
  const what = `config of ${ref.familiar}`;
  const { body } = await client.fetchOk({
    path: `/v2/${ref.repository}/blobs/${m.config.digest}`,
    scopes: [`repository:${ref.repository}:pull`],
    limit: CONFIG_LIMIT,
    what,
  });
  verifyBodyDigest(body, what, m.config.digest, undefined);
  return parseConfig(body, what, m.layers.length, ref.familiar);
}

/**
 * The config's JSON, checked for what this source relies on: an object, `rootfs.diff_ids` a list
 * of digests with one per manifest layer, `os`/`architecture`/`variant` strings when present.
 */
export function parseConfig(body: Buffer, what: string, layers: number, image: string): ImageConfig {
  let j: unknown;
  try {
    j = decodeAsGo(body.toString('utf8'), IMAGE_CONFIG, what);
  } catch (err) {
    throw new LayerlensError((err as Error).message, 'BAD_CONFIG');
  }
  if (!j || typeof j !== 'object' || Array.isArray(j))
    throw new LayerlensError(`${what} is not a JSON object`, 'BAD_CONFIG');
  const config = j as ImageConfig;
  for (const key of ['os', 'architecture', 'variant'] as const)
    if (config[key] !== undefined && typeof config[key] !== 'string')
      throw new LayerlensError(`${what}: "${key}" is not a string`, 'BAD_CONFIG');
  const diffIds: unknown = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== layers) {
    throw new LayerlensError(
      `${image}: the manifest lists ${layers} layers but the config has ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff_ids`,
      'BAD_CONFIG',
    );
  }
  diffIds.forEach((d: unknown, i) => {
    if (typeof d !== 'string' || !isDigest(d))
      throw new LayerlensError(`${what}: rootfs.diff_ids[${i}] is not a digest`, 'BAD_CONFIG');
  });
  return config;
}
