/**
 * A few known names (package manifests, OS databases, extensions without secrets), looked up by
 * their length and first character before the Map is asked.
 *
 * Why: the checks ask of every file of every layer whether its name is one of these, and a Map
 * lookup hashes the name: a string the tar reader has just made, whose hash V8 has not computed
 * yet (on an image of a million small files, hashing and probing for these three was ~2% of the
 * main thread). Most names fail the table at once; a name that passes is looked up in the Map, so
 * the answer is the Map's.
 */

/** Lengths from this on share one row (the names looked for are shorter: a longer name is let through). */
const LONG = 63;

export class KnownNames<V = true> {
  /** One byte per (length, first character): 1 where some name has them. */
  private readonly table = new Uint8Array((LONG + 1) * 128);
  private readonly map: Map<string, V>;

  /** `foldCase`: the table lets a name through in any ASCII letter case (the names given are lower case). */
  constructor(
    entries: Iterable<readonly [string, V]>,
    private readonly foldCase = false,
  ) {
    this.map = new Map(entries);
    for (const n of this.map.keys()) if (n.length > 0) this.table[this.key(n, 0, n.length)] = 1;
  }

  /** A set of names. */
  static of(names: Iterable<string>, foldCase = false): KnownNames<true> {
    return new KnownNames(
      [...names].map((n) => [n, true] as const),
      foldCase,
    );
  }

  private key(s: string, at: number, length: number): number {
    let c = s.charCodeAt(at);
    if (c > 127) c = 127;
    else if (this.foldCase && c >= 65 && c <= 90) c |= 0x20;
    return Math.min(length, LONG) * 128 + c;
  }

  /** False: the `length` characters of `s` from `at` are none of the names. True: they may be. */
  mayBe(s: string, at = 0, length = s.length - at): boolean {
    return length > 0 && this.table[this.key(s, at, length)] === 1;
  }

  /** The value of `name` (exactly as given), if it is one of the names. */
  get(name: string): V | undefined {
    return this.mayBe(name) ? this.map.get(name) : undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }
}
