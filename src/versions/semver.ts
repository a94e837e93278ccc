/**
 * SemVer 2 order (npm's `semver` package): npm, crates.io, OSV's SEMVER ranges, and Go modules,
 * whose versions carry a `v` (pseudo-versions such as v0.0.0-20191109021931-daa7c04131f5 are
 * pre-releases of the next version, so they order by their timestamp) and `+incompatible`.
 */
import type { SemVer } from 'semver';
import { compareGeneric } from './generic.js';
import { lazyPackage } from './lazy-package.js';

/** The package's parse module, not its index (which loads all ~50 of its files). */
const semverParse = lazyPackage<(v: string, opts: { loose: boolean }) => SemVer | null>('semver/functions/parse.js');

/** A version semver can read, or undefined (leading `v` or `=` tolerated, as npm does). */
function parse(v: string): SemVer | undefined {
  return semverParse()(v.trim().replace(/^[v=]+/, ''), { loose: true }) ?? undefined;
}

export function compareSemver(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x && y) return x.compare(y);
  return compareGeneric(a, b);
}

/**
 * The Go toolchain's version (`go1.21.3`, `go1.22rc2`, `go1.19`) as the semver OSV's `stdlib`
 * package uses: 1.21.3, 1.22.0-rc.2, 1.19.0.
 */
export function goToolchainSemver(v: string): string {
  const m = v.trim().match(/^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?/);
  if (!m) return v;
  const core = `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`;
  return m[4] ? `${core}-${m[4]}.${m[5]}` : core;
}
