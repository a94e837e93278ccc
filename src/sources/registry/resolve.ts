/**
 * Reference → the image manifest to read: fetch the manifest (digest-checked), pick a platform
 * from an index (skipping attestation manifests), then fetch and check the config.
 */
import type { ImageConfig, Platform } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import type { ImageReference } from '../../reference/parse.js';
import type { RegistryClient } from './client.js';
import {
  MANIFEST_ACCEPT,
  MT,
  isAttestationManifest,
  isImageConfigType,
  parseManifest,
  verifyBodyDigest,
  type Descriptor,
  type ParsedManifest,
} from './manifest.js';
import { bestPlatformMatch, formatPlatform, hostPlatform, parsePlatform, samePlatform } from './platform.js';

const MANIFEST_LIMIT = 4 << 20;
const CONFIG_LIMIT = 64 << 20;

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
  const { res, body } = await client.fetchSmall({
    path: `/v2/${repository}/manifests/${reference}`,
    scopes: [`repository:${repository}:pull`],
    headers: { accept: MANIFEST_ACCEPT },
    limit: MANIFEST_LIMIT,
    what,
  });
  const header = res.headers['docker-content-digest'];
  const digest = verifyBodyDigest(body, what, expectedDigest, Array.isArray(header) ? header[0] : header);
  const ct = res.headers['content-type'];
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
      `${ref.familiar} is not a container image but an OCI artifact (config type ${m.config.mediaType}${m.artifactType ? `, artifact type ${m.artifactType}` : ''})`,
      'NOT_IMAGE',
    );
  }
  const what = `config of ${ref.familiar}`;
  const { body } = await client.fetchSmall({
    path: `/v2/${ref.repository}/blobs/${m.config.digest}`,
    scopes: [`repository:${ref.repository}:pull`],
    limit: CONFIG_LIMIT,
    what,
  });
  verifyBodyDigest(body, what, m.config.digest, undefined);
  let config: ImageConfig;
  try {
    config = JSON.parse(body.toString('utf8')) as ImageConfig;
  } catch {
    throw new LayerlensError(`${what} is not valid JSON`, 'BAD_CONFIG');
  }
  if (!config || typeof config !== 'object') throw new LayerlensError(`${what} is not a JSON object`, 'BAD_CONFIG');
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== m.layers.length) {
    throw new LayerlensError(
      `${ref.familiar}: the manifest lists ${m.layers.length} layers but the config has ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff_ids`,
      'BAD_CONFIG',
    );
  }
  return config;
}
