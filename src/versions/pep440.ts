/**
 * PEP 440 order (Python packages) by @renovatebot/pep440: epochs, pre/post/dev releases, local
 * versions. A version PEP 440 cannot read (legacy setuptools versions) falls back to the generic
 * order.
 */
import { createRequire } from 'node:module';
import { compareGeneric } from './generic.js';

interface Pep440 {
  valid(v: string): unknown;
  compare(a: string, b: string): number;
}
let pep440: Pep440 | undefined;

/** The package, required on the first comparison (why: semver.ts, the same for its package). */
function load(): Pep440 {
  if (!pep440) {
    const mod = createRequire(import.meta.url)('@renovatebot/pep440') as { default?: Pep440 } & Pep440;
    pep440 = mod.default ?? mod;
  }
  return pep440;
}

export function comparePep440(a: string, b: string): number {
  const p = load();
  if (p.valid(a) && p.valid(b)) return Math.sign(p.compare(a, b));
  return compareGeneric(a, b);
}

/** PEP 503's normalised project name: lower case, runs of `-`, `_`, `.` as one `-`. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
