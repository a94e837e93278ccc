/**
 * PEP 440 order (Python packages) by @renovatebot/pep440: epochs, pre/post/dev releases, local
 * versions. A version PEP 440 cannot read (legacy setuptools versions) falls back to the generic
 * order.
 */
import pep440 from '@renovatebot/pep440';
import { compareGeneric } from './generic.js';

export function comparePep440(a: string, b: string): number {
  if (pep440.valid(a) && pep440.valid(b)) return Math.sign(pep440.compare(a, b));
  return compareGeneric(a, b);
}

/** PEP 503's normalised project name: lower case, runs of `-`, `_`, `.` as one `-`. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
