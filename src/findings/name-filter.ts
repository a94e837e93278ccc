/**
 * A first test of whether a name may be one of a few known ones — by its length and its first
 * character — before it is looked up in a Map or Set.
 *
 * Why: the checks ask of every file of every layer whether its name is a package manifest, an OS
 * database or an extension without secrets, and each lookup hashes the name: a string the tar
 * reader has just made, whose hash V8 has not computed yet (on an image of a million small files,
 * hashing and probing for these three was ~2% of the main thread). Most names fail this table at
 * once; a name that passes is looked up as before, so the answer never changes.
 */

/** Lengths from this on share one row (the names looked for are shorter: a longer name is let through). */
const LONG = 63;

export class NameFilter {
  /** One byte per (length, first character): 1 where some name has them. */
  private readonly table = new Uint8Array((LONG + 1) * 128);

  /** `foldCase`: names are matched in any ASCII letter case (the names given are lower case). */
  constructor(
    names: Iterable<string>,
    private readonly foldCase = false,
  ) {
    for (const n of names) if (n.length > 0) this.table[this.key(n, 0, n.length)] = 1;
  }

  private key(s: string, at: number, length: number): number {
    let c = s.charCodeAt(at);
    if (c > 127) c = 127;
    else if (this.foldCase && c >= 65 && c <= 90) c |= 0x20;
    return (length < LONG ? length : LONG) * 128 + c;
  }

  /** False: the `length` characters of `s` from `at` are none of the names. True: they may be. */
  mayBe(s: string, at = 0, length = s.length - at): boolean {
    return length > 0 && this.table[this.key(s, at, length)] === 1;
  }
}
