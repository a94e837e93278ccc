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

/**
 * `v` with each string in it made its own copy (in place, in plain objects and arrays; a string
 * shorter than 13 characters is never a view). For a parser's result that is kept: the packages
 * parsed from a dpkg status file held that file's whole text (~0.1–0.7 MB a version) through
 * their fields.
 */
export function ownStrings<T>(v: T, depth = 0): T {
  if (typeof v === 'string') return (v.length >= 13 ? ownCopy(v) : v) as T;
  if (v === null || typeof v !== 'object' || depth > 8) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = ownStrings(v[i], depth + 1);
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = ownStrings(o[k], depth + 1);
  }
  return v;
}
