/**
 * The one tar header decoder: every reader of tar data in layerlens (the layer stream reader, the
 * archive indexer, the layer re-reader of the viewer and extract, the one-pass archive reader)
 * turns header blocks into entries here, so they all agree on every name and every size.
 *
 * It decodes as Go's archive/tar does, because that is what Docker, containerd and Podman unpack
 * layers with: what they would write is what the tree shows, and what they refuse is refused
 * here. ustar (name + prefix), GNU (long name 'L' / long link 'K' records, base-256 numbers),
 * PAX ('x' records; 'g' global records are checked and then ignored, as the runtimes ignore
 * them), v7, GNU sparse files (tar-sparse.ts). Numbers are checked strictly; a size that is
 * negative, not a number, or beyond 2^53 is an error that names the entry, before any byte of
 * data is framed by it.
 *
 * Names are kept as bytes (see paths.ts decodeName): invalid UTF-8 is written `\xNN`.
 */
import { LayerlensError } from '../errors/index.js';
import { MAX_TAR_META_RECORD } from './limits.js';
import { decodeName } from './paths.js';
import {
  corruptTar as corrupt,
  MAX_SPARSE_REGIONS,
  paxSparse,
  readOldGnuRegions,
  regionBytes,
  type SparseRegions,
  validRegions,
} from './tar-sparse.js';

export interface TarHeader {
  /** The name as written (GNU long name, else PAX path, else prefix/name), decoded; not cleaned. */
  name: string;
  /** Raw bytes of the name (limits are stated in bytes). */
  nameBytes: number;
  linkname: string;
  linkBytes: number;
  /** Tar typeflag character ('0', '5', '2', …); a NUL typeflag is '0', or '5' for a name ending in '/'. */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  /**
   * The file's size: the bytes of data that follow the header (0 for header-only types: links,
   * dirs, devices, fifos), but a sparse file's real size (`decoder.size` frames its data).
   */
  size: number;
  mtime: number;
  devmajor: number;
  devminor: number;
  /** This entry's PAX records, values as latin1 (bytes kept: xattrs are binary), when it has any. */
  pax?: Record<string, string>;
  /**
   * A GNU sparse file (tar-sparse.ts): its data regions, or null when they open its data (PAX
   * format 1.0: the tar reader reads them there).
   */
  sparse?: { regions: SparseRegions | null };
}

/** What a header block was. */
export type HeaderStep =
  /** An entry: `decoder.header`, with `decoder.size` data bytes after it. */
  | 'entry'
  /** A PAX or GNU record of `decoder.size` bytes follows: give them to `decoder.record()`. */
  | 'record'
  /** An old GNU sparse header whose map goes on: the next block is its extension, for `decode()`. */
  | 'more'
  /** A first zero block: the archive ends (only a second zero block, or the end of the input, may follow). */
  | 'zero'
  /** The second zero block: the end of the archive; whatever follows is not read. */
  | 'end';

const BLOCK = 512;

/** Types whose size field frames no data (Go's isHeaderOnlyType): '1' to '6'. (A typeflag is one character.) */
function headerOnly(typeflag: string): boolean {
  const c = typeflag.charCodeAt(0);
  return c >= 0x31 && c <= 0x36;
}

export class TarHeaderDecoder {
  /**
   * The entry decoded by the last `decode()` that returned 'entry': one object, written again by
   * the next entry's header (a caller copies what it keeps). A new object per header was ~120
   * bytes of garbage per entry, an eighth of a million-file load's young allocation.
   */
  readonly header: TarHeader = {
    name: '',
    nameBytes: 0,
    linkname: '',
    linkBytes: 0,
    typeflag: '0',
    mode: 0,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    devmajor: 0,
    devminor: 0,
    pax: undefined,
    sparse: undefined,
  };
  /** Data bytes after the last header decoded: the entry's data, or the record's length. */
  size = 0;
  /** Entry headers decoded so far (records not counted): the next entry's ordinal. */
  entries = 0;
  /** Header blocks decoded so far, records included (a bad first one means: not a tar at all). */
  private blocks = 0;
  private recordType = '';
  private pax: Record<string, string> | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  private zero = false;
  /**
   * The name of the last PAX global header (`g`) read, as Go names it (its path record, else its
   * header's name), for the reader to hand on; null once taken.
   */
  globalName: string | null = null;
  /** The name field of the last record's own header (a global header's name, see globalName). */
  private recordHeaderName = '';
  /** An old GNU sparse header waiting for the extension blocks of its map. */
  private extending: { header: TarHeader; regions: SparseRegions; stored: number; raw: string } | null = null;

  /** Decode one 512-byte header block (`block[at, at+512)`). Throws a LayerlensError on bad data. */
  decode(block: Buffer, at = 0): HeaderStep {
    // (An extension block has no checksum, and may be all zeros: it ends the map then.)
    if (this.extending) return this.extension(block, at);
    if (isZeroBlock(block, at)) {
      if (this.zero) return 'end';
      this.zero = true;
      return 'zero';
    }
    // After a zero block the archive has ended; a header there is a broken archive (Go: ErrHeader).
    if (this.zero) throw corrupt('a header after the end-of-archive block');
    if (!checksumOk(block, at)) {
      throw new LayerlensError(
        this.blocks === 0
          ? 'not a valid tar archive (bad header checksum)'
          : `corrupt tar archive (bad header checksum after entry ${this.entries})`,
        this.blocks === 0 ? 'NOT_TAR' : 'CORRUPT',
      );
    }
    this.blocks++;
    const flagByte = block[at + 156];
    let typeflag = flagByte === 0 ? '\0' : String.fromCharCode(flagByte);
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      const size = numeric(block, at + 124, 12, 'size', `a ${recordName(typeflag)}`);
      if (size < 0 || size > MAX_TAR_META_RECORD)
        throw corrupt(`a ${recordName(typeflag)} of ${size} bytes (at most ${MAX_TAR_META_RECORD} are allowed)`);
      this.recordType = typeflag;
      this.size = size;
      if (typeflag === 'g') this.recordHeaderName = cString(block, at, 100);
      return 'record';
    }

    // The name: ustar's prefix/name, then a PAX path over it, then a GNU long name over that (the
    // order Go applies them in); the same for the link target.
    // (Compared byte by byte: no string per header.)
    const ustar = isUstar(block, at + 257) && block[at + 262] === 0;
    const gnu = !ustar && isUstar(block, at + 257) && block[at + 262] === 0x20;
    let name = cString(block, at, 100);
    let namePlain = lastPlain;
    // (Nearly every prefix is empty: nothing is read for it then.)
    if (ustar && block[at + 345] !== 0) {
      // star's prefix is 131 bytes (its trailer "tar\0" at 508).
      const star =
        block[at + 508] === 0x74 && block[at + 509] === 0x61 && block[at + 510] === 0x72 && block[at + 511] === 0;
      const prefix = cString(block, at + 345, star ? 131 : 155);
      if (prefix) {
        name = prefix + '/' + name;
        namePlain &&= lastPlain;
      }
    }
    let linkname = block[at + 157] === 0 ? '' : cString(block, at + 157, 100);
    const pax = this.pax;
    if (pax) {
      if (pax.path !== undefined) {
        name = pax.path;
        namePlain = false;
      }
      if (pax.linkpath !== undefined) linkname = pax.linkpath;
    }
    if (this.longName !== null) {
      name = this.longName;
      namePlain = false;
    }
    if (this.longLink !== null) linkname = this.longLink;
    this.pax = this.longName = this.longLink = null;
    // Old writers' NUL typeflag: a directory when the name ends in '/'.
    if (typeflag === '\0') typeflag = name.charCodeAt(name.length - 1) === 47 ? '5' : '0';

    // (Every field read before any is written: a bad field throws with the last entry intact.)
    const mode = numeric(block, at + 100, 8, 'mode', name);
    const uid = numeric(block, at + 108, 8, 'uid', name);
    const gid = numeric(block, at + 116, 8, 'gid', name);
    const size = numeric(block, at + 124, 12, 'size', name);
    const mtime = numeric(block, at + 136, 12, 'mtime', name);
    const devmajor = ustar || gnu ? numeric(block, at + 329, 8, 'device major', name) : 0;
    const devminor = ustar || gnu ? numeric(block, at + 337, 8, 'device minor', name) : 0;
    const header = this.header;
    header.name = namePlain ? name : decodeName(name);
    header.nameBytes = name.length;
    header.linkname = linkname && decodeName(linkname);
    header.linkBytes = linkname.length;
    header.typeflag = typeflag;
    header.mode = mode;
    header.uid = uid;
    header.gid = gid;
    header.size = size;
    header.mtime = mtime;
    header.devmajor = devmajor;
    header.devminor = devminor;
    header.pax = undefined;
    header.sparse = undefined;
    if (pax) {
      header.pax = pax;
      if (pax.size !== undefined) header.size = paxInteger(pax.size, 'size', name);
      if (pax.uid !== undefined) header.uid = paxInteger(pax.uid, 'uid', name);
      if (pax.gid !== undefined) header.gid = paxInteger(pax.gid, 'gid', name);
      if (pax.mtime !== undefined) header.mtime = paxTime(pax.mtime, name);
    }
    if (headerOnly(typeflag)) header.size = 0;
    else if (header.size < 0) throw corrupt(`${entryLabel(name)} has a negative size (${header.size})`);
    const stored = header.size;
    if (typeflag === 'S') {
      // Go reads the old GNU form only in a GNU header (star's 'S' is laid out otherwise).
      if (!gnu) throw corrupt(`${entryLabel(name)} is an old GNU sparse file in a header that is not GNU's`);
      const regions: SparseRegions = [];
      const num = (off: number, len: number, field: string) => numeric(block, off, len, field, name);
      readOldGnuRegions(block, at + 386, 4, regions, num);
      header.size = numeric(block, at + 483, 12, 'real size', name);
      header.sparse = { regions };
      if (block[at + 482] !== 0) {
        this.extending = { header, regions, stored, raw: name };
        return 'more';
      }
    } else if (pax) {
      const sp = paxSparse(pax, (v, key) => paxInteger(v, key, name));
      if (sp) {
        if (headerOnly(typeflag)) throw corrupt(`${entryLabel(name)}: a sparse map on an entry with no data`);
        if (sp.name !== undefined) {
          name = sp.name;
          header.name = decodeName(name);
          header.nameBytes = name.length;
        }
        if (sp.size !== undefined) header.size = sp.size;
        header.sparse = { regions: sp.regions };
      }
    }
    return this.finish(header, stored, name);
  }

  /** An extension block of an old GNU sparse header: 21 more regions, then whether more follow. */
  private extension(block: Buffer, at: number): HeaderStep {
    const ext = this.extending!;
    const name = ext.raw;
    readOldGnuRegions(block, at, 21, ext.regions, (off, len, field) => numeric(block, off, len, field, name));
    if (block[at + 504] !== 0) {
      if (ext.regions.length >= 2 * MAX_SPARSE_REGIONS)
        throw corrupt(`${entryLabel(name)}: too many sparse map blocks`);
      return 'more';
    }
    this.extending = null;
    return this.finish(ext.header, ext.stored, name);
  }

  /** The entry is whole: its sparse map checked as Go checks it, `stored` data bytes framed. */
  private finish(header: TarHeader, stored: number, raw: string): HeaderStep {
    const regions = header.sparse?.regions;
    if (regions) {
      if (!validRegions(regions, header.size))
        throw corrupt(`${entryLabel(raw)}: a sparse map out of order or past the file's size`);
      if (regionBytes(regions) !== stored)
        throw corrupt(`${entryLabel(raw)}: a sparse map that does not cover the entry's ${stored} data bytes`);
    }
    this.size = stored;
    this.entries++;
    return 'entry';
  }

  /** The `decoder.size` bytes of the record announced by the last `decode()`. */
  record(data: Buffer): void {
    switch (this.recordType) {
      case 'x':
        // A second PAX header before the same entry replaces the first (as in Go).
        this.pax = parsePax(data);
        break;
      case 'g': {
        // Checked (a malformed one fails the layer in the runtimes too), then ignored as Docker
        // and containerd ignore it; records pending before it were its own. Go hands it over as
        // an entry named by its own path record (or its header's name), whose parent directories
        // the runtimes create before they skip it: `globalName`.
        const records = parsePax(data);
        this.globalName = decodeName(records.path ?? this.recordHeaderName);
        this.pax = null;
        this.longName = this.longLink = null;
        break;
      }
      case 'L':
        this.longName = cString(data, 0, data.length);
        break;
      case 'K':
        this.longLink = cString(data, 0, data.length);
        break;
    }
  }

  /** Records read but no entry after them: the input ended between a record and its entry. */
  get pending(): boolean {
    return this.pax !== null || this.longName !== null || this.longLink !== null || this.extending !== null;
  }
}

function recordName(typeflag: string): string {
  return typeflag === 'x' || typeflag === 'g' ? 'PAX extended header' : 'GNU long name record';
}

/** An all-zero block. A header's first byte is its name's (nearly never zero): most blocks fail at once. */
function isZeroBlock(b: Buffer, at: number): boolean {
  if (b[at] !== 0) return false; // (no call to readUInt32LE for that)
  for (let i = at; i < at + BLOCK; i += 4) if (b.readUInt32LE(i) !== 0) return false;
  return true;
}

function checksumOk(b: Buffer, at: number): boolean {
  const stored = octal(b, at + 148, 8);
  if (stored < 0) return false;
  // The checksum field counts as eight spaces.
  let sum = 8 * 0x20 + blockSumLessChecksum(b, at);
  if (sum === stored) return true;
  // Some old writers summed signed bytes.
  sum = 8 * 0x20;
  for (let i = at; i < at + BLOCK; i++) if (i < at + 148 || i >= at + 156) sum += b[i] > 127 ? b[i] - 256 : b[i];
  return sum === stored;
}

/** A 32-bit view of the memory the last chunk lies in: one per chunk, not one per header. */
let wordsOf: ArrayBufferLike | null = null;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
/**
 * The last chunk summed, and where it lies in `words`' memory. `b.buffer` and `b.byteOffset`
 * are calls (~20% of the sum when asked per header); a chunk holds a thousand headers, and a
 * Buffer's memory and offset never change, so they are asked once per chunk.
 */
let wordsChunk: Buffer | null = null;
let wordsChunkOffset = 0;

/** Make `words` a view of `b`'s memory; its offset in it. */
function viewOf(b: Buffer): number {
  if (b !== wordsChunk) {
    const memory = b.buffer;
    if (wordsOf !== memory) {
      wordsOf = memory;
      words = new Int32Array(memory, 0, memory.byteLength >> 2);
    }
    wordsChunk = b;
    wordsChunkOffset = b.byteOffset;
  }
  return wordsChunkOffset;
}

/**
 * The sum of the block's bytes but those of its checksum field, b[at+148, at+156). Every header
 * of a million-file layer is summed, so the bytes are added two lanes at a time from 32-bit words
 * (SWAR), read through a view of the chunk's whole memory kept from one header to the next, in two
 * interleaved sums. A lane never carries into the next (128 words × 2 bytes × 255 < 2^16).
 *
 * Any alignment: zlib hands its output on as cuts of a 1 MiB buffer at whatever offset the last
 * output ended, so three headers in four are not 4-byte aligned in memory. Summing those one byte
 * at a time cost more than the rest of the decoding (~0.5 µs a header); here the up to 3 bytes
 * before the first whole word and after the last are added one by one, the words between as words.
 * The checksum field's 8 bytes always lie inside the words: they are added one by one and taken out.
 */
function blockSumLessChecksum(b: Buffer, at: number): number {
  const start = viewOf(b) + at;
  const head = (4 - (start & 3)) & 3; // bytes before the first whole word
  const w32 = words;
  const first = (start + head) >> 2;
  // 128 whole words when aligned, else 127 (the last 4 − head bytes are the tail).
  const last = first + (head === 0 ? 128 : 127);
  let even = 0;
  let odd = 0;
  let w = first;
  for (; w + 1 < last; w += 2) {
    const x = w32[w];
    const y = w32[w + 1];
    even = (even + (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff)) | 0;
    odd = (odd + (y & 0x00ff00ff) + ((y >>> 8) & 0x00ff00ff)) | 0;
  }
  if (w < last) {
    const x = w32[w];
    even = (even + (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff)) | 0;
  }
  const lanes = (even + odd) | 0;
  let sum = (lanes & 0xffff) + (lanes >>> 16);
  if (head !== 0) {
    for (let i = at; i < at + head; i++) sum += b[i];
    for (let i = at + 512 - (4 - head); i < at + 512; i++) sum += b[i];
  }
  const f = at + 148;
  return sum - (b[f] + b[f + 1] + b[f + 2] + b[f + 3] + b[f + 4] + b[f + 5] + b[f + 6] + b[f + 7]);
}

/** `ustar` at b[i, i+5). */
function isUstar(b: Buffer, i: number): boolean {
  return b[i] === 0x75 && b[i + 1] === 0x73 && b[i + 2] === 0x74 && b[i + 3] === 0x61 && b[i + 4] === 0x72;
}

/**
 * NUL-terminated field as latin1 (one char per byte: nothing lost before the name is decoded).
 *
 * Every header's name is scanned here for its NUL and for bytes decodeName would change, so
 * where the field lies in the chunk the checksum just read as words (a header block's field: the
 * view is that chunk's), four bytes are looked at at once: a word with none of a zero byte, a byte
 * above 0x7f or a backslash is passed whole; the first word with one, and the bytes outside
 * whole words, are looked at one by one, as before.
 */
function cString(b: Buffer, start: number, length: number): string {
  let end = start;
  const max = start + length;
  let plain = true;
  if (length >= 16 && b === wordsChunk) {
    const offset = wordsChunkOffset;
    // The bytes before the first whole word, one by one.
    const aligned = start + ((4 - ((offset + start) & 3)) & 3);
    for (; end < aligned; end++) {
      const c = b[end];
      if (c === 0) {
        lastPlain = plain;
        return b.toString('latin1', start, end);
      }
      if (c > 0x7f || c === 0x5c) plain = false;
    }
    const w32 = words;
    const wEnd = (offset + max) >> 2;
    let w = (offset + end) >> 2;
    for (; w < wEnd; w++) {
      const x = w32[w];
      const y = x ^ 0x5c5c5c5c;
      // A zero byte in x, in y (a backslash in x), or a high bit: the classic exact tests
      // ((v − 0x01…) & ~v & 0x80… is non-zero exactly when v has a zero byte).
      if ((((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y) | x) & 0x80808080) break;
    }
    end = (w << 2) - offset;
  }
  for (; end < max; end++) {
    const c = b[end];
    if (c === 0) break;
    if (c > 0x7f || c === 0x5c) plain = false;
  }
  lastPlain = plain;
  return b.toString('latin1', start, end);
}

/**
 * Whether the last cString held no byte decodeName would change (none above 0x7f, no
 * backslash): such a name is its own decoding, and a million-entry layer skips a second pass
 * over every name.
 */
let lastPlain = true;

/** Whether this machine stores a word's first byte lowest (octal() reads digits from words so). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * An octal field as Go reads it: leading and trailing spaces and NULs trimmed, cut at a NUL, then
 * nothing but octal digits (empty = 0). -1 when it is not a number.
 *
 * One pass forward, with no trimming from the end first: after the leading spaces and NULs come
 * digits, and the first byte that is not a digit decides. A NUL cuts the field there (whatever
 * follows it). A space is the start of the trailing ones only when nothing but spaces and NULs
 * follows it; anything else is a byte that is not a digit in what Go reads.
 */
function octal(b: Buffer, start: number, length: number): number {
  const end = start + length;
  let i = start;
  let n = 0;
  // Whole words of digits first, where the field lies in the chunk the checksum just read and
  // starts on a word (the fields of an aligned header but the device numbers): writers pad
  // numbers with zeros, so a field is mostly digits, and four are taken at once.
  if (LITTLE_ENDIAN && b === wordsChunk && ((wordsChunkOffset + start) & 3) === 0) {
    const w32 = words;
    let w = (wordsChunkOffset + start) >> 2;
    const wEnd = w + (length >> 2);
    for (; w < wEnd; w++) {
      const x = w32[w];
      if ((x & 0xf8f8f8f8) !== 0x30303030) break; // not four of '0'…'7'
      // The first character is the low byte: pairs (d0·8 + d1, d2·8 + d3), then the four digits.
      const d = x & 0x07070707;
      const pairs = ((d & 0x00070007) << 3) + ((d >>> 8) & 0x00070007);
      n = n * 4096 + (pairs & 0xffff) * 64 + (pairs >>> 16);
      i += 4;
    }
  }
  // (After a digit, there is nothing leading left to trim.)
  if (i === start) while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 0x30 && c <= 0x37) n = n * 8 + (c - 0x30);
    else if (c === 0) return n;
    else if (c === 0x20) {
      for (i++; i < end; i++) if (b[i] !== 0x20 && b[i] !== 0) return -1;
      return n;
    } else return -1;
  }
  return n;
}

/**
 * A numeric field: octal, or GNU base-256 (the first byte's high bit set: two's complement,
 * big-endian, negative when its second bit is set too). Throws on anything that is not a number
 * or does not fit in 2^53. (The octal case first, small enough to be inlined where it is called
 * seven times a header; a base-256 first byte is no octal digit, so it goes on to numericRest.)
 */
function numeric(b: Buffer, start: number, length: number, field: string, name: string): number {
  const n = octal(b, start, length);
  return n >= 0 ? n : numericRest(b, start, length, field, name);
}

/** numeric() for a field that is not plain octal: base-256, or an error. */
function numericRest(b: Buffer, start: number, length: number, field: string, name: string): number {
  const first = b[start];
  if (first & 0x80) {
    const inv = first & 0x40 ? 0xff : 0;
    let n = (first ^ inv) & 0x7f;
    for (let i = start + 1; i < start + length; i++) {
      n = n * 256 + (b[i] ^ inv);
      if (n > Number.MAX_SAFE_INTEGER) throw corrupt(`${entryLabel(name)}: ${field} field beyond 2^53`);
    }
    return inv ? -n - 1 : n;
  }
  throw corrupt(`${entryLabel(name)}: ${field} field is not a number`);
}

/** `entry "etc/passwd"` for messages (the raw name decoded; the caller escapes it for display). */
function entryLabel(rawName: string): string {
  return rawName.startsWith('a ') ? rawName : `entry ${JSON.stringify(decodeName(rawName).slice(0, 200))}`;
}

/** A PAX integer (size, uid, gid): decimal, signed as Go's ParseInt takes it, within 2^53. */
function paxInteger(v: string, key: string, name: string): number {
  if (!/^[+-]?[0-9]+$/.test(v))
    throw corrupt(`${entryLabel(name)}: PAX ${key} ${JSON.stringify(v.slice(0, 40))} is not a whole number`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw corrupt(`${entryLabel(name)}: PAX ${key} ${v.slice(0, 40)} is beyond 2^53`);
  return n;
}

/** A PAX time: seconds, an optional fraction (dropped). */
function paxTime(v: string, name: string): number {
  const m = /^([+-]?[0-9]+)(?:\.[0-9]*)?$/.exec(v);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n))
    throw corrupt(`${entryLabel(name)}: PAX mtime ${JSON.stringify(v.slice(0, 40))} is not a time`);
  return n;
}

/**
 * PAX extended header records, `"%d %s=%s\n"` with the length counting the whole record, checked
 * as Go checks them (a malformed record fails the layer in every runtime). Values are latin1.
 */
function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  const sparse0: string[] = [];
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    const lenText = sp < 0 ? '' : buf.toString('latin1', off, sp);
    const recLen = /^[0-9]{1,9}$/.test(lenText) ? Number(lenText) : -1;
    if (recLen < 5 || off + recLen > buf.length || sp + 1 >= off + recLen || buf[off + recLen - 1] !== 0x0a)
      throw corrupt(`malformed PAX record at byte ${off} of its extended header`);
    const eq = buf.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq === sp + 1 || eq >= off + recLen - 1)
      throw corrupt(`malformed PAX record at byte ${off} of its extended header`);
    const key = buf.toString('latin1', sp + 1, eq);
    const value = buf.toString('latin1', eq + 1, off + recLen - 1);
    const nulCheck = key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname' ? value : key;
    if (nulCheck.indexOf('\u0000') >= 0) throw corrupt(`PAX record ${JSON.stringify(key)} holds a NUL byte`);
    if (key === 'GNU.sparse.offset' || key === 'GNU.sparse.numbytes') {
      // Sparse format 0.0 repeats these two keys, one pair per region: gathered in order into
      // the map of format 0.1, as Go does (tar-sparse.ts).
      if ((key === 'GNU.sparse.offset') !== (sparse0.length % 2 === 0) || value.includes(','))
        throw corrupt(`PAX record ${key} out of order`);
      if (sparse0.length >= 2 * MAX_SPARSE_REGIONS) throw corrupt('more sparse regions than are read');
      sparse0.push(value);
    } else out[key] = value;
    off += recLen;
  }
  if (sparse0.length > 0) out['GNU.sparse.map'] = sparse0.join(',');
  return out;
}
