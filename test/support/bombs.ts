/**
 * Compression bombs, made in a blink rather than by compressing gigabytes: a layer tar holding one
 * file of N bytes of zeros, as
 * - gzip: the zeros deflated once per MiB with a full flush (so every MiB compresses to the same
 *   self-contained blocks) and those blocks repeated, in ONE gzip member (~1,000:1);
 * - zstd: a hand-made frame whose zeros are RLE blocks, 4 bytes per 128 KiB (~32,000:1).
 * Written from the formats' definitions (RFC 1951/1952, RFC 8878). The diffID is computed over
 * the uncompressed tar as it would be read, streaming.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { header } from './tar-craft.js';

const MiB = 1 << 20;

export interface Bomb {
  blob: Buffer;
  /** sha256 of the uncompressed tar (the config's diffID). */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  size: number;
}

/** The tar: a header for `zeros` bytes of zeros in `name`, the zeros, the end blocks. */
function tarDigest(name: string, zeros: number): { head: Buffer; diffId: string; size: number } {
  const head = header({ name, size: zeros, mode: 0o644 });
  const h = createHash('sha256').update(head);
  const mib = Buffer.alloc(MiB);
  for (let left = zeros; left > 0; left -= MiB) h.update(left >= MiB ? mib : mib.subarray(0, left));
  h.update(Buffer.alloc(1024));
  return { head, diffId: 'sha256:' + h.digest('hex'), size: 512 + zeros + 1024 };
}

/** A gzip layer (one member) whose file inflates to `zeros` bytes (a whole number of MiB). */
export function gzipBomb(zeros: number, name = 'zeros'): Bomb {
  if (zeros % MiB) throw new Error('whole MiB only');
  const { head, diffId, size } = tarDigest(name, zeros);
  const full = { finishFlush: zlib.constants.Z_FULL_FLUSH, level: 9 };
  const mibBlocks = zlib.deflateRawSync(Buffer.alloc(MiB), full);
  const parts = [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]), zlib.deflateRawSync(head, full)];
  for (let i = 0; i < zeros / MiB; i++) parts.push(mibBlocks);
  parts.push(zlib.deflateRawSync(Buffer.alloc(1024)));
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crcOfTar(head, zeros), 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  parts.push(trailer);
  return { blob: Buffer.concat(parts), diffId, size };
}

/** CRC-32 of the tar (zlib's checks it when LAYERLENS_GUNZIP=zlib). */
function crcOfTar(head: Buffer, zeros: number): number {
  const mib = Buffer.alloc(MiB);
  let crc = zlib.crc32(head);
  for (let left = zeros; left > 0; left -= MiB) crc = zlib.crc32(left >= MiB ? mib : mib.subarray(0, left), crc);
  return zlib.crc32(Buffer.alloc(1024), crc);
}

/** A zstd block header: 3 bytes, little-endian: last flag, type (0 raw, 1 RLE), size. */
function blockHeader(last: boolean, type: 0 | 1, size: number): Buffer {
  const v = (size << 3) | (type << 1) | (last ? 1 : 0);
  return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]);
}

/**
 * A zstd layer (one frame) whose file is `zeros` bytes (a whole number of 128 KiB) of RLE blocks.
 * `windowLog` sets the window the frame asks for (17: 128 KiB; 30 asks for 1 GiB).
 */
export function zstdBomb(zeros: number, opts: { windowLog?: number; name?: string } = {}): Bomb {
  const BLOCK = 128 << 10;
  if (zeros % BLOCK) throw new Error('whole 128 KiB blocks only');
  const { head, diffId, size } = tarDigest(opts.name ?? 'zeros', zeros);
  const windowLog = opts.windowLog ?? 17;
  const rle = Buffer.concat([blockHeader(false, 1, BLOCK), Buffer.from([0])]);
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3]), blockHeader(false, 0, 512), head];
  for (let i = 0; i < zeros / BLOCK; i++) parts.push(rle);
  parts.push(blockHeader(true, 1, 1024), Buffer.from([0]));
  return { blob: Buffer.concat(parts), diffId, size };
}

/**
 * A zip whose central directory lists `n` entries (named by `name`) that all point at one local
 * entry: `data`, deflated once. No zip tool writes this (it is the layout of a zip bomb), so it is
 * made here byte by byte.
 */
export function sharedBytesZip(n: number, data: Buffer, name: (i: number) => string): Buffer {
  const deflated = zlib.deflateRawSync(data);
  const crc = zlib.crc32(data);
  const localName = Buffer.from(name(0));
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(localName.length, 26);
  const head = Buffer.concat([local, localName, deflated]);
  const central: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const entryName = Buffer.from(name(i));
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(deflated.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(entryName.length, 28);
    // offset 0 (42): every entry is the one local entry
    central.push(c, entryName);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(n, 8);
  end.writeUInt16LE(n, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(head.length, 16);
  return Buffer.concat([head, cd, end]);
}
