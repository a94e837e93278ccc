/**
 * What the content inspector does not read (src/findings/skip.ts). The system-data test works on
 * path components; it is checked against the path pattern it replaced, kept here as the oracle,
 * on every path built from segments that sit on and around its boundaries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skippedExt, skippedSystemData } from '../../src/findings/skip.js';

const ORACLE =
  /^\/(?:var\/lib\/dpkg\/(?:info\/[^/]+\.(?:list|md5sums|conffiles|triggers|shlibs|symbols|templates)|status(?:-old)?|available|diversions)|usr\/share\/(?:zoneinfo|i18n|locale|mime|terminfo|icons|fonts|unicode|X11\/locale|perl\/[^/]+\/unicore)\/|usr\/lib\/locale\/|lib\/apk\/db\/|var\/lib\/rpm\/|usr\/lib\/sysimage\/rpm\/|var\/cache\/(?:apt|debconf|ldconfig)\/|var\/lib\/apt\/lists\/|etc\/ld\.so\.cache$)/;

// Segments of the skipped paths, near misses (case, suffixes, prefixes) and ordinary names.
const SEGMENTS = [
  'var',
  'lib',
  'dpkg',
  'info',
  'status',
  'status-old',
  'statusx',
  'Status',
  'available',
  'diversions',
  'diversion',
  'usr',
  'share',
  'zoneinfo',
  'zoneinfo2',
  'i18n',
  'locale',
  'locales',
  'mime',
  'terminfo',
  'icons',
  'fonts',
  'unicode',
  'X11',
  'x11',
  'perl',
  '5.36',
  'unicore',
  'sysimage',
  'rpm',
  'apk',
  'db',
  'apt',
  'lists',
  'cache',
  'debconf',
  'ldconfig',
  'etc',
  'ld.so.cache',
  'ld.so.cache.bak',
  'ld.so.conf',
  'libc6.list',
  'a.md5sums',
  'foo.list.bak',
  '.list',
  'x.listing',
  'p.conffiles',
  'p.triggers',
  'p.shlibs',
  'p.symbols',
  'p.templates',
  'p.templ',
  'plain',
  'config.json',
  'opt',
];

function* paths(prefix: string[], depth: number): Generator<string[]> {
  if (prefix.length > 0) yield prefix;
  if (depth === 0) return;
  for (const s of SEGMENTS) yield* paths([...prefix, s], depth - 1);
}

/** Every path of up to 3 segments, and of 4 under the top two levels the pattern names. */
function* candidates(): Generator<string[]> {
  yield* paths([], 3);
  for (const a of ['var', 'usr', 'lib', 'etc']) {
    for (const b of ['lib', 'share', 'cache', 'apk', 'dpkg'])
      for (const rest of paths([], 2)) if (rest.length === 2) yield [a, b, ...rest];
  }
}

test('skippedSystemData decides like the path pattern it replaced, on and around its boundaries', () => {
  let checked = 0;
  let skipped = 0;
  for (const parts of candidates()) {
    const want = ORACLE.test('/' + parts.join('/'));
    assert.equal(skippedSystemData(parts), want, '/' + parts.join('/'));
    checked++;
    if (want) skipped++;
  }
  // Deeper paths under each skipped directory, and the same with one segment changed.
  const deep = [
    ['usr', 'share', 'perl', '5.36', 'unicore', 'lib', 'Gc', 'Y.pl'],
    ['usr', 'share', 'X11', 'locale', 'en_US.UTF-8', 'XLC_LOCALE'],
    ['usr', 'lib', 'sysimage', 'rpm', 'rpmdb.sqlite'],
    ['var', 'lib', 'apt', 'lists', 'partial', 'x'],
    ['var', 'lib', 'dpkg', 'info', 'libssl3:amd64.md5sums'],
  ];
  for (const d of deep) {
    for (let i = 0; i < d.length; i++) {
      for (const alt of [d[i], d[i].toUpperCase(), d[i] + 'x']) {
        const parts = d.map((s, j) => (j === i ? alt : s));
        assert.equal(skippedSystemData(parts), ORACLE.test('/' + parts.join('/')), '/' + parts.join('/'));
        checked++;
      }
    }
  }
  assert.ok(checked > 200_000 && skipped > 500, `${checked} paths, ${skipped} skipped`);
});

test('skippedExt: formats without readable secrets, in any case, and versioned shared libraries', () => {
  for (const name of [
    'a.png',
    'A.PNG',
    'photo.JpEg',
    'libz.so',
    'libz.so.1',
    'libssl.so.3.0.2',
    'x.tar.gz',
    'm.pyc',
    'App.Jar',
  ]) {
    assert.equal(skippedExt(name), true, name);
  }
  for (const name of [
    '.env',
    'config.json',
    'id_rsa',
    'notes.txt',
    'a.so.x',
    'README',
    'key.PEM',
    'x.p12',
    'libz.so.1a',
    'v1.2',
  ]) {
    assert.equal(skippedExt(name), false, name);
  }
});
