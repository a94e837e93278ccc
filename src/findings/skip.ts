/**
 * Files the content inspector does not read: formats that cannot hold a readable secret, and
 * system data that is large, never written by hand and cannot hold a credential. Both tests run
 * for every file of every layer, on the path's components as the tar reader split them: no path
 * is joined and no regex runs for a file that is skipped or not.
 */

import { KnownNames } from './known-names.js';

// Formats that cannot hold a readable secret (compressed, media, compiled code). Keystores are
// binary too but are matched by name in the secret scanner, so they are not listed here. Looked up
// by the extension after the last dot.
const SKIP_EXT = KnownNames.of(
  (
    'so a o ko png jpg jpeg gif ico bmp webp svgz woff woff2 ttf otf eot gz tgz xz txz bz2 zst lz4 lzma zip jar war ear whl egg 7z rar ' +
    'pyc pyo mo class wasm node mp3 mp4 ogg wav flac avi mkv pdf deb rpm apk iso img qcow2 db sqlite dat bin pack idx'
  ).split(' '),
  true, // (looked at in any case first: see skippedExt)
);
/** Versioned shared libraries: libfoo.so.1, libfoo.so.1.2.3. */
const SO_VERSIONED = /\.so(?:\.\d+)+$/i;

/**
 * The index of the last '.' in `name`, or -1. A loop, not lastIndexOf: V8 calls out of optimized
 * code for String#lastIndexOf, and the checks ask this of every file of every layer.
 */
export function lastDot(name: string): number {
  let dot = name.length - 1;
  while (dot >= 0 && name.charCodeAt(dot) !== 46) dot--;
  return dot;
}

/** Whether a file named `base` is in a format without readable secrets (by its extension). */
export function skippedExt(base: string): boolean {
  const dot = lastDot(base);
  if (dot < 0) return false;
  const c = base.charCodeAt(dot + 1);
  // (No extension of SKIP_EXT, in any case, has this length and first letter: the slice, its
  // hash and the lookups are not needed.)
  if (!SKIP_EXT.mayBe(base, dot + 1)) return c >= 48 && c <= 57 && SO_VERSIONED.test(base);
  const ext = base.slice(dot + 1);
  if (SKIP_EXT.has(ext)) return true;
  if (c >= 48 && c <= 57) return SO_VERSIONED.test(base);
  // Upper-case extensions (.PNG): lower-cased only when there is an upper-case letter.
  for (let i = 0; i < ext.length; i++) {
    const u = ext.charCodeAt(i);
    if (u >= 65 && u <= 90) return SKIP_EXT.has(ext.toLowerCase());
  }
  return false;
}

// Package-manager and system data: file lists and checksums, time zones, locales, character
// maps, MIME and terminal databases. (Documentation and runtime test suites ARE scanned: matches
// there are downgraded.) Each set names directories whose whole content is skipped.
const USR_SHARE = new Set(['zoneinfo', 'i18n', 'locale', 'mime', 'terminfo', 'icons', 'fonts', 'unicode']);
const VAR_CACHE = new Set(['apt', 'debconf', 'ldconfig']);
/** dpkg's per-package files in /var/lib/dpkg/info: `<package>.<one of these>`. */
const DPKG_INFO = ['.list', '.md5sums', '.conffiles', '.triggers', '.shlibs', '.symbols', '.templates'];
/** dpkg's databases in /var/lib/dpkg (status-old and the like included). */
const DPKG_DB = ['status', 'available', 'diversions'];

/**
 * Whether the file at `parts` (an absolute in-image path's components) is skipped system data:
 *   /var/lib/dpkg/info/PKG.list (.md5sums .conffiles .triggers .shlibs .symbols .templates),
 *   /var/lib/dpkg/status, status-old, available, diversions,
 *   /usr/share/{zoneinfo,i18n,locale,mime,terminfo,icons,fonts,unicode,X11/locale}/…,
 *   /usr/share/perl/VERSION/unicore/…, /usr/lib/locale/…, /usr/lib/sysimage/rpm/…,
 *   /lib/apk/db/…, /var/lib/rpm/…, /var/lib/apt/lists/…, /var/cache/{apt,debconf,ldconfig}/…,
 *   /etc/ld.so.cache.
 * (Names are matched as they start, like the path patterns this replaced: `status-old`,
 * `foo.list.bak`.)
 */
export function skippedSystemData(parts: readonly string[]): boolean {
  const n = parts.length;
  if (n < 2) return false;
  // (Indexed, not destructured: destructuring runs the array iterator, for every file.)
  const p1 = parts[1];
  const p2 = parts[2];
  switch (parts[0]) {
    case 'etc':
      return n === 2 && p1 === 'ld.so.cache';
    case 'lib':
      return n > 3 && p1 === 'apk' && p2 === 'db';
    case 'usr':
      if (p1 === 'share') {
        if (n > 3 && USR_SHARE.has(p2)) return true;
        if (p2 === 'X11') return n > 4 && parts[3] === 'locale';
        return p2 === 'perl' && n > 5 && parts[4] === 'unicore';
      }
      if (p1 === 'lib') return (n > 3 && p2 === 'locale') || (n > 4 && p2 === 'sysimage' && parts[3] === 'rpm');
      return false;
    case 'var':
      if (p1 === 'cache') return n > 3 && VAR_CACHE.has(p2);
      if (p1 !== 'lib' || n < 4) return false;
      if (p2 === 'rpm') return true;
      if (p2 === 'apt') return n > 4 && parts[3] === 'lists';
      if (p2 !== 'dpkg') return false;
      if (parts[3] === 'info') return n > 4 && dpkgInfoFile(parts[4]);
      return DPKG_DB.some((d) => parts[3].startsWith(d));
    default:
      return false;
  }
}

/** `<package>.list` and the like: one of DPKG_INFO after at least one character. */
function dpkgInfoFile(name: string): boolean {
  for (let dot = name.indexOf('.', 1); dot > 0; dot = name.indexOf('.', dot + 1)) {
    for (const ext of DPKG_INFO) if (name.startsWith(ext, dot)) return true;
  }
  return false;
}
