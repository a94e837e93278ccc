/**
 * Walk an OCI image index (index.json, nested indexes, Docker manifest lists) down to the one
 * image manifest the user means: by tag (ref.name / containerd name annotations) and platform
 * (`--platform`, else the host's). Used by OCI layout directories, OCI archives and Docker 25+ /
 * containerd `docker save` archives alike. Blobs of other platforms may be missing (containerd
 * exports only what was pulled): that is fine unless the chosen one is missing.
 */
import { carryVariants } from '../../engine/go-json.js';
import { checkImageConfig } from '../../engine/config-shape.js';
import { IMAGE_CONFIG, MANIFEST } from '../../engine/go-schemas.js';
import { MAX_INDEX_MANIFESTS, MAX_INDEX_WALK, limitError, limits } from '../../engine/limits.js';
import type { ImageConfig, Platform } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { formatCount } from '../../text/bytes.js';
import { blobPath, parseDigest, shortDigest } from './digest.js';
import {
  ANNOTATION_CONTAINERD_NAME,
  ANNOTATION_REF_NAME,
  ANNOTATION_REFERENCE_TYPE,
  CONFIG_TYPES,
  INDEX_TYPES,
  LAYER_TYPES,
  MANIFEST_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
  manifestKind,
} from './media-types.js';
import { anyNameMatches, listNames } from './names.js';
import {
  formatPlatform,
  hostPlatform,
  isUnknownPlatform,
  normalizePlatform,
  parsePlatform,
  platformScore,
} from './platform.js';
import { readJsonBlob, type LayoutStore } from './store.js';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface Manifest {
  schemaVersion?: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface SelectOptions {
  /** From `PATH:tag`. */
  tag?: string;
  /** `--platform`; when absent the host's platform is preferred. */
  platform?: string;
}

export interface SelectedImage {
  manifestDescriptor: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
  configDigest: string;
  platform?: Platform;
  /** Names of the chosen image (annotations of its top-level index entry). */
  names: string[];
  /** The nested indexes walked down to it, each labelled (their key variants: ImageMeta.keyVariants). */
  indexes: Array<[label: string, doc: unknown]>;
}

interface Candidate {
  desc: Descriptor;
  top: Descriptor;
  /** The nested indexes above it, top first. */
  chain: Array<[label: string, doc: unknown]>;
  platform?: Platform;
  manifest?: Manifest;
  /** The manifest blob is not in the store. */
  missing?: boolean;
}

const MAX_DEPTH = 4;

export function descriptorNames(d: Descriptor): string[] {
  const a = d.annotations ?? {};
  return [a[ANNOTATION_CONTAINERD_NAME], a[ANNOTATION_REF_NAME]].filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
}

/** Validate the shape of an index and return its manifests. */
export function indexManifests(index: unknown, what: string): Descriptor[] {
  if (!isObject(index)) throw new LayerlensError(`${what} is not a JSON object`, 'BAD_SCHEMA');
  if (index.schemaVersion !== undefined && index.schemaVersion !== 2) {
    throw new LayerlensError(
      `${what} has schemaVersion ${JSON.stringify(index.schemaVersion).slice(0, 40)}; only 2 is supported`,
      'BAD_SCHEMA',
    );
  }
  if (!Array.isArray(index.manifests)) throw new LayerlensError(`${what} has no "manifests" list`, 'BAD_SCHEMA');
  if (index.manifests.length > MAX_INDEX_MANIFESTS)
    throw new LayerlensError(
      `${what} lists ${index.manifests.length} manifests (at most ${MAX_INDEX_MANIFESTS} are read)`,
      'TOO_LARGE',
    );
  return index.manifests.map((d, i) => checkDescriptor(d, `${what} manifests[${i}]`));
}

/**
 * A descriptor with the shape the spec gives it, in every field layerlens reads: a valid digest,
 * a string media type, a whole non-negative size, a platform of strings, annotations mapping
 * strings to strings, urls a list of strings.
 */
function checkDescriptor(d: unknown, what: string): Descriptor {
  if (!isObject(d)) throw new LayerlensError(`${what} is not a descriptor object`, 'BAD_SCHEMA');
  parseDigest(d.digest, what);
  if (d.mediaType !== undefined && typeof d.mediaType !== 'string')
    throw new LayerlensError(`${what} has a non-string mediaType`, 'BAD_SCHEMA');
  if (d.size !== undefined && (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0))
    throw new LayerlensError(`${what} has an invalid size`, 'BAD_SCHEMA');
  if (d.platform !== undefined) {
    const p = d.platform;
    if (!isObject(p)) throw new LayerlensError(`${what}: "platform" is not an object`, 'BAD_SCHEMA');
    for (const key of ['os', 'architecture', 'variant', 'os.version'])
      if (p[key] !== undefined && typeof p[key] !== 'string')
        throw new LayerlensError(`${what}: platform.${key} is not a string`, 'BAD_SCHEMA');
  }
  if (d.annotations !== undefined) {
    const a = d.annotations;
    if (!isObject(a) || Object.values(a).some((v) => typeof v !== 'string'))
      throw new LayerlensError(`${what}: "annotations" is not a map of strings`, 'BAD_SCHEMA');
  }
  if (d.urls !== undefined && (!Array.isArray(d.urls) || d.urls.some((u) => typeof u !== 'string')))
    throw new LayerlensError(`${what}: "urls" is not a list of strings`, 'BAD_SCHEMA');
  return d as unknown as Descriptor;
}

/** Pick one image manifest from an index (the parsed index.json of `store`). */
export async function selectImage(store: LayoutStore, index: unknown, opts: SelectOptions): Promise<SelectedImage> {
  const label = store.label;
  let tops = indexManifests(index, `index.json of ${label}`);
  const allNames = tops.flatMap(descriptorNames);
  if (opts.tag !== undefined) {
    const tag = opts.tag;
    tops = tops.filter((t) => anyNameMatches(tag, descriptorNames(t)));
    if (!tops.length)
      throw new LayerlensError(
        `${label} has no image tagged ${JSON.stringify(tag)}; tags: ${listNames(allNames)}`,
        'NOT_FOUND',
      );
  }

  const candidates: Candidate[] = [];
  const unsupported: string[] = [];
  const walk: Walk = { store, walked: 0, indexes: new Map() };
  for (const top of tops) await collect(walk, top, top, 0, candidates, unsupported, []);
  const images = candidates.filter(
    (c) => c.desc.annotations?.[ANNOTATION_REFERENCE_TYPE] !== 'attestation-manifest' && !isUnknownPlatform(c.platform),
  );
  if (!images.length) {
    if (unsupported.length)
      throw new LayerlensError(
        `${label} holds no container image: unsupported media type ${[...new Set(unsupported)].join(', ')}`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    throw new LayerlensError(`${label}: index.json lists no image manifest`, 'NOT_IMAGE');
  }

  // Platform of each candidate: from its descriptor, else from its config (single-image layouts).
  // (Each blob once: the same manifest may be listed many times over.)
  const sizes = new Map<string, Promise<number | undefined>>();
  const manifests = new Map<string, Promise<Manifest | undefined>>();
  const configs = new Map<string, Promise<ImageConfig>>();
  for (const c of images) {
    if (c.platform) {
      if ((await once(sizes, c.desc.digest, () => store.size(blobPath(c.desc.digest)))) === undefined) c.missing = true;
      continue;
    }
    const loaded = await once(manifests, `${c.desc.mediaType} ${c.desc.digest}`, () => loadManifest(store, c.desc));
    if (!loaded) {
      c.missing = true;
      continue;
    }
    c.manifest = loaded;
    const cfg = await once(configs, loaded.config.digest, () => loadConfig(store, loaded));
    if (cfg.os && cfg.architecture)
      c.platform = normalizePlatform({ os: cfg.os, architecture: cfg.architecture, variant: cfg.variant });
  }
  const available = images.filter((c) => !c.missing);
  const explicit = opts.platform !== undefined;
  const want = explicit ? parsePlatform(opts.platform!) : hostPlatform();
  const score = (c: Candidate) => (c.platform ? platformScore(want, c.platform) : explicit ? 0 : 1);

  let matches = available.filter((c) => score(c) > 0);
  if (!matches.length) {
    const listedButMissing = images.find((c) => c.missing && c.platform && platformScore(want, c.platform) > 0);
    if (listedButMissing) {
      throw new LayerlensError(
        `${label} lists a ${formatPlatform(listedButMissing.platform)} manifest (${shortDigest(listedButMissing.desc.digest)}) but its blob is missing` +
          (available.length ? `; present: ${platformList(available)}` : ''),
        'MISSING_BLOB',
      );
    }
    if (!available.length) {
      const first = images[0];
      throw new LayerlensError(`${label}: manifest blob ${first.desc.digest} is missing`, 'MISSING_BLOB');
    }
    if (!explicit && available.length === 1) {
      matches = available; // One image for another platform: inspecting it is fine.
    } else {
      throw new LayerlensError(
        `${label} has no image for ${formatPlatform(want)}${explicit ? '' : ' (this host)'}; available: ${platformList(available)}; choose one with --platform`,
        'PLATFORM',
      );
    }
  }
  const matchedTops = [...new Set(matches.map((c) => c.top))];
  if (matchedTops.length > 1) {
    const names = matchedTops.flatMap(descriptorNames);
    throw new LayerlensError(
      `${label} holds ${matchedTops.length} images for ${formatPlatform(want)}; pick one as PATH:TAG — tags: ${listNames(names)}`,
      'AMBIGUOUS',
    );
  }
  const best = matches.reduce((a, b) => (score(b) > score(a) ? b : a));
  const manifest = best.manifest ?? (await loadManifest(store, best.desc));
  if (!manifest) throw new LayerlensError(`${label}: manifest blob ${best.desc.digest} is missing`, 'MISSING_BLOB');
  const config = await loadConfig(store, manifest);
  const platform =
    config.os && config.architecture
      ? normalizePlatform({ os: config.os, architecture: config.architecture, variant: config.variant })
      : best.platform;
  return {
    manifestDescriptor: best.desc,
    manifest,
    config,
    configDigest: manifest.config.digest,
    platform,
    names: descriptorNames(best.top),
    indexes: best.chain,
  };

  function platformList(cs: Candidate[]): string {
    return [...new Set(cs.map((c) => formatPlatform(c.platform)))].join(', ');
  }
}

/** `make()`'s promise for `key`, made once. */
function once<T>(made: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = made.get(key);
  if (!p) made.set(key, (p = make()));
  return p;
}

/** One walk down a layout's indexes: what it has walked, and each nested index read so far. */
interface Walk {
  store: LayoutStore;
  walked: number;
  /** By digest: a nested index listed again is not read, hashed and parsed again. */
  indexes: Map<string, unknown>;
}

async function collect(
  walk: Walk,
  desc: Descriptor,
  top: Descriptor,
  depth: number,
  out: Candidate[],
  unsupported: string[],
  chain: Array<[label: string, doc: unknown]>,
): Promise<void> {
  const store = walk.store;
  if (depth > MAX_DEPTH)
    throw new LayerlensError(`${store.label}: image indexes nested more than ${MAX_DEPTH} deep`, 'BAD_SCHEMA');
  if (++walk.walked > MAX_INDEX_WALK)
    throw new LayerlensError(
      `image indexes of ${store.label} list more than ${formatCount(MAX_INDEX_WALK)} manifests in all (at most ${formatCount(MAX_INDEX_WALK)} are read)`,
      'TOO_LARGE',
    );
  let mediaType = desc.mediaType;
  let body: unknown;
  if (mediaType === undefined) {
    // Old layouts omit it on descriptors: the blob says what it is.
    body = await readJsonBlob(store, blobPath(desc.digest), desc.digest, 'blob', MANIFEST);
    if (body === undefined)
      throw new LayerlensError(`${store.label}: blob ${desc.digest} named by its index is missing`, 'MISSING_BLOB');
    const kind = isObject(body)
      ? manifestKind(body, undefined, `blob ${shortDigest(desc.digest)} in ${store.label}`)
      : undefined;
    if (isObject(body) && typeof body.mediaType === 'string') mediaType = body.mediaType;
    else mediaType = kind === 'index' ? OCI_INDEX : OCI_MANIFEST;
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (body === undefined && walk.indexes.has(desc.digest)) body = walk.indexes.get(desc.digest);
    body ??= await readJsonBlob(store, blobPath(desc.digest), desc.digest, 'image index', MANIFEST);
    if (body !== undefined) walk.indexes.set(desc.digest, body);
    if (body === undefined) {
      // A nested index of a platform that was not exported: skip it; the top one must be there.
      if (depth === 0)
        throw new LayerlensError(`${store.label}: image index blob ${desc.digest} is missing`, 'MISSING_BLOB');
      return;
    }
    const what = `image index ${shortDigest(desc.digest)} in ${store.label}`;
    if (isObject(body)) manifestKind(body, mediaType, what);
    const below: Array<[string, unknown]> = [...chain, [`image index ${shortDigest(desc.digest)}`, body]];
    for (const child of indexManifests(body, what)) {
      await collect(walk, child, top, depth + 1, out, unsupported, below);
    }
    return;
  }
  if (MANIFEST_TYPES.has(mediaType)) {
    const p = desc.platform;
    const c: Candidate = { desc, top, chain };
    if (p?.os && p.architecture)
      c.platform = normalizePlatform({ os: p.os, architecture: p.architecture, variant: p.variant });
    if (body !== undefined) c.manifest = checkManifest(body, desc, store.label);
    out.push(c);
    return;
  }
  unsupported.push(mediaType);
}

async function loadManifest(store: LayoutStore, desc: Descriptor): Promise<Manifest | undefined> {
  const body = await readJsonBlob(store, blobPath(desc.digest), desc.digest, 'manifest', MANIFEST);
  return body === undefined ? undefined : checkManifest(body, desc, store.label);
}

/** Validate an image manifest: schema 2, a config that is an image config, layers that are layers. */
export function checkManifest(body: unknown, desc: Descriptor, label: string): Manifest {
  const what = `manifest ${shortDigest(desc.digest)} in ${label}`;
  if (!isObject(body)) throw new LayerlensError(`${what} is not a JSON object`, 'BAD_SCHEMA');
  manifestKind(body, desc.mediaType, what);
  if (body.schemaVersion !== 2)
    throw new LayerlensError(
      body.schemaVersion === undefined
        ? `${what} has no schemaVersion (only 2 is supported)`
        : `${what} has schemaVersion ${JSON.stringify(body.schemaVersion).slice(0, 40)}; only 2 is supported`,
      'BAD_SCHEMA',
    );
  if (typeof body.mediaType === 'string' && !MANIFEST_TYPES.has(body.mediaType)) {
    throw new LayerlensError(`${what} has unsupported media type ${body.mediaType}`, 'UNSUPPORTED_MEDIA_TYPE');
  }
  const config = checkDescriptor(body.config, `${what} config`);
  if (config.mediaType !== undefined && !CONFIG_TYPES.has(config.mediaType)) {
    throw new LayerlensError(
      `${what} is not a container image: its config has media type ${config.mediaType}`,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  }
  if (!Array.isArray(body.layers)) throw new LayerlensError(`${what} has no "layers" list`, 'BAD_SCHEMA');
  if (body.layers.length > limits().maxLayers)
    throw limitError('maxLayers', `${what} lists ${body.layers.length} layers`);
  const layers = body.layers.map((l, i) => checkDescriptor(l, `${what} layers[${i}]`));
  layers.forEach((l, i) => {
    if (l.mediaType !== undefined && !LAYER_TYPES.has(l.mediaType)) {
      throw new LayerlensError(
        `${what}: layer ${i} has unsupported media type ${l.mediaType}`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });
  const manifest = { ...(body as object), config, layers } as Manifest;
  carryVariants(body, manifest);
  return manifest;
}

async function loadConfig(store: LayoutStore, manifest: Manifest): Promise<ImageConfig> {
  const d = manifest.config;
  const body = await readJsonBlob(store, blobPath(d.digest), d.digest, 'image config', IMAGE_CONFIG);
  if (body === undefined)
    throw new LayerlensError(`${store.label}: image config blob ${d.digest} is missing`, 'MISSING_BLOB');
  return checkConfig(body, `image config ${shortDigest(d.digest)} in ${store.label}`, manifest.layers.length);
}

/** Validate an image config: rootfs.diff_ids must name one valid digest per layer. */
export function checkConfig(body: unknown, what: string, layerCount: number): ImageConfig {
  if (!isObject(body)) throw new LayerlensError(`${what} is not a JSON object`, 'BAD_SCHEMA');
  checkImageConfig(body, what);
  const rootfs = body.rootfs;
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids))
    throw new LayerlensError(`${what} has no rootfs.diff_ids`, 'BAD_SCHEMA');
  rootfs.diff_ids.forEach((d, i) => parseDigest(d, `${what} rootfs.diff_ids[${i}]`));
  if (rootfs.diff_ids.length !== layerCount) {
    throw new LayerlensError(
      `${what} lists ${rootfs.diff_ids.length} diff_ids but the manifest has ${layerCount} layers`,
      'BAD_SCHEMA',
    );
  }
  if (body.history !== undefined && !Array.isArray(body.history))
    throw new LayerlensError(`${what}: "history" is not a list`, 'BAD_SCHEMA');
  if (body.config !== undefined && body.config !== null && !isObject(body.config))
    throw new LayerlensError(`${what}: "config" is not an object`, 'BAD_SCHEMA');
  return body as ImageConfig;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
