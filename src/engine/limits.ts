/**
 * Every bound layerlens puts on what an image may make it do, in one place. Images are hostile
 * input: a size, count or depth that no honest image needs must end in one plain line (or, for an
 * entry a container runtime would refuse, in a finding), never in a crash, a hang or a machine
 * out of memory. docs/limits.md lists these (the README the ones users meet); each one a user may need to raise
 * is read from an environment variable (whole numbers; `k`, `m`, `g` suffixes for sizes).
 *
 * Format-level bounds that no real writer comes near are fixed (as Go's archive/tar fixes them,
 * which is what Docker and containerd unpack with).
 */
import { LayerlensError } from '../errors/index.js';
import { formatCount } from '../text/bytes.js';

/** PAX extended header or GNU long name/link record: at most 1 MiB (Go's archive/tar: the same). */
export const MAX_TAR_META_RECORD = 1 << 20;

/**
 * Extended attributes kept per entry: Linux allows 64 KiB for one value (XATTR_SIZE_MAX); a
 * runtime cannot set more, so an entry carrying more is refused like one it cannot unpack.
 */
export const MAX_XATTR_BYTES = 64 << 10;

/** Levels of symbolic links followed while resolving one path (Linux gives up at 40: ELOOP). */
export const MAX_SYMLINK_HOPS = 40;

/** Nesting of a JSON metadata document (manifest, index, config): real ones have fewer than 10. */
export const MAX_JSON_DEPTH = 100;

/** Manifests in one image index (a layout of a whole mirror holds a few thousand). */
export const MAX_INDEX_MANIFESTS = 10_000;

/**
 * Descriptors walked down all of a layout's indexes together: an index may list a nested one
 * any number of times, so the ways down multiply per level (10,000 × 10,000 × …) from a few KB.
 */
export const MAX_INDEX_WALK = 100_000;

/** Runtime-refused entries recorded per layer and kind (the rest are counted, not kept). */
export const MAX_UNPACK_NOTES = 100;

export interface Limits {
  /** Bytes in one entry name or link target (PATH_MAX: runtimes cannot unpack longer ones). */
  maxPathBytes: number;
  /** Tar entries in all layers of one image together (each costs memory until the tree is built). */
  maxEntries: number;
  /** Uncompressed bytes of one layer (compression bombs). */
  maxLayerBytes: number;
  /** Filesystem layers in one image (Docker's storage drivers stop at 128). */
  maxLayers: number;
  /** Bytes of one JSON metadata document (manifest, index, config, docker save manifest.json). */
  maxJsonBytes: number;
  /**
   * Heap in use after a full garbage collection, in bytes, beyond which loading stops; 0 = three
   * quarters of the heap this Node process may have (--max-old-space-size).
   */
  maxHeapBytes: number;
}

/** Each limit's environment variable, default and unit (for messages and the README). */
export const LIMIT_ENV: Record<keyof Limits, { env: string; default: number; unit: 'bytes' | 'count' }> = {
  maxPathBytes: { env: 'LAYERLENS_MAX_PATH_BYTES', default: 4096, unit: 'bytes' },
  maxEntries: { env: 'LAYERLENS_MAX_ENTRIES', default: 4_000_000, unit: 'count' },
  maxLayerBytes: { env: 'LAYERLENS_MAX_LAYER_BYTES', default: 64 * 2 ** 30, unit: 'bytes' },
  maxLayers: { env: 'LAYERLENS_MAX_LAYERS', default: 1000, unit: 'count' },
  maxJsonBytes: { env: 'LAYERLENS_MAX_JSON_BYTES', default: 16 << 20, unit: 'bytes' },
  maxHeapBytes: { env: 'LAYERLENS_MAX_HEAP_BYTES', default: 0, unit: 'bytes' },
};

const SUFFIX: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** `4096`, `64k`, `16M`, `64G` → a whole number; a usage error otherwise. */
export function parseLimit(env: string, text: string): number {
  // (Trimmed first: blanks on both sides of an empty suffix could be split in many ways.)
  const m = /^(\d+)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  const n = m ? Number(m[1]) * SUFFIX[m[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(n))
    throw new LayerlensError(
      `${env}=${JSON.stringify(text)}: use a whole number (sizes may end in k, M or G)`,
      'USAGE',
    );
  return n;
}

let cached: Limits | undefined;

/** The limits in force: defaults, each replaced by its environment variable when set. */
export function limits(): Limits {
  if (cached) return cached;
  const out = {} as Limits;
  for (const key of Object.keys(LIMIT_ENV) as (keyof Limits)[]) {
    const { env, default: d } = LIMIT_ENV[key];
    const v = process.env[env];
    out[key] = v === undefined || v === '' ? d : parseLimit(env, v);
  }
  cached = out;
  return out;
}

/** For tests: forget the cached values so changed environment variables apply. */
export function resetLimits(): void {
  cached = undefined;
}

/** "16 MiB", "4,000,000": a limit as messages state it. */
export function formatLimit(key: keyof Limits, value: number): string {
  if (LIMIT_ENV[key].unit === 'count') return formatCount(value);
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (value >= size && value % size === 0) return `${value / size} ${unit}`;
  }
  return `${value} bytes`;
}

/** The one-line error for a limit exceeded: what, the limit, and how to raise it. */
export function limitError(key: keyof Limits, what: string): LayerlensError {
  const value = limits()[key];
  return new LayerlensError(
    `${what} (limit ${formatLimit(key, value)}; set ${LIMIT_ENV[key].env} to change it)`,
    'TOO_LARGE',
  );
}
