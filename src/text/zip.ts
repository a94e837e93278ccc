/**
 * The zip format (PKWARE APPNOTE), read from its central directory: the entries of a jar, war or
 * ear inside an image, and of OSV's all.zip archives. Zip64 included (OSV's npm archive has far
 * more than 65,535 entries). Stored and deflated entries only; every size and count is checked
 * against the bytes there are, and inflation stops at a limit (zip bombs), so a hostile archive
 * gives a ZipError, never a hang or an exhausted heap.
 */
import zlib from 'node:zlib';
import { quoted } from './safe-text.js';

/** Random access to the archive's bytes: a Buffer, or a file read with positioned reads. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Buffer;
}

export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: (p, n) => buf.subarray(p, Math.min(buf.length, p + n)) };
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  offset: number;
}

export class ZipError extends Error {}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The central directory's entries, in archive order. Throws ZipError when it is not a zip. */
export function zipEntries(src: ByteSource, maxEntries = 5_000_000): ZipEntry[] {
  // The end record is in the last 64 KiB + 22 bytes (its comment is at most 65,535 bytes).
  const tailLen = Math.min(src.size, 65_557);
  const tail = src.read(src.size - tailLen, tailLen);
  let e = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      e = i;
      break;
    }
  }
  if (e < 0) throw new ZipError('not a zip archive (no end of central directory)');
  let count = tail.readUInt16LE(e + 10);
  let cdSize = tail.readUInt32LE(e + 12);
  let cdOffset = tail.readUInt32LE(e + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = src.size - tailLen + e - 20;
    const loc = locAt >= 0 ? src.read(locAt, 20) : Buffer.alloc(0);
    if (loc.length === 20 && loc.readUInt32LE(0) === EOCD64_LOCATOR) {
      const at = Number(loc.readBigUInt64LE(8));
      const rec = src.read(at, 56);
      if (rec.length < 56 || rec.readUInt32LE(0) !== EOCD64) throw new ZipError('bad zip64 end record');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
  }
  if (count > maxEntries) throw new ZipError(`too many entries (${count})`);
  if (cdOffset + cdSize > src.size) throw new ZipError('central directory beyond the end of the archive');
  const cd = src.read(cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ZipError('corrupt central directory');
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      offset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
    };
    // Zip64 extra field: the 64-bit values, in this order, for those set to 0xffffffff.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 1) {
        let q = x + 4;
        const take = () => {
          const v = q + 8 <= x + 4 + len ? Number(cd.readBigUInt64LE(q)) : 0;
          q += 8;
          return v;
        };
        if (entry.size === 0xffffffff) entry.size = take();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
        if (entry.offset === 0xffffffff) entry.offset = take();
      }
      x += 4 + len;
    }
    out.push(entry);
    p = xEnd + commentLen;
  }
  refuseOverlaps(out);
  return out;
}

/**
 * Refuses an archive two of whose entries share bytes. A zip tool writes each entry's data once;
 * a central directory of many entries that all point at one deflated entry (a zip bomb's layout)
 * had each inflated in turn: a 72 KB OSV archive of 200 such entries took 197 s of `db update`,
 * 65,535 of them most of a day, and a 100 KB jar 1-2 s of a scan. Once no bytes are shared, what
 * is inflated is bounded by the archive's own size (deflate's ratio is at most ~1,000).
 */
function refuseOverlaps(entries: readonly ZipEntry[]): void {
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const a = byOffset[i - 1];
    const b = byOffset[i];
    // A local header is 30 bytes and the name at least: this end is never past the real one.
    if (a.offset + 30 + a.compressedSize > b.offset)
      throw new ZipError(`entries ${quoted(a.name)} and ${quoted(b.name)} share bytes (a zip bomb's layout)`);
  }
}

/**
 * One entry's bytes, inflated and checked (length and CRC-32). `limit` bounds the inflated size;
 * an entry said or found to be larger throws.
 */
export function zipEntryData(src: ByteSource, entry: ZipEntry, limit: number): Buffer {
  if (entry.size > limit) throw new ZipError(`${entry.name}: ${entry.size} bytes, more than the limit of ${limit}`);
  const hdr = src.read(entry.offset, 30);
  if (hdr.length < 30 || hdr.readUInt32LE(0) !== LOCAL) throw new ZipError(`${entry.name}: bad local header`);
  const start = entry.offset + 30 + hdr.readUInt16LE(26) + hdr.readUInt16LE(28);
  if (start + entry.compressedSize > src.size) throw new ZipError(`${entry.name}: data beyond the end of the archive`);
  const raw = src.read(start, entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, limit) });
    } catch (err) {
      throw new ZipError(`${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else throw new ZipError(`${entry.name}: compression method ${entry.method} not supported`);
  if (data.length !== entry.size)
    throw new ZipError(`${entry.name}: inflated to ${data.length} bytes, not ${entry.size}`);
  if (crc32(data) !== entry.crc32) throw new ZipError(`${entry.name}: CRC-32 mismatch`);
  return data;
}

let table: Uint32Array | undefined;

/** CRC-32 (zlib's where Node has it, ≥ 20.15; a table otherwise). */
export function crc32(data: Buffer): number {
  const native = (zlib as { crc32?: (d: Buffer) => number }).crc32;
  if (native) return native(data) >>> 0;
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
