/**
 * A list that grows by whole segments of a fixed size, never by copying itself.
 *
 * Why: a JavaScript array that grows by push() is copied into a larger one each time it fills,
 * and every smaller copy is left behind. A layer of a million entries waits for its diffID as
 * ~2.5 million items: the copies were ~2× the final array of old-generation garbage, ~100 MB on
 * the ML-shaped benchmark image (issue 16), which the heap then held until its next full
 * collection. A segment is allocated at its final size and filled in place; each stays below
 * V8's large-object threshold (128 KiB), so it is an ordinary heap object.
 */
const SHIFT = 13;
const SIZE = 1 << SHIFT;
const MASK = SIZE - 1;

export class SegmentedList<T> {
  private readonly segments: T[][] = [];
  private last: T[] = [];
  /** Items in the last segment. */
  private fill = SIZE;
  length = 0;

  push(item: T): void {
    if (this.fill === SIZE) {
      // (Made at full length and filled by index: no growth, no copy.)
      this.last = new Array<T>(SIZE);
      this.segments.push(this.last);
      this.fill = 0;
    }
    this.last[this.fill++] = item;
    this.length++;
  }

  at(i: number): T {
    return this.segments[i >>> SHIFT][i & MASK];
  }

  [Symbol.iterator](): Iterator<T> {
    // (An iterator object, not a generator: walks over two million nodes read lists like this,
    // and a generator cost ~30 ns an item where an array's iterator costs ~3.)
    const segments = this.segments;
    const length = this.length;
    let i = 0;
    const step: IteratorResult<T> = { done: false, value: undefined as T };
    return {
      next: (): IteratorResult<T> => {
        if (i >= length) return { done: true, value: undefined };
        step.value = segments[i >>> SHIFT][i & MASK];
        i++;
        return step;
      },
    };
  }

  /** Whether `test` holds for some item (Array#some). */
  some(test: (item: T) => boolean): boolean {
    for (let i = 0; i < this.length; i++) if (test(this.at(i))) return true;
    return false;
  }

  /** The last index of `item`, or -1 (Array#lastIndexOf). */
  lastIndexOf(item: T): number {
    for (let i = this.length - 1; i >= 0; i--) if (this.at(i) === item) return i;
    return -1;
  }

  /** Remove the item at `i`, moving the later ones down (rare edits: Array#splice(i, 1)). */
  removeAt(i: number): void {
    for (let j = i; j < this.length - 1; j++) this.segments[j >>> SHIFT][j & MASK] = this.at(j + 1);
    this.length--;
    if (--this.fill === 0) {
      // The last segment is empty: drop it; the one before, if any, is full and last again.
      this.segments.pop();
      this.last = this.segments[this.segments.length - 1] ?? [];
      this.fill = SIZE;
    }
  }

  /** A list of the items for which `keep(item, index)` is true (rare edits: eStargz's hidden entries). */
  filter(keep: (item: T, index: number) => boolean): SegmentedList<T> {
    const out = new SegmentedList<T>();
    for (let i = 0; i < this.length; i++) if (keep(this.at(i), i)) out.push(this.at(i));
    return out;
  }

  static of<T>(items: Iterable<T>): SegmentedList<T> {
    const out = new SegmentedList<T>();
    for (const item of items) out.push(item);
    return out;
  }
}
