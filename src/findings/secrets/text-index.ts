/**
 * Where a window's newlines and a few markers are, found once per window. The questions asked for
 * every match — where its line starts, the nearest line before it that starts with `=` or `/`, how
 * many triple quotes open before it — each scanned back over the window, and a crafted line of
 * thousands of matches made a window cost seconds (quadratic in the matches). Answered from here
 * they cost a binary search each.
 */
import { countBelow, itself } from '../../text/sorted.js';

export class TextIndex {
  private readonly found = new Map<string, number[]>();

  constructor(private readonly text: string) {}

  /**
   * As `String.prototype.lastIndexOf` (the last `needle` starting at or before `from`), for
   * needles that cannot overlap themselves (`\n`, `\n=`, `\n/`): nearestLine walks lines with it.
   */
  lastIndexOf(needle: string, from = Number.POSITIVE_INFINITY): number {
    const at = this.offsets(needle);
    const n = countBelow(at, from + 1, itself);
    return n === 0 ? -1 : at[n - 1];
  }

  /** How many `needle`s start before `index`, counted without overlap from the text's start. */
  countBefore(needle: string, index: number): number {
    return countBelow(this.offsets(needle), index, itself);
  }

  private offsets(needle: string): number[] {
    let at = this.found.get(needle);
    if (!at) {
      at = [];
      for (let i = this.text.indexOf(needle); i >= 0; i = this.text.indexOf(needle, i + needle.length)) at.push(i);
      this.found.set(needle, at);
    }
    return at;
  }
}
