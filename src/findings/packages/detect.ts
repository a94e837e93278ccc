/**
 * Which files name packages, decided from the path's components and the entry's attributes alone:
 * this runs for every file of every layer, so the common case (no match) costs one Set lookup of
 * the base name and a few character tests.
 */
import type { EntryAttrs } from '../../engine/types.js';
import { KnownNames } from '../known-names.js';
import { lastDot } from '../skip.js';
import type { PackageFileKind } from './types.js';

const BY_NAME = new KnownNames<PackageFileKind>([
  ['package.json', 'npm-package'],
  ['package-lock.json', 'npm-lockfile'],
  ['npm-shrinkwrap.json', 'npm-lockfile'],
  ['yarn.lock', 'yarn-lock'],
  ['pnpm-lock.yaml', 'pnpm-lock'],
  ['METADATA', 'python-metadata'],
  ['PKG-INFO', 'python-metadata'],
  ['installed.json', 'composer-installed'],
]);

/** Go binaries below this size do not exist in practice (a stripped hello world is ~1.2 MB). */
const MIN_GO_BINARY = 256 * 1024;

export function packageFileKind(parts: readonly string[], attrs: EntryAttrs): PackageFileKind | undefined {
  const n = parts.length;
  const base = parts[n - 1] ?? '';
  const byName = BY_NAME.get(base);
  if (byName) return confirm(byName, parts);
  const dot = lastDot(base);
  if (dot > 0) {
    // (Compared in place: a sliced, lower-cased extension was two strings for every file.)
    if (extIs(base, dot, 'jar') || extIs(base, dot, 'war') || extIs(base, dot, 'ear')) return 'java-archive';
    if (extIs(base, dot, 'gemspec') && parts[n - 2] === 'specifications') return 'gemspec';
    if (extIs(base, dot, 'json') && base.endsWith('.deps.json')) return 'nuget-deps';
    // Debian ships some egg-info as a single file holding PKG-INFO's headers.
    if (extIs(base, dot, 'egg-info') && isPythonLib(parts)) return 'python-metadata';
  }
  if (attrs.size >= MIN_GO_BINARY && (attrs.mode & 0o111) !== 0) return 'elf';
  return undefined;
}

/**
 * Whether what follows `base`'s dot at `dot` is `ext` (lower-case ASCII letters and `-`) in any
 * letter case, as `base.slice(dot + 1).toLowerCase() === ext` says, without making either string.
 */
function extIs(base: string, dot: number, ext: string): boolean {
  if (base.length - dot - 1 !== ext.length) return false;
  for (let i = 0; i < ext.length; i++) {
    const c = base.charCodeAt(dot + 1 + i);
    // (An upper-case ASCII letter lower-cased; anything else as it is.)
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== ext.charCodeAt(i)) return false;
  }
  return true;
}

function confirm(kind: PackageFileKind, parts: readonly string[]): PackageFileKind | undefined {
  const n = parts.length;
  switch (kind) {
    case 'npm-package':
      // node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json (not a package's own
      // nested package.json files, such as esm/package.json).
      return parts[n - 3] === 'node_modules' || (parts[n - 4] === 'node_modules' && parts[n - 3]?.startsWith('@'))
        ? kind
        : undefined;
    case 'npm-lockfile':
    case 'yarn-lock':
    case 'pnpm-lock':
      return parts.includes('node_modules') ? undefined : kind;
    case 'python-metadata': {
      const dir = parts[n - 2] ?? '';
      return (parts[n - 1] === 'METADATA' && dir.endsWith('.dist-info')) ||
        (parts[n - 1] === 'PKG-INFO' && dir.endsWith('.egg-info'))
        ? kind
        : undefined;
    }
    case 'composer-installed':
      return parts[n - 2] === 'composer' && parts[n - 3] === 'vendor' ? kind : undefined;
    default:
      return kind;
  }
}

/** Inside a Python library directory (site-packages, dist-packages). */
function isPythonLib(parts: readonly string[]): boolean {
  const dir = parts[parts.length - 2] ?? '';
  return dir === 'site-packages' || dir === 'dist-packages';
}
