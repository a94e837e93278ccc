/**
 * Versions in columns: one typed-array slot per field instead of one object per version.
 *
 * Why (issue 16): a Version object cost ~112 bytes of the old generation (V8 allocated them there
 * directly, seeing they all survive), one per tar entry, made while the layer streams: on an
 * image of a million tiny files ~0.5 s of the parser's time, most of it memory faulted in for
 * the first time, and a million more objects for every full collection to mark. Here a version
 * is 45 bytes in typed arrays, outside the heap, which no collection walks; the fields no
 * ordinary file has (link targets, device numbers, extended attributes, the inspector's result)
 * live in side maps, and content digests (kept by comparisons only, for every file) in segments
 * of their own.
 *
 * A version is named by its index in its store. Indexes are never reused: a version the tree
 * drops (added and removed in one layer) or replaces (a second write in one layer) stays readable
 * for whoever kept it (FileTree.inLayerCopies). StoredVersion is a view of one index in the shape
 * of the Version interface, made on demand: two views of one version are two objects, so compare
 * versions with sameVersion(), not ===.
 */
import type { ChangeKind, EntryAttrs, EntryType, Version } from './types.js';

const SHIFT = 14;
/** Slots per segment: each column grows by whole segments (never copied once full size). */
const SIZE = 1 << SHIFT;
const MASK = SIZE - 1;
/** The first segment starts this small and doubles up to SIZE (a small image's store stays small). */
const FIRST = 64;

const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'other'];
const CHANGES: readonly ChangeKind[] = ['added', 'modified', 'removed'];
const TYPE_CODE: Record<EntryType, number> = { file: 0, dir: 1, symlink: 2, hardlink: 3, other: 4 };
const CHANGE_CODE: Record<ChangeKind, number> = { added: 0, modified: 1, removed: 2 };
// flags: bits 0-2 type, bits 3-4 change, bit 5 implicit, bit 6 an entry in `contents`, bit 7
// one in `rare`. (The last two spare the side maps' lookups: walks over every node ask each slot
// for its inspector's result and its extended attributes, and nearly every answer is none.)
const TYPE_MASK = 7;
const CHANGE_SHIFT = 3;
const CHANGE_MASK = 3 << CHANGE_SHIFT;
const IMPLICIT = 1 << 5;
const HAS_CONTENT = 1 << 6;
const HAS_RARE = 1 << 7;

/** Int32 slot of a field with no value (previousLayer undefined). */
const NONE = -0x80000000;
/** Int32 slot whose value did not fit: the value is in the store's `wide` map. */
const WIDE = -0x7fffffff;

/** A layer number for a version parsed but not yet placed in a tree. */
export const UNPLACED = -2;

/** The fields few versions have, kept by version index. */
interface Rare {
  linkTarget?: string;
  linkEntry?: number;
  special?: EntryAttrs['special'];
  devMajor?: number;
  devMinor?: number;
  xattrs?: Record<string, string>;
}

/** Int32 columns, by their slot in VersionStore.ints. */
const MODE = 0;
const UID = 1;
const GID = 2;
const LAYER = 3;
const PREV = 4;
const ENTRY = 5;
/** The version this one replaced in its node's history (-1: the first): FileTree's chain. */
const BELOW = 6;
const INTS = 7;
/** Two float64 columns, INTS int32 columns and a byte of flags. */
const BYTES_PER_SLOT = 16 + 4 * INTS + 1;

export class VersionStore {
  private readonly sizes: Float64Array[] = [];
  private readonly mtimes: Float64Array[] = [];
  private readonly ints: Int32Array[][] = Array.from({ length: INTS }, () => []);
  private readonly flags: Uint8Array[] = [];
  /** Capacity of the last segment, and of all of them. */
  private cap = 0;
  private capacity = 0;
  length = 0;
  private readonly rare = new Map<number, Rare>();
  private readonly contents = new Map<number, unknown>();
  /**
   * Content digests by slot, in segments of SIZE made when a digest is first set in one (loads for
   * a comparison only). A map held one entry for every file of both images and for every copy of
   * one: on a million tiny files compared, its sets, copies and reads took 2.9 s of the 7.5 s.
   */
  private readonly digestSegs: Array<(string | undefined)[] | undefined> = [];
  /** Int32 fields whose value did not fit, by `index * INTS + column`. */
  private readonly wide = new Map<number, number>();

  /** A new slot with the common fields; the rest are set through the setters. */
  add(
    type: EntryType,
    size: number,
    mode: number,
    uid: number,
    gid: number,
    mtime: number,
    layer: number,
    change: ChangeKind,
    previousLayer: number | undefined,
    entry: number,
  ): number {
    const i = this.length;
    if (i === this.capacity) this.grow();
    this.length = i + 1;
    const s = i >>> SHIFT;
    const o = i & MASK;
    this.sizes[s][o] = size;
    this.mtimes[s][o] = mtime;
    this.flags[s][o] = TYPE_CODE[type] | (CHANGE_CODE[change] << CHANGE_SHIFT);
    const ints = this.ints;
    this.setInt(ints[MODE][s], o, i, MODE, mode);
    this.setInt(ints[UID][s], o, i, UID, uid);
    this.setInt(ints[GID][s], o, i, GID, gid);
    ints[LAYER][s][o] = layer;
    this.setInt(ints[PREV][s], o, i, PREV, previousLayer);
    ints[ENTRY][s][o] = entry;
    ints[BELOW][s][o] = -1;
    return i;
  }

  /** A slot with `a`'s attributes (its rare fields included). */
  addAttrs(
    a: EntryAttrs,
    layer: number,
    change: ChangeKind,
    previousLayer: number | undefined,
    content: unknown,
    entry: number,
    implicit?: boolean,
  ): number {
    const i = this.add(a.type, a.size, a.mode, a.uid, a.gid, a.mtime, layer, change, previousLayer, entry);
    // Rare fields only where present: most versions are plain files and directories.
    if (a.linkTarget !== undefined || a.linkEntry !== undefined || a.xattrs !== undefined || a.special !== undefined) {
      const r: Rare = {};
      if (a.linkTarget !== undefined) r.linkTarget = a.linkTarget;
      if (a.linkEntry !== undefined) r.linkEntry = a.linkEntry;
      if (a.xattrs !== undefined) r.xattrs = a.xattrs;
      if (a.special !== undefined) {
        r.special = a.special;
        r.devMajor = a.devMajor;
        r.devMinor = a.devMinor;
      }
      this.putRare(i, r);
    }
    if (a.digest !== undefined) this.setDigest(i, a.digest);
    if (content !== undefined) this.setContent(i, content);
    if (implicit) this.flags[i >>> SHIFT][i & MASK] |= IMPLICIT;
    return i;
  }

  /**
   * A slot copying `from`'s slot `j` (another store's, or this one's) with a new placement: the
   * layer parser's version entering a tree, a removal of a version. Its rare fields, digest and
   * inspector's result go with it; `implicit` does not.
   */
  copy(
    from: VersionStore,
    j: number,
    layer: number,
    change: ChangeKind,
    previousLayer: number | undefined,
    entry: number,
  ): number {
    const i = this.add(
      from.type(j),
      from.size(j),
      from.mode(j),
      from.uid(j),
      from.gid(j),
      from.mtime(j),
      layer,
      change,
      previousLayer,
      entry,
    );
    const r = from.rareOf(j);
    if (r) this.putRare(i, { ...r });
    if (from.digestSegs.length !== 0) {
      const d = from.digest(j);
      if (d !== undefined) this.setDigest(i, d);
    }
    const c = from.content(j);
    if (c !== undefined) this.setContent(i, c);
    return i;
  }

  private grow(): void {
    const first = this.sizes.length === 0;
    if (first || this.cap === SIZE) {
      // A new segment: the first starts small, the others at full size.
      const n = first ? FIRST : SIZE;
      const seg = segment(n);
      this.sizes.push(seg.sizes);
      this.mtimes.push(seg.mtimes);
      this.flags.push(seg.flags);
      for (let c = 0; c < INTS; c++) this.ints[c].push(seg.ints[c]);
      this.cap = n;
      this.capacity += n;
      return;
    }
    // The first segment, full below SIZE: doubled (copied; small).
    const n = Math.min(SIZE, this.cap * 2);
    const seg = segment(n);
    seg.sizes.set(this.sizes[0]);
    seg.mtimes.set(this.mtimes[0]);
    seg.flags.set(this.flags[0]);
    this.sizes[0] = seg.sizes;
    this.mtimes[0] = seg.mtimes;
    this.flags[0] = seg.flags;
    for (let c = 0; c < INTS; c++) {
      seg.ints[c].set(this.ints[c][0]);
      this.ints[c][0] = seg.ints[c];
    }
    this.capacity += n - this.cap;
    this.cap = n;
  }

  private setInt(seg: Int32Array, o: number, i: number, col: number, v: number | undefined): void {
    if (v === undefined) seg[o] = NONE;
    else if ((v | 0) === v && v !== NONE && v !== WIDE) seg[o] = v;
    else {
      seg[o] = WIDE;
      this.wide.set(i * INTS + col, v);
    }
  }

  private getInt(i: number, col: number): number | undefined {
    const v = this.ints[col][i >>> SHIFT][i & MASK];
    if (v === NONE) return undefined;
    return v === WIDE ? this.wide.get(i * INTS + col) : v;
  }

  type(i: number): EntryType {
    return TYPES[this.flags[i >>> SHIFT][i & MASK] & TYPE_MASK];
  }
  change(i: number): ChangeKind {
    return CHANGES[(this.flags[i >>> SHIFT][i & MASK] & CHANGE_MASK) >>> CHANGE_SHIFT];
  }
  isDir(i: number): boolean {
    return (this.flags[i >>> SHIFT][i & MASK] & TYPE_MASK) === 1;
  }
  isRemoved(i: number): boolean {
    return (this.flags[i >>> SHIFT][i & MASK] & CHANGE_MASK) === 2 << CHANGE_SHIFT;
  }
  implicit(i: number): boolean {
    return (this.flags[i >>> SHIFT][i & MASK] & IMPLICIT) !== 0;
  }
  size(i: number): number {
    return this.sizes[i >>> SHIFT][i & MASK];
  }
  mtime(i: number): number {
    return this.mtimes[i >>> SHIFT][i & MASK];
  }
  mode(i: number): number {
    return this.getInt(i, MODE) as number;
  }
  uid(i: number): number {
    return this.getInt(i, UID) as number;
  }
  gid(i: number): number {
    return this.getInt(i, GID) as number;
  }
  layer(i: number): number {
    return this.ints[LAYER][i >>> SHIFT][i & MASK];
  }
  previousLayer(i: number): number | undefined {
    return this.getInt(i, PREV);
  }
  entry(i: number): number {
    return this.ints[ENTRY][i >>> SHIFT][i & MASK];
  }
  /** The version before `i` in its node's history, or -1 (FileTree's chain). */
  below(i: number): number {
    return this.ints[BELOW][i >>> SHIFT][i & MASK];
  }
  rareOf(i: number): Rare | undefined {
    return (this.flags[i >>> SHIFT][i & MASK] & HAS_RARE) === 0 ? undefined : this.rare.get(i);
  }
  linkTarget(i: number): string | undefined {
    return this.rareOf(i)?.linkTarget;
  }
  content(i: number): unknown {
    return (this.flags[i >>> SHIFT][i & MASK] & HAS_CONTENT) === 0 ? undefined : this.contents.get(i);
  }
  digest(i: number): string | undefined {
    const seg = this.digestSegs[i >>> SHIFT];
    return seg === undefined ? undefined : seg[i & MASK];
  }

  setBelow(i: number, below: number): void {
    this.ints[BELOW][i >>> SHIFT][i & MASK] = below;
  }
  setLayer(i: number, layer: number): void {
    this.ints[LAYER][i >>> SHIFT][i & MASK] = layer;
  }
  setChange(i: number, change: ChangeKind): void {
    const s = i >>> SHIFT;
    const o = i & MASK;
    this.flags[s][o] = (this.flags[s][o] & ~CHANGE_MASK) | (CHANGE_CODE[change] << CHANGE_SHIFT);
  }
  setType(i: number, type: EntryType): void {
    const s = i >>> SHIFT;
    const o = i & MASK;
    this.flags[s][o] = (this.flags[s][o] & ~TYPE_MASK) | TYPE_CODE[type];
  }
  setImplicit(i: number, on: boolean): void {
    const s = i >>> SHIFT;
    const o = i & MASK;
    this.flags[s][o] = on ? this.flags[s][o] | IMPLICIT : this.flags[s][o] & ~IMPLICIT;
  }
  setPreviousLayer(i: number, layer: number | undefined): void {
    this.setInt(this.ints[PREV][i >>> SHIFT], i & MASK, i, PREV, layer);
  }
  setNumber(i: number, field: 'mode' | 'uid' | 'gid', v: number): void {
    const col = field === 'mode' ? MODE : field === 'uid' ? UID : GID;
    this.setInt(this.ints[col][i >>> SHIFT], i & MASK, i, col, v);
  }
  /** (An entry ordinal always fits: bounded by LAYERLENS_MAX_ENTRIES.) */
  setEntry(i: number, entry: number): void {
    this.ints[ENTRY][i >>> SHIFT][i & MASK] = entry;
  }
  setSize(i: number, size: number): void {
    this.sizes[i >>> SHIFT][i & MASK] = size;
  }
  setMtime(i: number, mtime: number): void {
    this.mtimes[i >>> SHIFT][i & MASK] = mtime;
  }
  setContent(i: number, c: unknown): void {
    const s = i >>> SHIFT;
    const o = i & MASK;
    if (c === undefined) {
      this.contents.delete(i);
      this.flags[s][o] &= ~HAS_CONTENT;
    } else {
      this.contents.set(i, c);
      this.flags[s][o] |= HAS_CONTENT;
    }
  }
  setDigest(i: number, d: string | undefined): void {
    const s = i >>> SHIFT;
    let seg = this.digestSegs[s];
    if (seg === undefined) {
      if (d === undefined) return;
      while (this.digestSegs.length < s) this.digestSegs.push(undefined);
      seg = this.digestSegs[s] = new Array<string | undefined>(SIZE);
    }
    seg[i & MASK] = d;
  }
  setRare<K extends keyof Rare>(i: number, key: K, v: Rare[K]): void {
    let r = this.rare.get(i);
    if (v === undefined) {
      if (r) delete r[key];
      return;
    }
    if (!r) this.putRare(i, (r = {}));
    r[key] = v;
  }

  private putRare(i: number, r: Rare): void {
    this.rare.set(i, r);
    this.flags[i >>> SHIFT][i & MASK] |= HAS_RARE;
  }

  /** A view of slot `i` in the shape of a Version. */
  view(i: number): StoredVersion {
    return new StoredVersion(this, i);
  }
}

/**
 * The columns of `n` slots, views into one buffer (one allocation a segment, not ten: each
 * ArrayBuffer is an allocation and a registration of external memory of its own).
 */
function segment(n: number): { sizes: Float64Array; mtimes: Float64Array; ints: Int32Array[]; flags: Uint8Array } {
  const buf = new ArrayBuffer(n * BYTES_PER_SLOT);
  const ints: Int32Array[] = [];
  for (let c = 0; c < INTS; c++) ints.push(new Int32Array(buf, 16 * n + 4 * n * c, n));
  return {
    sizes: new Float64Array(buf, 0, n),
    mtimes: new Float64Array(buf, 8 * n, n),
    ints,
    flags: new Uint8Array(buf, (16 + 4 * INTS) * n, n),
  };
}

/**
 * One version of a store, read (and written) through its fields: what every reader of the tree
 * gets where it asks for a Version. A view, not the version: compare with sameVersion().
 */
export class StoredVersion implements Version {
  constructor(
    readonly store: VersionStore,
    readonly index: number,
  ) {}
  get type(): EntryType {
    return this.store.type(this.index);
  }
  set type(t: EntryType) {
    this.store.setType(this.index, t);
  }
  get size(): number {
    return this.store.size(this.index);
  }
  set size(n: number) {
    this.store.setSize(this.index, n);
  }
  get mode(): number {
    return this.store.mode(this.index);
  }
  set mode(n: number) {
    this.store.setNumber(this.index, 'mode', n);
  }
  get uid(): number {
    return this.store.uid(this.index);
  }
  set uid(n: number) {
    this.store.setNumber(this.index, 'uid', n);
  }
  get gid(): number {
    return this.store.gid(this.index);
  }
  set gid(n: number) {
    this.store.setNumber(this.index, 'gid', n);
  }
  get mtime(): number {
    return this.store.mtime(this.index);
  }
  set mtime(n: number) {
    this.store.setMtime(this.index, n);
  }
  get layer(): number {
    return this.store.layer(this.index);
  }
  set layer(n: number) {
    this.store.setLayer(this.index, n);
  }
  get change(): ChangeKind {
    return this.store.change(this.index);
  }
  set change(c: ChangeKind) {
    this.store.setChange(this.index, c);
  }
  get previousLayer(): number | undefined {
    return this.store.previousLayer(this.index);
  }
  set previousLayer(n: number | undefined) {
    this.store.setPreviousLayer(this.index, n);
  }
  get entry(): number {
    return this.store.entry(this.index);
  }
  set entry(n: number) {
    this.store.setEntry(this.index, n);
  }
  get implicit(): boolean | undefined {
    return this.store.implicit(this.index) || undefined;
  }
  set implicit(on: boolean | undefined) {
    this.store.setImplicit(this.index, !!on);
  }
  get content(): unknown {
    return this.store.content(this.index);
  }
  set content(c: unknown) {
    this.store.setContent(this.index, c);
  }
  get digest(): string | undefined {
    return this.store.digest(this.index);
  }
  set digest(d: string | undefined) {
    this.store.setDigest(this.index, d);
  }
  get linkTarget(): string | undefined {
    return this.store.rareOf(this.index)?.linkTarget;
  }
  set linkTarget(t: string | undefined) {
    this.store.setRare(this.index, 'linkTarget', t);
  }
  get linkEntry(): number | undefined {
    return this.store.rareOf(this.index)?.linkEntry;
  }
  set linkEntry(n: number | undefined) {
    this.store.setRare(this.index, 'linkEntry', n);
  }
  get special(): EntryAttrs['special'] {
    return this.store.rareOf(this.index)?.special;
  }
  set special(s: EntryAttrs['special']) {
    this.store.setRare(this.index, 'special', s);
  }
  get devMajor(): number | undefined {
    return this.store.rareOf(this.index)?.devMajor;
  }
  set devMajor(n: number | undefined) {
    this.store.setRare(this.index, 'devMajor', n);
  }
  get devMinor(): number | undefined {
    return this.store.rareOf(this.index)?.devMinor;
  }
  set devMinor(n: number | undefined) {
    this.store.setRare(this.index, 'devMinor', n);
  }
  get xattrs(): Record<string, string> | undefined {
    return this.store.rareOf(this.index)?.xattrs;
  }
  set xattrs(x: Record<string, string> | undefined) {
    this.store.setRare(this.index, 'xattrs', x);
  }
}

/**
 * Whether `a` and `b` are the same version (views of one slot, or one object): views are made on
 * demand, so === says only whether they are one view.
 */
export function sameVersion(a: Version | undefined, b: Version | undefined): boolean {
  if (a === b) return true;
  if (!(a instanceof StoredVersion) || !(b instanceof StoredVersion)) return false;
  return a.store === b.store && a.index === b.index;
}

/** A number naming `v` among the versions of its tree (a key for maps of versions). */
export function versionKey(v: Version): number | Version {
  return v instanceof StoredVersion ? v.index : v;
}
