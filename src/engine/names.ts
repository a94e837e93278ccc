/**
 * One string per distinct node name, so that a name met many times (`__init__.py`,
 * `__pycache__`, `METADATA`, `LICENSE`: an ML image's two million paths hold ~60k distinct
 * names) is stored once, and no name keeps its tar entry's whole path alive.
 *
 * The second matters as much as the first. A name is cut from the entry's path, and V8 makes a
 * cut of 13 characters or more a view into the string it was cut from: the node would keep the
 * whole path (~100 bytes on an ML image) for a name of 20. A name kept here is a copy of its own.
 *
 * The table is bounded (MAX_NAMES, and names no longer than NAME_MAX): past it, names are still
 * copied but no longer kept, so an image of only distinct names costs the table's fill and
 * nothing per path, and a hostile one of long names no more.
 */

import { ownCopy } from '../text/own-copy.js';

/** Distinct names kept (~70 bytes each for names of ~30 characters; ~45 MB at most). */
const MAX_NAMES = 1 << 17;

/** Longer names are not kept (Linux's NAME_MAX: a longer component is no file name). */
const NAME_MAX = 255;

/** Slots for short names (a power of two; 512 KB of slots). */
const RECENT_SLOTS = 1 << 16;

/** Short-name lookups judged together, and one window in how many is looked at when few repeat. */
const WINDOW = 1 << 16;
const SKIP_WINDOWS = 16;

/** V8 copies a cut shorter than this (SlicedString::kMinLength); a longer one is a view. */
const MIN_VIEW_LENGTH = 13;

export class NameTable {
  private readonly names = new Map<string, string>();
  /** Short names met lately, one per slot. */
  private readonly recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
  /** Short names looked up, hits among them (this window), and until which lookup they are skipped. */
  private lookups = 0;
  private hits = 0;
  private skipUntil = 0;

  /** `name`, or the equal string met before; never a view into a longer string. */
  intern(name: string): string {
    const n = name.length;
    if (n < MIN_VIEW_LENGTH) return this.short(name);
    const known = this.names.get(name);
    if (known !== undefined) return known;
    const own = ownCopy(name);
    if (this.names.size < MAX_NAMES && n <= NAME_MAX) this.names.set(own, own);
    return own;
  }

  /**
   * `name` as a string of its own, for a name that waits in a parsed layer: a long one interned,
   * a short one as it is (it is a copy already; sharing it waits for the node: shareOwn). Half
   * the lookups of intern() on a tar of distinct short names (8% of the load there).
   */
  own(name: string): string {
    return name.length < MIN_VIEW_LENGTH ? name : this.intern(name);
  }

  /** A name own() gave, shared where it is short (as intern() would give it). */
  shareOwn(name: string): string {
    return name.length < MIN_VIEW_LENGTH ? this.short(name) : name;
  }

  /**
   * A short name is a copy already: only sharing it saves anything, and where names repeat
   * (`__init__.py`, `m17.py` in a thousand directories) that is ~40 MB on the ML-shaped image.
   * It goes to a slot picked by a hash of its characters, not to the map: a million distinct
   * ones (`m123456.py`) took +12% of the load through the map. Even the slots cost ~10% there,
   * with nothing to share, so a window of lookups that finds few repeats skips the next ones
   * (it looks again one window in SKIP_WINDOWS).
   */
  private short(name: string): string {
    const at = ++this.lookups;
    if (at < this.skipUntil) return name;
    const n = name.length;
    let h = n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    const slot = (h ^ (h >>> 16)) & (RECENT_SLOTS - 1);
    const seen = this.recent[slot];
    if (seen === name) {
      this.hits++;
      name = seen;
    } else this.recent[slot] = name;
    if ((at & (WINDOW - 1)) === 0) {
      if (this.hits < WINDOW / 16) this.skipUntil = at + WINDOW * (SKIP_WINDOWS - 1);
      this.hits = 0;
    }
    return name;
  }
}
