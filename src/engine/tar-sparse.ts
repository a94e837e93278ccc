/**
 * GNU sparse files in a tar, read as Go's archive/tar reads them: Docker, containerd, Podman,
 * go-containerregistry and dive all take a layer's entries from it, so its reading is the one a
 * container gets. `tar --sparse` (GNU tar's `-S`) writes them in two families:
 *
 * - the old GNU form, typeflag 'S': the header holds the first four data regions and the file's
 *   real size, and extension blocks with 21 more regions each may follow the header, before the
 *   data (not counted in its size). Go reads them, then hands the entry over with typeflag 'S',
 *   which Docker and containerd refuse to unpack ("unhandled tar header type 83"). The blocks
 *   must still be read as blocks: read as data they shift every later header of the layer, and a
 *   crafted layer could then show one reader other entries than the other.
 * - the PAX forms 0.0, 0.1 and 1.0 (`GNU.sparse.*` records; typeflag '0'): the real name is in
 *   `GNU.sparse.name` (the header names a `GNUSparseFile.N/…` path for 1.0), the real size in
 *   `GNU.sparse.size` or `GNU.sparse.realsize`, and the regions in the records (0.x) or as
 *   decimal lines in whole blocks at the start of the data (1.0). Docker writes the file at the
 *   real name, at its real size, its holes zeros.
 *
 * A map that Go refuses (regions out of order, overlapping, past the real size, a data length
 * other than the regions' sum) fails the layer here as it fails it there.
 */
import { LayerlensError } from '../errors/index.js';
import { MAX_TAR_META_RECORD } from './limits.js';

/** A file's data regions: offset, length, offset, length, … in the real file, in order. */
export type SparseRegions = number[];

/** At most this many regions in one file's map (a map is data the reader must hold). */
export const MAX_SPARSE_REGIONS = 1 << 17;

const BLOCK = 512;

export function corruptTar(what: string): LayerlensError {
  return new LayerlensError(`corrupt tar archive: ${what}`, 'CORRUPT');
}

/** Regions within `size`, in order, none overlapping (Go's validateSparseEntries, as BSD tar checks). */
export function validRegions(regions: SparseRegions, size: number): boolean {
  if (size < 0) return false;
  let end = 0;
  for (let i = 0; i < regions.length; i += 2) {
    const off = regions[i];
    const len = regions[i + 1];
    if (off < 0 || len < 0 || off + len > size || end > off) return false;
    end = off + len;
  }
  return true;
}

/** The sum of the regions' lengths: the data bytes the entry must hold after its map. */
export function regionBytes(regions: SparseRegions): number {
  let sum = 0;
  for (let i = 1; i < regions.length; i += 2) sum += regions[i];
  return sum;
}

/**
 * The old GNU form's regions in `count` slots of 24 bytes from `b[start]` (offset, length: 12
 * bytes each, octal or base-256), up to the first slot whose offset starts with a NUL (GNU and
 * BSD tar stop there too), appended to `out`.
 */
export function readOldGnuRegions(
  b: Buffer,
  start: number,
  count: number,
  out: SparseRegions,
  num: (at: number, len: number, field: string) => number,
): void {
  for (let i = 0; i < count; i++) {
    const at = start + i * 24;
    if (b[at] === 0) return;
    if (out.length >= 2 * MAX_SPARSE_REGIONS) throw tooManyRegions();
    out.push(num(at, 12, 'sparse offset'), num(at + 12, 12, 'sparse length'));
  }
}

/** What the PAX sparse records say about an entry; undefined when it is not a PAX sparse file. */
export interface PaxSparse {
  /** `GNU.sparse.name`, when set: the name the file is written at. */
  name?: string;
  /** The real size, when the records give it. */
  size?: number;
  /** The regions; null when they are at the start of the data (format 1.0). */
  regions: SparseRegions | null;
}

/**
 * The sparse records of an entry's PAX header as Go's readGNUSparsePAXHeaders reads them
 * (`int` parses a decimal as Go's ParseInt, throwing otherwise). Records of a version Go does
 * not know leave the entry a regular file.
 */
export function paxSparse(pax: Record<string, string>, int: (v: string, key: string) => number): PaxSparse | undefined {
  const major = pax['GNU.sparse.major'] ?? '';
  const minor = pax['GNU.sparse.minor'] ?? '';
  let v1: boolean;
  if (major === '0' && (minor === '0' || minor === '1')) v1 = false;
  else if (major === '1' && minor === '0') v1 = true;
  else if (major !== '' || minor !== '') return undefined;
  else if (pax['GNU.sparse.map']) v1 = false;
  else return undefined;
  const out: PaxSparse = { regions: null };
  if (pax['GNU.sparse.name']) out.name = pax['GNU.sparse.name'];
  const size = pax['GNU.sparse.size'] || pax['GNU.sparse.realsize'];
  if (size) out.size = int(size, 'GNU.sparse.size');
  if (v1) return out;
  // 0.0 and 0.1: GNU.sparse.numblocks regions in GNU.sparse.map (0.0's offset/numbytes records
  // are gathered into it when the header is parsed, as Go does).
  const count = int(pax['GNU.sparse.numblocks'] ?? '', 'GNU.sparse.numblocks');
  if (count < 0) throw corruptTar(`a negative GNU.sparse.numblocks (${count})`);
  if (count > MAX_SPARSE_REGIONS) throw tooManyRegions();
  const map = pax['GNU.sparse.map'] ?? '';
  const fields = map === '' ? [] : map.split(',');
  if (fields.length !== 2 * count)
    throw corruptTar(`GNU.sparse.map holds ${fields.length} numbers where GNU.sparse.numblocks says ${2 * count}`);
  out.regions = fields.map((f) => int(f, 'GNU.sparse.map'));
  return out;
}

/**
 * Format 1.0's map at the start of an entry's data: the number of regions, then an offset and a
 * length per region, one decimal per line, in as many whole blocks as it takes (the data
 * proper starts at the next block). Fed the data's first bytes until `regions` is set.
 */
export class SparseMapReader {
  regions: SparseRegions | null = null;
  /** Bytes of data the map took (whole blocks). */
  taken = 0;
  private readonly parts: Buffer[] = [];
  private newlines = 0;
  /** Lines needed before the map can be parsed: the count first, then two per region. */
  private need = 1;
  private count = -1;
  private partial = 0;

  /** Reads from `b[start, end)`; returns the bytes it took. */
  feed(b: Buffer, start: number, end: number): number {
    let at = start;
    while (at < end && this.regions === null) {
      const take = Math.min(BLOCK - this.partial, end - at);
      const piece = b.subarray(at, at + take);
      this.parts.push(Buffer.from(piece));
      for (let i = 0; i < take; i++) if (piece[i] === 0x0a) this.newlines++;
      at += take;
      this.partial += take;
      if (this.partial < BLOCK) break;
      this.partial = 0;
      this.taken += BLOCK;
      if (this.taken > MAX_TAR_META_RECORD)
        throw corruptTar(`a sparse file map longer than ${MAX_TAR_META_RECORD} bytes (at most that is read)`);
      if (this.newlines >= this.need) this.parse();
    }
    return at - start;
  }

  private parse(): void {
    const lines = Buffer.concat(this.parts).toString('latin1').split('\n');
    if (this.count < 0) {
      this.count = decimal(lines[0]);
      if (this.count < 0) throw corruptTar(`a sparse file map of ${this.count} regions`);
      if (this.count > MAX_SPARSE_REGIONS) throw tooManyRegions();
      this.need = 1 + 2 * this.count;
      if (this.newlines < this.need) return;
    }
    const regions: SparseRegions = [];
    for (let i = 1; i < this.need; i++) regions.push(decimal(lines[i]));
    this.parts.length = 0;
    this.regions = regions;
  }
}

/**
 * Hands an entry's data on as the file it unpacks to: the regions' bytes at their offsets, zeros
 * in the holes between them and up to the real size. Throws when the data does not fill the
 * regions exactly (Go's reader fails the file there, and Docker the layer).
 */
export class SparseExpander {
  private pos = 0;
  private next = 0;
  private left = 0;

  constructor(
    private readonly sink: { write(chunk: Buffer): void; hole?(n: number): void },
    private readonly regions: SparseRegions,
    private readonly size: number,
  ) {}

  write(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      while (this.left === 0) {
        if (this.next >= this.regions.length) throw corruptTar('a sparse file holds more data than its map lists');
        this.zeros(this.regions[this.next] - this.pos);
        this.left = this.regions[this.next + 1];
        this.next += 2;
      }
      const take = Math.min(this.left, chunk.length - off);
      this.sink.write(chunk.subarray(off, off + take));
      this.pos += take;
      this.left -= take;
      off += take;
    }
  }

  /** After the entry's last data byte: the holes left, up to the real size. */
  end(): void {
    if (this.left > 0) throw corruptTar('a sparse file holds less data than its map lists');
    for (; this.next < this.regions.length; this.next += 2) {
      if (this.regions[this.next + 1] > 0) throw corruptTar('a sparse file holds less data than its map lists');
    }
    this.zeros(this.size - this.pos);
  }

  private zeros(n: number): void {
    if (n > 0 && this.sink.hole) {
      this.sink.hole(n);
      this.pos += n;
      return;
    }
    while (n > 0) {
      const k = Math.min(n, ZEROS.length);
      this.sink.write(ZEROS.subarray(0, k));
      this.pos += k;
      n -= k;
    }
  }
}

/** The holes' bytes (never written to: every sink only reads what it is given). */
const ZEROS = Buffer.alloc(64 << 10);

/** A number of a 1.0 map, as Go's ParseInt takes it. */
function decimal(v: string): number {
  const n = /^[+-]?[0-9]+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw corruptTar(`a sparse file map holds ${JSON.stringify(v.slice(0, 40))} where a number belongs`);
  return n;
}

function tooManyRegions(): LayerlensError {
  return corruptTar(`a sparse file map of more than ${MAX_SPARSE_REGIONS} regions (at most that many are read)`);
}
