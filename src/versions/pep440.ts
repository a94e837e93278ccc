/**
 * PEP 440 order (Python packages) by @renovatebot/pep440: epochs, pre/post/dev releases, local
 * versions. A version PEP 440 cannot read (legacy setuptools versions) falls back to the generic
 * order.
 */
import { compareGeneric } from './generic.js';
import { lazyPackage } from './lazy-package.js';

const load = lazyPackage<{ valid(v: string): unknown; compare(a: string, b: string): number }>('@renovatebot/pep440');

export function comparePep440(a: string, b: string): number {
  const p = load();
  if (p.valid(a) && p.valid(b)) return Math.sign(p.compare(a, b));
  return compareGeneric(a, b);
}

/** PEP 503's normalised project name: lower case, runs of `-`, `_`, `.` as one `-`. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
