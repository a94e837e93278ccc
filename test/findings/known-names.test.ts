/**
 * The known names behind the checks' per-file lookups: their first test may let a name through
 * that is not one of them (the Map then says no), never stop one that is — in any letter case
 * where they are matched so — and the checks that use them answer as the plain lookups did.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KnownNames } from '../../src/findings/known-names.js';
import { osFileKind } from '../../src/findings/os/collector.js';
import { packageFileKind } from '../../src/findings/packages/detect.js';
import { skippedExt } from '../../src/findings/skip.js';

/** Deterministic names: every member in three cases, and many that are not, of every length. */
function names(members: string[]): string[] {
  const out: string[] = [];
  for (const m of members) out.push(m, m.toUpperCase(), m[0].toUpperCase() + m.slice(1), `x${m}`, m.slice(1));
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-é€';
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = 1 + (rnd() % 70);
    for (let j = 0; j < n; j++) s += chars[rnd() % chars.length];
    out.push(s);
  }
  return out;
}

test('a member always passes (in any case when the set folds case); most other names do not', () => {
  const members = ['package.json', 'yarn.lock', 'METADATA', 'status', 'a', 'x'.repeat(80)];
  const exact = KnownNames.of(members);
  const folded = KnownNames.of(
    members.map((m) => m.toLowerCase()),
    true,
  );
  for (const m of members) {
    assert.ok(exact.mayBe(m), m);
    assert.ok(folded.mayBe(m.toUpperCase()), m);
    assert.ok(folded.mayBe(m.toLowerCase()), m);
    // As a part of a longer string, by its offset and length.
    assert.ok(exact.mayBe(`lib/${m}`, 4), m);
  }
  const others = names([]).filter((n) => !members.includes(n));
  const passed = others.filter((n) => exact.mayBe(n)).length;
  assert.ok(passed < others.length / 10, `${passed} of ${others.length} others passed`);
  assert.equal(exact.mayBe(''), false);
});

test('skippedExt answers as the plain lookup of the extension did, for every case of every extension', () => {
  const SKIP =
    'so a o ko png jpg jpeg gif ico bmp webp svgz woff woff2 ttf otf eot gz tgz xz txz bz2 zst lz4 lzma zip jar war ear whl egg 7z rar pyc pyo mo class wasm node mp3 mp4 ogg wav flac avi mkv pdf deb rpm apk iso img qcow2 db sqlite dat bin pack idx'.split(
      ' ',
    );
  const reference = (base: string): boolean => {
    const dot = base.lastIndexOf('.');
    if (dot < 0) return false;
    const ext = base.slice(dot + 1);
    // (As skip.ts has it: an extension that starts with a digit is a versioned library's or none.)
    if (SKIP.includes(ext)) return true;
    if (/^[0-9]/.test(ext)) return /\.so(?:\.\d+)+$/i.test(base);
    return SKIP.includes(ext.toLowerCase());
  };
  const bases = [
    ...names(SKIP).map((e) => `file.${e}`),
    ...names([]),
    'libc.so.6',
    'libssl.so.3.0.2',
    'archive.7z',
    'ARCHIVE.7Z',
    'x.1',
    'trailing.',
    '.hidden',
    'noext',
  ];
  for (const b of bases) assert.equal(skippedExt(b), reference(b), b);
});

test('the package and OS file checks still find their files by name, and only those', () => {
  const attrs = { size: 100, mode: 0o644 } as Parameters<typeof packageFileKind>[1];
  assert.equal(packageFileKind(['app', 'node_modules', 'left-pad', 'package.json'], attrs), 'npm-package');
  assert.equal(packageFileKind(['srv', 'yarn.lock'], attrs), 'yarn-lock');
  assert.equal(packageFileKind(['x', 'foo-1.0.dist-info', 'METADATA'], attrs), 'python-metadata');
  assert.equal(packageFileKind(['srv', 'Yarn.lock'], attrs), undefined);
  assert.equal(osFileKind(['etc', 'passwd'])?.kind, 'passwd');
  assert.equal(osFileKind(['etc', 'passwd'])?.atPath, true);
  assert.equal(osFileKind(['var', 'lib', 'dpkg', 'status'])?.kind, 'dpkg');
  assert.equal(osFileKind(['opt', 'status'])?.atPath, false);
  assert.equal(osFileKind(['etc', 'os-release'])?.kind, 'os-release');
  for (const n of names([])) {
    assert.equal(osFileKind(['etc', n]), undefined, n);
    assert.equal(packageFileKind(['srv', n], attrs), undefined, n);
  }
});
