/**
 * What a frame shows of the whole list of findings (counts, each layer's marks, the ports, a
 * rule's finding), made once per list rather than in every frame: at 135,724 findings a pass over
 * them was 60–100 ms of each key. A list is never changed in place (the explorer sets a new one:
 * Explorer.setFindings), so the list itself is the key.
 */
import type { Finding } from '../findings/types.js';

/** `make` of a list of findings, made on the first ask for that list and kept while it lives. */
export function perList<T>(make: (findings: readonly Finding[]) => T): (findings: readonly Finding[]) => T {
  const made = new WeakMap<readonly Finding[], T>();
  return (findings) => {
    if (made.has(findings)) return made.get(findings) as T;
    const value = make(findings);
    made.set(findings, value);
    return value;
  };
}
