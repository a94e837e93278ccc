/**
 * Version orders against each ecosystem's own published test vectors (facts: which of two versions
 * is newer), written here as chains and pairs: dpkg's version tests and deb-version(7), apk-tools'
 * test/version.data, rpm's rpmvercmp cases, PEP 440's ordering examples, Maven's ComparableVersion
 * tests, RubyGems' Gem::Version tests, SemVer 2's precedence example and Go's module versions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareApk,
  compareDpkg,
  compareGeneric,
  compareMaven,
  comparePep440,
  compareRpm,
  compareRubyGems,
  compareSemver,
  compareVersions,
  goToolchainSemver,
  pep503,
  rpmvercmp,
  type Compare,
} from '../../src/versions/index.js';

/** Each line `A OP B` with OP one of < = >; checks both directions. */
function check(cmp: Compare, lines: string): void {
  for (const line of lines.trim().split('\n')) {
    const [a, op, b] = line.trim().split(/\s+/);
    const want = op === '<' ? -1 : op === '>' ? 1 : 0;
    assert.equal(Math.sign(cmp(a, b)), want, `${a} ${op} ${b}`);
    assert.equal(Math.sign(cmp(b, a)), want === 0 ? 0 : -want, `${b} vs ${a} (reversed)`);
  }
}

/** Every element is lower than the next, and equal to itself. */
function chain(cmp: Compare, ordered: string[]): void {
  for (let i = 0; i < ordered.length; i++) {
    assert.equal(cmp(ordered[i], ordered[i]), 0, `${ordered[i]} = itself`);
    for (let j = i + 1; j < ordered.length; j++) {
      assert.equal(Math.sign(cmp(ordered[i], ordered[j])), -1, `${ordered[i]} < ${ordered[j]}`);
      assert.equal(Math.sign(cmp(ordered[j], ordered[i])), 1, `${ordered[j]} > ${ordered[i]}`);
    }
  }
}

test('dpkg: epochs, ~, letters before other characters, revisions', () => {
  check(
    compareDpkg,
    `
    1.0-1 < 2.0-2
    2.2~rc-4 < 2.2-1
    1.0000-1 = 1.0-1
    1 = 0:1
    0 < 1
    2:2.5 > 1:7.8
    1:0.4 = 1:0.4
    1.0~beta1~svn1245 < 1.0~beta1
    1.0~beta1 < 1.0
    1.0 < 1.0a
    1.0a < 1.0+
    1.0+ < 1.0.
    1.2.3 < 1.2.3-0.1
    1.2.3-1 < 1.2.3-1+b1
    7.88.1-10+deb12u5 < 7.88.1-10+deb12u6
    2.36-9+deb12u3 < 2.36-9+deb12u10
    1:2.36 > 9.99
    3.0.11-1~deb12u2 < 3.0.11-1
    3.0.11-1~deb12u2 > 3.0.9-1
    0:1.2-3 = 1.2-3
    1.2-3 < 1.2-10
    2.30-1 < 2.30-1ubuntu1
    `,
  );
});

test('apk: apk-tools version.data vectors', () => {
  check(
    compareApk,
    `
    2.34 > 0.1.0_alpha
    23_foo > 4_beta
    0.1.0_alpha = 0.1.0_alpha
    0.1.0_alpha < 0.1.3_alpha
    0.1.0_alpha2 > 0.1.0_alpha
    0.1.0_alpha < 2.2.39-r1
    1.0.4-r3 < 1.0.4-r4
    1.1 > 1.1_alpha1
    1.2.1 > 1.2
    1.2 < 1.3_alpha
    1.3_alpha < 1.3_alpha2
    0.7.0 < 0.8_beta1
    3.10.18-r1 > 2.3.0b-r1
    2.3.0b-r1 < 2.3.0b-r2
    2.3.0b-r4 > 0.12.1
    0.12.3 > 0.12
    0.12 < 0.13_beta1
    1.2.12.1 < 1.2.13
    0.2.0-r1 < 3.1_p16
    3.1_p16 < 3.1_p17
    1.06-r6 < 006
    006 > 1.0.0
    1.2.2-r1 > 1.2.2
    2.59 < 20050718-r1
    3.9.8-r5 > 2.01.01_alpha10
    1.0 > 0.99.3.20040818
    20060720 > 3.0.20060720
    2.5.1-r8 < 2.5.1a-r1
    20040401 > 2.0.0_rc3-r1
    3.0.0-r2 < 021109-r3
    0.9.16-r1 < 3.9_pre20060124
    1.1.7 < 6b-r7
    0.10.0 < 0.10.1_rc1
    1.0.2 > 1.0.1
    1.1a < 1.3a
    0.15.1b-r2 > 0.15.1b
    22.7 > 2.1_pre20
    2.1_pre20 < 2.1_pre26
    1.6d > 1.2.07.8
    1.07-r1 < 1.07.5
    0.20070118 < 0.20070207_rc1
    4.5_p1-r1 > 4.5_p1
    1.7 < 1.7b
    1.8.5 < 1.8.5_p2
    2.9.11_pre20051101-r3 > 2.9.11_pre20051101
    1.6.8_p12-r1 > 1.6.8_p9-r2
    0.9.28.1 < 087-r1
    2.12r-r4 < 2.12r-r5
    7.0.17 < 7.0.174
    1.3-r0 < 1.3.1-r0
    1.3_pre1-r1 < 1.3.2
    1.0_p10-r0 > 1.0_p9-r0
    0.1.0_alpha_pre2 < 0.1.0_alpha
    1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
    3.1.4-r5 < 3.1.4-r6
    3.0.12-r0 < 3.0.13-r0
    `,
  );
});

test('rpm: rpmvercmp cases, ~ and ^, and [epoch:]version-release', () => {
  check(
    rpmvercmp,
    `
    1.0 = 1.0
    1.0 < 2.0
    2.0.1 > 2.0
    2.0.1a > 2.0.1
    5.5p1 < 5.5p2
    5.5p10 > 5.5p1
    10xyz < 10.1xyz
    xyz10 < xyz10.1
    xyz.4 < 8
    xyz.4 < 2
    5.5p2 < 5.6p1
    5.6p1 < 6.5p1
    6.0.rc1 > 6.0
    10b2 > 10a1
    10a2 < 10b2
    1.0aa = 1.0aa
    1.0a < 1.0aa
    10.0001 = 10.1
    10.0001 < 10.0039
    4.999.9 < 5.0
    20101121 = 20101121
    20101121 < 20101122
    2_0 = 2_0
    2.0 = 2_0
    a = a
    a+ = a+
    a+ = a_
    +a = +a
    +a = _a
    +_ = _+
    1.0~rc1 = 1.0~rc1
    1.0~rc1 < 1.0
    1.0~rc1 < 1.0~rc2
    1.0~rc1~git123 < 1.0~rc1
    1.0^ > 1.0
    1.0^git1 > 1.0
    1.0^git1 < 1.0.1
    1.0^git1 < 1.01
    1.0^20160101 > 1.0
    1.0^20160101^git1 > 1.0^20160101
    1.0^20160102 > 1.0^20160101^git1
    1.0~rc1^git1 > 1.0~rc1
    1.0^git1~pre < 1.0^git1
    `,
  );
  check(
    compareRpm,
    `
    1:1.0-1 > 2.0-1
    3.0.7-24.el9 < 3.0.7-25.el9
    1.2.3-1.el8 < 1.2.3-1.el8_9.1
    0:1.0-1 = 1.0-1
    `,
  );
  // A line break is a separator like any other (rpm reads headers, not lines): the pattern that
  // splits epoch, version and release did not match across one, and reading its null threw
  // "Cannot read properties of null (reading '1')".
  assert.equal(compareRpm('1.0\n', '1.0'), 0);
  assert.equal(compareRpm('1:2.0\u2028-1', '1:2.0-2'), -1);
  assert.equal(compareRpm('1.0-1\r', '1.0-2'), -1);
});

test('PEP 440: the specification ordering example, epochs and local versions', () => {
  chain(comparePep440, [
    '1.dev0',
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.0.15',
    '1.1.dev1',
    '2.0',
    '1!0.5',
  ]);
  check(comparePep440, '1.0 = 1.0.0\n1.0a1 = 1.0alpha1\n1.0c1 = 1.0rc1\n1.26.12 < 1.26.17');
  assert.equal(pep503('Foo.Bar__baz'), 'foo-bar-baz');
  assert.equal(pep503('python-dateutil'), 'python-dateutil');
});

test("Maven: ComparableVersion's qualifier and number orderings", () => {
  chain(compareMaven, [
    '1-alpha2snapshot',
    '1-alpha2',
    '1-alpha-123',
    '1-beta-2',
    '1-beta123',
    '1-m2',
    '1-m11',
    '1-rc',
    '1-cr2',
    '1-rc123',
    '1-SNAPSHOT',
    '1',
    '1-sp',
    '1-sp2',
    '1-sp123',
    '1-abc',
    '1-def',
    '1-pom-1',
    '1-1-snapshot',
    '1-1',
    '1-2',
    '1-123',
  ]);
  chain(compareMaven, [
    '2.0',
    '2-1',
    '2.0.a',
    '2.0.0.a',
    '2.0.2',
    '2.0.123',
    '2.1.0',
    '2.1-a',
    '2.1b',
    '2.1-c',
    '2.1-1',
    '2.1.0.1',
    '2.2',
    '2.123',
    '11.a2',
    '11.a11',
    '11.b2',
    '11.b11',
    '11.m2',
    '11.m11',
    '11',
    '11.a',
    '11b',
    '11c',
    '11m',
  ]);
  check(
    compareMaven,
    `
    1 = 1.0
    1 = 1.0.0
    1.0 = 1.0.0
    1 = 1-0
    1 = 1.0-0
    1a = 1-a
    1a = 1.0-a
    1a = 1.0.0-a
    1.0a = 1-a
    1.0.0a = 1-a
    1x = 1-x
    1x = 1.0-x
    1cr = 1rc
    1ga = 1
    1release = 1
    1final = 1
    1m3 = 1milestone3
    1a1 = 1-alpha-1
    2.12.6.1 > 2.12.6
    2.15.0-rc1 < 2.15.0
    5.3.17 < 5.3.18
    `,
  );
});

test('RubyGems: Gem::Version segments, pre-releases and trailing zeros', () => {
  check(
    compareRubyGems,
    `
    1.0 = 1
    1.0.0 = 1
    1.0.a < 1.0
    1.0.a.1 > 1.0.a
    1.8.2.a < 1.8.2
    1.8.2.a10 > 1.8.2.a9
    1.0.b1 > 0.9
    1.0-1 < 1.0
    1.0.0.a = 1.0.a
    5.a < 5.0.0.rc2
    1.13.10 < 1.13.10.1
    1.10 > 1.9
    `,
  );
});

test('SemVer 2 precedence, npm ranges of versions, Go pseudo-versions and toolchains', () => {
  chain(compareSemver, [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '2.0.0',
  ]);
  chain(compareSemver, [
    'v0.0.0-20191109021931-daa7c04131f5',
    'v0.0.0-20200101000000-abcdef123456',
    'v0.1.0',
    'v0.1.1-0.20210101000000-abcdef123456',
    'v0.1.1',
  ]);
  check(compareSemver, 'v2.0.0+incompatible = 2.0.0\n4.17.20 < 4.17.21\n=1.2.3 = 1.2.3');
  assert.equal(goToolchainSemver('go1.21.3'), '1.21.3');
  assert.equal(goToolchainSemver('go1.22rc2'), '1.22.0-rc.2');
  assert.equal(goToolchainSemver('go1.19'), '1.19.0');
  assert.equal(Math.sign(compareSemver(goToolchainSemver('go1.19.8'), '1.19.9')), -1);
});

test('generic order (NuGet, Packagist): numbers, pre-release and patch words', () => {
  chain(compareGeneric, [
    '1.0.0-dev',
    '1.0.0-alpha1',
    '1.0.0-beta2',
    '1.0.0-RC1',
    '1.0.0',
    '1.0.0-p1',
    '1.0.1',
    'v2.0',
  ]);
  check(compareGeneric, '1.0 = 1.0.0\n1.0.0.0 = 1.0\n13.0.1 > 12.0.3\n2.4.0.1 > 2.4');
});

test('compareVersions picks the order from the OSV ecosystem name', () => {
  assert.equal(compareVersions('Debian:12', '1.0~rc1', '1.0'), -1);
  assert.equal(Math.sign(compareVersions('Alpine:v3.19', '1.0_rc1', '1.0')), -1);
  assert.equal(Math.sign(compareVersions('Rocky Linux:9', '1.0~rc1', '1.0')), -1);
  assert.equal(Math.sign(compareVersions('Maven', '1.0-SNAPSHOT', '1.0')), -1);
  assert.equal(Math.sign(compareVersions('PyPI', '1.0.dev1', '1.0a1')), -1);
  assert.equal(Math.sign(compareVersions('npm', '1.0.0-rc.1', '1.0.0')), -1);
  assert.equal(Math.sign(compareVersions('RubyGems', '1.0.a', '1.0')), -1);
  // An order that differs between ecosystems: "1.0a" is after 1.0 for dpkg, before it for PEP 440.
  assert.equal(Math.sign(compareVersions('Debian:12', '1.0a', '1.0')), 1);
  assert.equal(Math.sign(compareVersions('PyPI', '1.0a', '1.0')), -1);
});
