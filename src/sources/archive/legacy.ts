/**
 * The `docker save` manifest.json (legacy shape, Engine ≤ 24: `[{Config, RepoTags, Layers}]` with
 * `<id>/layer.tar` members) → the chosen image's metadata and layer members. Docker 25+ archives
 * carry an OCI layout too and are read through index.json instead.
 */
import { documentVariants } from '../../engine/go-json.js';
import path from 'node:path';
import { mapHistory } from '../../engine/history.js';
import { MAX_INDEX_MANIFESTS, limitError, limits } from '../../engine/limits.js';
import type { ImageMeta } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { digestOf, shortDigest, verifyBuffer } from '../oci-layout/digest.js';
import type { ReadOptions, ResolvedImage } from '../oci-layout/image.js';
import { anyNameMatches, listNames } from '../oci-layout/names.js';
import { formatPlatform, normalizePlatform, parsePlatform, platformScore } from '../oci-layout/platform.js';
import { checkConfig, isObject } from '../oci-layout/select.js';
import { DOCKER_SAVE_MANIFEST, IMAGE_CONFIG } from '../../engine/go-schemas.js';
import { checkJsonSize, parseJson, readJsonMember, type LayoutStore } from '../oci-layout/store.js';

interface LegacyEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

function checkEntries(body: unknown, label: string): LegacyEntry[] {
  const what = `manifest.json of ${label}`;
  if (!Array.isArray(body)) throw new LayerlensError(`${what} is not a list of images`, 'BAD_SCHEMA');
  if (!body.length) throw new LayerlensError(`${what} lists no image`, 'NOT_IMAGE');
  if (body.length > MAX_INDEX_MANIFESTS)
    throw new LayerlensError(
      `${what} lists ${body.length} images (at most ${MAX_INDEX_MANIFESTS} are read)`,
      'TOO_LARGE',
    );
  return body.map((e, i) => {
    if (
      !isObject(e) ||
      typeof e.Config !== 'string' ||
      !Array.isArray(e.Layers) ||
      !e.Layers.every((l) => typeof l === 'string')
    ) {
      throw new LayerlensError(`${what}: entry ${i} needs "Config" and "Layers"`, 'BAD_SCHEMA');
    }
    if (e.Layers.length > limits().maxLayers)
      throw limitError('maxLayers', `${what}: entry ${i} lists ${e.Layers.length} layers`);
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { Config: e.Config, RepoTags: tags, Layers: e.Layers as string[] };
  });
}

/** The sha256 a member's name promises (`<hex>.json`, `blobs/sha256/<hex>`), if any. */
function digestFromName(name: string): string | undefined {
  const m = /^(?:blobs\/sha256\/([0-9a-f]{64})|([0-9a-f]{64})\.json)$/.exec(path.posix.normalize(name));
  return m ? `sha256:${m[1] ?? m[2]}` : undefined;
}

export async function readLegacyImage(store: LayoutStore, opts: ReadOptions): Promise<ResolvedImage> {
  const label = store.label;
  const doc = await readJsonMember(store, 'manifest.json', 'manifest.json', DOCKER_SAVE_MANIFEST);
  let entries = checkEntries(doc, label);
  const allTags = entries.flatMap((e) => e.RepoTags);
  if (opts.tag !== undefined) {
    const tag = opts.tag;
    entries = entries.filter((e) => anyNameMatches(tag, e.RepoTags));
    if (!entries.length)
      throw new LayerlensError(
        `${label} has no image tagged ${JSON.stringify(tag)}; tags: ${listNames(allTags)}`,
        'NOT_FOUND',
      );
  }
  const loaded = [];
  for (const e of entries) loaded.push({ entry: e, ...(await loadConfig(store, e)) });
  let chosen = loaded;
  if (opts.platform !== undefined) {
    const want = parsePlatform(opts.platform);
    chosen = loaded.filter(
      (l) =>
        l.config.os &&
        l.config.architecture &&
        platformScore(want, { os: l.config.os, architecture: l.config.architecture, variant: l.config.variant }) > 0,
    );
    if (!chosen.length) {
      const have = [
        ...new Set(
          loaded.map((l) =>
            formatPlatform(
              l.config.os
                ? { os: l.config.os, architecture: l.config.architecture ?? '?', variant: l.config.variant }
                : undefined,
            ),
          ),
        ),
      ];
      throw new LayerlensError(
        `${label} has no image for ${formatPlatform(want)}; it holds ${have.join(', ')}`,
        'PLATFORM',
      );
    }
  }
  if (chosen.length > 1) {
    throw new LayerlensError(
      `${label} holds ${chosen.length} images; pick one as PATH:TAG — tags: ${listNames(chosen.flatMap((l) => l.entry.RepoTags))}`,
      'AMBIGUOUS',
    );
  }
  const { entry, config, configDigest } = chosen[0];
  const diffIds = config.rootfs!.diff_ids;
  const layerMembers: string[] = [];
  const layerDigests: (string | undefined)[] = [];
  const sizes: (number | undefined)[] = [];
  for (const [i, member] of entry.Layers.entries()) {
    const size = await store.size(member);
    if (size === undefined)
      throw new LayerlensError(
        `${label}: layer ${i} (${member}, diffID ${shortDigest(diffIds[i])}) is missing`,
        'MISSING_BLOB',
      );
    const named = digestFromName(member);
    layerMembers.push(member);
    layerDigests.push(named && named !== diffIds[i] ? named : undefined);
    sizes.push(size);
  }
  const platform =
    config.os && config.architecture
      ? normalizePlatform({ os: config.os, architecture: config.architecture, variant: config.variant })
      : undefined;
  const meta: ImageMeta = {
    reference: opts.reference,
    source: opts.source,
    digest: configDigest,
    configDigest,
    platform,
    config,
    layers: entry.Layers.map((m, i) => ({ digest: digestFromName(m), diffId: diffIds[i], compressedSize: sizes[i] })),
    history: mapHistory(config),
    repoTags: entry.RepoTags.length ? entry.RepoTags : undefined,
  };
  const variants = documentVariants([
    ['manifest.json', doc],
    ['image config', config],
  ]);
  if (variants.length) meta.keyVariants = variants;
  return { meta, layerMembers, layerDigests };
}

async function loadConfig(store: LayoutStore, e: LegacyEntry) {
  const what = `image config ${e.Config} in ${store.label}`;
  const size = await store.size(e.Config);
  if (size === undefined)
    throw new LayerlensError(`${store.label}: image config ${e.Config} is missing`, 'MISSING_BLOB');
  checkJsonSize(size, what);
  const data = (await store.read(e.Config))!;
  const named = digestFromName(e.Config);
  if (named) verifyBuffer(data, named, what);
  const config = checkConfig(parseJson(data, what, IMAGE_CONFIG), what, e.Layers.length);
  // The image ID is the sha256 of the config bytes.
  const configDigest = named ?? digestOf(data);
  return { config, configDigest };
}
