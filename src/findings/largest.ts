/**
 * The n largest of many candidates by a byte figure, the rest only counted and summed. The checks
 * that list "the largest N" (wasted copies, deleted files) offer every candidate here instead of
 * collecting all of them and sorting: on an image whose upgrade layer rewrites 500k files, a
 * record and a path string per candidate were ~0.5 GB of allocation and the `scan` peak (issue 16).
 *
 * Ties at the cut are broken by path (the order a sort of every path would give), the path built
 * only for a candidate that ties with or beats the last one kept; or, with `ties: 'first'`, by
 * the order of offering (a stable sort's order), with no path built until the end.
 */
export interface Kept<T> {
  item: T;
  bytes: number;
  path: string;
}

export class Largest<T> {
  /** Kept candidates, best first (most bytes; ties by path or by offer order). */
  private readonly kept: Array<{ item: T; bytes: number; path: string | undefined }> = [];
  /** Every candidate offered. */
  count = 0;
  /** Their bytes, summed. */
  bytes = 0;

  constructor(
    readonly n: number,
    private readonly pathOf: (item: T) => string,
    private readonly ties: 'path' | 'first' = 'path',
  ) {}

  offer(bytes: number, item: T): void {
    this.count++;
    this.bytes += bytes;
    const kept = this.kept;
    if (this.n <= 0) return;
    let path: string | undefined;
    if (kept.length === this.n) {
      const last = kept[kept.length - 1];
      if (bytes < last.bytes) return;
      if (bytes === last.bytes) {
        if (this.ties === 'first') return;
        path = this.pathOf(item);
        if (!(path < last.path!)) return;
      }
    }
    if (this.ties === 'path') path ??= this.pathOf(item);
    // Where it goes: after every kept candidate that ranks before it (kept is at most n long).
    let at = kept.length;
    while (at > 0) {
      const k = kept[at - 1];
      if (k.bytes > bytes || (k.bytes === bytes && (this.ties === 'first' || k.path! <= path!))) break;
      at--;
    }
    kept.splice(at, 0, { item, bytes, path });
    if (kept.length > this.n) kept.pop();
  }

  /** The kept candidates, most bytes first, ties by path; each with its path. */
  list(): Array<Kept<T>> {
    const out = this.kept.map((k) => ({ item: k.item, bytes: k.bytes, path: k.path ?? this.pathOf(k.item) }));
    return out.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** How many offered candidates were not kept, and their bytes. */
  get rest(): { count: number; bytes: number } {
    let keptBytes = 0;
    for (const k of this.kept) keptBytes += k.bytes;
    return { count: this.count - this.kept.length, bytes: this.bytes - keptBytes };
  }
}
