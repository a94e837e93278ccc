/**
 * Version orders, one per ecosystem, as each ecosystem's own tools order versions. Pure functions,
 * no IO: the inventory, the OSV matcher and the tests use these.
 *
 *   compareVersions('Debian:12', '1.2-3', '1.2-3+deb12u1') // -1
 */
import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { compareGeneric } from './generic.js';
import { compareMaven } from './maven.js';
import { comparePep440 } from './pep440.js';
import { compareRpm } from './rpm.js';
import { compareRubyGems } from './rubygems.js';
import { compareSemver } from './semver.js';

export { compareApk } from './apk.js';
export { compareDpkg, parseDpkg } from './dpkg.js';
export { compareGeneric } from './generic.js';
export { compareMaven } from './maven.js';
export { comparePep440, pep503 } from './pep440.js';
export { compareRpm, rpmvercmp } from './rpm.js';
export { compareRubyGems } from './rubygems.js';
export { compareSemver, goToolchainSemver } from './semver.js';

export type Compare = (a: string, b: string) => number;

/**
 * The longest version any order here compares. Real versions are tens of characters (a Debian
 * revision, a Go pseudo-version); an image can write a megabyte of one in a package.json or a
 * pom.properties, and each comparison of it cost 0.2–2.5 s (the Matcher compares the installed
 * version with every event of every advisory of the package: minutes per package), Maven's
 * recursing once per character. Longer ones are not compared: the order throws VersionTooLong,
 * which every caller takes for "a version this order cannot read".
 */
export const MAX_VERSION_LENGTH = 256;

export class VersionTooLong extends Error {
  constructor() {
    super(`version longer than ${MAX_VERSION_LENGTH} characters: not compared`);
  }
}

/** The order of an OSV ecosystem name (`Debian:12`, `npm`, `Alpine:v3.19`, `crates.io` …). */
export function orderFor(ecosystem: string): Compare {
  const order = baseOrder(ecosystem);
  return (a, b) => {
    if (a.length > MAX_VERSION_LENGTH || b.length > MAX_VERSION_LENGTH) throw new VersionTooLong();
    return order(a, b);
  };
}

function baseOrder(ecosystem: string): Compare {
  const base = ecosystem.split(':')[0];
  switch (base) {
    case 'Debian':
    case 'Ubuntu':
      return compareDpkg;
    case 'Alpine':
    case 'Wolfi':
    case 'Chainguard':
      return compareApk;
    case 'Red Hat':
    case 'Rocky Linux':
    case 'AlmaLinux':
    case 'openSUSE':
    case 'SUSE':
    case 'Mageia':
    case 'Photon OS':
      return compareRpm;
    case 'npm':
    case 'crates.io':
    case 'Go':
    case 'Hex':
    case 'Pub':
    case 'SwiftURL':
      return compareSemver;
    case 'PyPI':
      return comparePep440;
    case 'Maven':
      return compareMaven;
    case 'RubyGems':
      return compareRubyGems;
    default:
      return compareGeneric;
  }
}

export function compareVersions(ecosystem: string, a: string, b: string): number {
  return orderFor(ecosystem)(a, b);
}
