/**
 * A flat copy of a string that holds no reference to another string.
 *
 * Why: V8 makes a cut of 13 characters or more (`slice`, a regex group) a view into the string it
 * was cut from, and a concatenation a pair of references. Something small kept for long, made
 * from a big string, keeps the big one alive: a node's name its tar entry's whole path
 * (engine/names.ts), a secret finding's evidence the 64 KiB window of text it was found in.
 */
export function ownCopy(s: string): string {
  // Bytes and back: a new one-byte string when every code unit fits in a byte (nearly every name).
  const copy = Buffer.from(s, 'latin1').toString('latin1');
  if (copy === s) return copy;
  // Otherwise the copy made by flattening a concatenation (a view again, but into a string
  // only one character longer than the original).
  return (s + '\0').slice(0, -1);
}
