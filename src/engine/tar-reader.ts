/**
 * A push-based tar reader for layer streams: feed it chunks, it calls back once per entry with
 * the decoded header, and hands file bytes to an optional sink as slices of the input (no
 * per-entry stream objects, no copies). Layers hold hundreds of thousands of small files; a
 * stream per entry (tar-stream) costs more than decompressing them.
 *
 * Understands ustar, GNU (long names 'L'/'K', base-256 numbers) and PAX ('x' per-entry and 'g'
 * global records: path, linkpath, size, uid, gid, mtime, SCHILY.xattr.*), v7 headers.
 */
import { LayerlensError } from '../errors/index.js';

export interface TarHeader {
  /** Name as read: PAX path (UTF-8) or GNU long name / ustar prefix+name (bytes as latin1). */
  name: string;
  /** True when `name` came from a PAX record (already Unicode); false when it is latin1 bytes. */
  nameIsUnicode: boolean;
  linkname: string;
  linkIsUnicode: boolean;
  /** Tar typeflag character ('0', '5', '2', …). */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  devmajor: number;
  devminor: number;
  /** PAX records that apply to this entry (global merged with local), when any. */
  pax?: Record<string, string>;
}

export interface EntrySink {
  write(chunk: Buffer): void;
  /**
   * Optional: the entry's whole data when it lies in one input chunk, as `buf[start, end)`
   * (instead of one `write` of a slice: no Buffer object per file, 500k on large layers).
   */
  whole?(buf: Buffer, start: number, end: number): void;
}

/** Called per entry; may return a sink that receives the entry's data bytes. */
export type OnEntry = (header: TarHeader) => EntrySink | undefined;
/** Called when an entry's data has all been delivered. */
export type OnEntryEnd = () => void;

const BLOCK = 512;

const enum State {
  Header,
  Data,
  Meta,
  Padding,
  End,
}

export class TarReader {
  private state = State.Header;
  private pending: Buffer | null = null; // partial header or meta block(s)
  private remaining = 0; // data bytes left in the current entry
  private fresh = false; // no data of the current entry delivered yet
  private padding = 0; // padding bytes left after the data
  private sink: EntrySink | undefined;
  private metaType = '';
  private metaParts: Buffer[] = [];
  private metaNeed = 0;
  private globalPax: Record<string, string> | null = null;
  private localPax: Record<string, string> | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  private entries = 0;

  constructor(
    private readonly onEntry: OnEntry,
    private readonly onEntryEnd: OnEntryEnd,
  ) {}

  /** Feed the next chunk of the uncompressed tar stream. Throws LayerlensError on bad data. */
  write(chunk: Buffer): void {
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      switch (this.state) {
        case State.End:
          return; // trailing blocks after the end-of-archive marker
        case State.Header: {
          let block: Buffer;
          if (this.pending) {
            const need = BLOCK - this.pending.length;
            const take = Math.min(need, len - off);
            this.pending = Buffer.concat([this.pending, chunk.subarray(off, off + take)]);
            off += take;
            if (this.pending.length < BLOCK) return;
            block = this.pending;
            this.pending = null;
          } else if (len - off >= BLOCK) {
            block = chunk.subarray(off, off + BLOCK);
            off += BLOCK;
          } else {
            this.pending = Buffer.from(chunk.subarray(off));
            return;
          }
          this.onHeaderBlock(block);
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, len - off);
          if (this.sink && take > 0) {
            if (this.fresh && take === this.remaining && this.sink.whole) this.sink.whole(chunk, off, off + take);
            else this.sink.write(chunk.subarray(off, off + take));
            this.fresh = false;
          }
          off += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishData();
          break;
        }
        case State.Meta: {
          const take = Math.min(this.metaNeed, len - off);
          this.metaParts.push(chunk.subarray(off, off + take));
          off += take;
          this.metaNeed -= take;
          if (this.metaNeed === 0) this.finishMeta();
          break;
        }
        case State.Padding: {
          const take = Math.min(this.padding, len - off);
          off += take;
          this.padding -= take;
          if (this.padding === 0) this.state = State.Header;
          break;
        }
      }
    }
  }

  /** End of input: throws when the archive stops inside an entry. */
  end(): void {
    if (this.state === State.End) return;
    if (this.state === State.Header && !this.pending) return; // no end marker: tolerated, as tar does
    throw new LayerlensError('truncated tar archive', 'TRUNCATED');
  }

  private onHeaderBlock(block: Buffer): void {
    if (isZeroBlock(block)) {
      // End-of-archive marker (two zero blocks; one is enough to stop).
      this.state = State.End;
      return;
    }
    if (!checksumOk(block)) {
      throw new LayerlensError(
        this.entries === 0
          ? 'not a valid tar archive (bad header checksum)'
          : 'corrupt tar archive (bad header checksum)',
        'NOT_TAR',
      );
    }
    this.entries++;
    const typeflag = block[156] === 0 ? '0' : String.fromCharCode(block[156]);
    const size = readNumber(block, 124, 12);
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      this.metaType = typeflag;
      this.metaParts = [];
      this.metaNeed = size;
      this.padding = pad(size);
      this.state = size > 0 ? State.Meta : State.Header;
      if (size === 0) this.finishMeta();
      return;
    }
    const ustar = block.toString('latin1', 257, 263);
    let name = cString(block, 0, 100);
    if (ustar === 'ustar\u0000') {
      // POSIX ustar: prefix + '/' + name (GNU's "ustar  " uses that area for other fields).
      const prefix = cString(block, 345, 155);
      if (prefix) name = prefix + '/' + name;
    }
    const pax = this.globalPax || this.localPax ? { ...this.globalPax, ...this.localPax } : undefined;
    const header: TarHeader = {
      name,
      nameIsUnicode: false,
      linkname: cString(block, 157, 100),
      linkIsUnicode: false,
      typeflag,
      mode: readNumber(block, 100, 8),
      uid: readNumber(block, 108, 8),
      gid: readNumber(block, 116, 8),
      size,
      mtime: readNumber(block, 136, 12),
      devmajor: readNumber(block, 329, 8),
      devminor: readNumber(block, 337, 8),
    };
    if (this.longName !== null) header.name = this.longName;
    if (this.longLink !== null) header.linkname = this.longLink;
    if (pax) {
      header.pax = pax;
      if (pax.path !== undefined) {
        header.name = pax.path;
        header.nameIsUnicode = true;
      }
      if (pax.linkpath !== undefined) {
        header.linkname = pax.linkpath;
        header.linkIsUnicode = true;
      }
      if (pax.size !== undefined) header.size = Number(pax.size);
      if (pax.uid !== undefined) header.uid = Number(pax.uid);
      if (pax.gid !== undefined) header.gid = Number(pax.gid);
      if (pax.mtime !== undefined) header.mtime = Math.floor(Number(pax.mtime));
    }
    this.localPax = null;
    this.longName = null;
    this.longLink = null;
    // Only regular files (and old-style contiguous/sparse files) carry data; a hardlink or
    // directory with a size field has none.
    const hasData = typeflag === '0' || typeflag === '7' || typeflag === 'S';
    const dataSize = hasData ? header.size : typeflag === '1' || typeflag === '2' || typeflag === '5' ? 0 : header.size;
    this.sink = this.onEntry(header);
    this.remaining = dataSize;
    this.fresh = true;
    this.padding = pad(dataSize);
    if (dataSize === 0) this.finishData();
    else this.state = State.Data;
  }

  private finishData(): void {
    this.onEntryEnd();
    this.sink = undefined;
    this.state = this.padding > 0 ? State.Padding : State.Header;
  }

  private finishMeta(): void {
    const buf = this.metaParts.length === 1 ? this.metaParts[0] : Buffer.concat(this.metaParts);
    this.metaParts = [];
    switch (this.metaType) {
      case 'x':
        this.localPax = { ...this.localPax, ...parsePax(buf) };
        break;
      case 'g':
        this.globalPax = { ...this.globalPax, ...parsePax(buf) };
        break;
      case 'L':
        this.longName = cString(buf, 0, buf.length);
        break;
      case 'K':
        this.longLink = cString(buf, 0, buf.length);
        break;
    }
    this.state = this.padding > 0 ? State.Padding : State.Header;
  }
}

function pad(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 4) if (b.readUInt32LE(i) !== 0) return false;
  return true;
}

function checksumOk(b: Buffer): boolean {
  const stored = readNumber(b, 148, 8);
  // The checksum field counts as eight spaces.
  let sum = 8 * 0x20 + byteSum(b, 0, 148) + byteSum(b, 156, BLOCK);
  if (sum === stored) return true;
  // Some old writers summed signed bytes.
  sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += b[i] > 127 ? b[i] - 256 : b[i];
  return sum === stored;
}

/**
 * Sum of bytes b[from, to). Every header of a 500k-file layer is summed, so when the block is
 * 4-byte aligned the bytes are added two lanes at a time from 32-bit words (SWAR).
 */
function byteSum(b: Buffer, from: number, to: number): number {
  let sum = 0;
  let i = from;
  if (((b.byteOffset + from) & 3) === 0) {
    const words = new Uint32Array(b.buffer, b.byteOffset + from, (to - from) >> 2);
    let lanes = 0; // two 16-bit lanes; 128 words × 2 × 255 stays below 2^16 per lane
    for (let w = 0; w < words.length; w++) {
      const x = words[w];
      lanes += (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
    }
    sum = (lanes & 0xffff) + (lanes >>> 16);
    i = from + (words.length << 2);
  }
  for (; i < to; i++) sum += b[i];
  return sum;
}

/** NUL-terminated field as latin1 (one char per byte: nothing lost before UTF-8 decoding). */
function cString(b: Buffer, start: number, length: number): string {
  let end = start;
  const max = start + length;
  while (end < max && b[end] !== 0) end++;
  return b.toString('latin1', start, end);
}

/** Octal ASCII (space/NUL terminated) or GNU base-256 (high bit of the first byte set). */
function readNumber(b: Buffer, start: number, length: number): number {
  if (b[start] & 0x80) {
    const negative = b[start] === 0xff;
    let n = negative ? -1 : 0;
    if (!negative) {
      n = b[start] & 0x7f;
      for (let i = start + 1; i < start + length; i++) n = n * 256 + b[i];
    } else {
      let v = 0;
      for (let i = start; i < start + length; i++) v = v * 256 + (255 - b[i]);
      n = -(v + 1);
    }
    return n;
  }
  let n = 0;
  let i = start;
  const end = start + length;
  while (i < end && b[i] === 0x20) i++; // some writers right-align with spaces
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** PAX extended header records: "%d %s=%s\n", the length counting the whole record. */
function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) break;
    const recLen = Number(buf.toString('latin1', off, sp));
    if (!Number.isFinite(recLen) || recLen <= 0 || off + recLen > buf.length) break;
    const rec = buf.subarray(sp + 1, off + recLen - 1); // without the trailing newline
    const eq = rec.indexOf(0x3d);
    if (eq > 0) {
      const key = rec.toString('utf8', 0, eq);
      // xattr values are binary (capabilities): keep their bytes as latin1.
      out[key] = key.startsWith('SCHILY.xattr.') ? rec.toString('latin1', eq + 1) : rec.toString('utf8', eq + 1);
    }
    off += recLen;
  }
  return out;
}
