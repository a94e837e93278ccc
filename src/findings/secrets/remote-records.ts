/**
 * The records the main thread writes into a block of shared memory for the secret-scanning
 * thread (remote.ts writes them, secret-scan-thread.ts reads them): the byte format, in one
 * place. Each record is a kind byte and a file's id (u32, little-endian), then:
 * - WHOLE: a flags byte (FLAG_BATCH: scan it in the thread's batch), the path, the file's bytes;
 * - OPEN: the path (a file that streams in pieces; DATA records follow, then END);
 * - DATA: bytes of an open file;
 * - END: nothing (the open file is complete).
 * A path is a u32 count of UTF-16 code units and the units themselves (names are data: any
 * string goes through unchanged, lone surrogates too); bytes are a u32 length and the bytes,
 * copied in and out with memcpy (engine/shared-copy.ts: V8's own copies to and from shared memory
 * go a word at a time at best, byte by byte where the two sides do not lie alike modulo 8).
 */
import { copyInto } from '../../engine/shared-copy.js';
export const WHOLE = 1;
export const OPEN = 2;
export const DATA = 3;
export const END = 4;
/** WHOLE's flag: a small file for the thread's batch (secrets/batch.ts), else a scanner of its own. */
export const FLAG_BATCH = 1;

/** A length. */
const BYTES_HEAD = 4;
/** Bytes a record takes before its path or bytes: kind, id and (WHOLE) flags, and its length fields. */
export const wholeSize = (path: string, bytes: number): number => 1 + 4 + 1 + 4 + path.length * 2 + BYTES_HEAD + bytes;
export const openSize = (path: string): number => 1 + 4 + 4 + path.length * 2;
export const DATA_HEAD = 1 + 4 + BYTES_HEAD;
export const END_SIZE = 1 + 4;

export function writeWhole(
  block: Buffer,
  at: number,
  id: number,
  flags: number,
  path: string,
  src: Uint8Array,
  start: number,
  end: number,
): number {
  block[at] = WHOLE;
  block.writeUInt32LE(id, at + 1);
  block[at + 5] = flags;
  return writeBytes(block, writePath(block, at + 6, path), src.subarray(start, end));
}

export function writeOpen(block: Buffer, at: number, id: number, path: string): number {
  block[at] = OPEN;
  block.writeUInt32LE(id, at + 1);
  return writePath(block, at + 5, path);
}

export function writeData(block: Buffer, at: number, id: number, src: Uint8Array): number {
  block[at] = DATA;
  block.writeUInt32LE(id, at + 1);
  return writeBytes(block, at + 5, src);
}

function writeBytes(block: Buffer, at: number, src: Uint8Array): number {
  block.writeUInt32LE(src.length, at);
  copyInto(block, at + 4, src);
  return at + 4 + src.length;
}

export function writeEnd(block: Buffer, at: number, id: number): number {
  block[at] = END;
  block.writeUInt32LE(id, at + 1);
  return at + 5;
}

function writePath(block: Buffer, at: number, path: string): number {
  block.writeUInt32LE(path.length, at);
  block.write(path, at + 4, path.length * 2, 'utf16le');
  return at + 4 + path.length * 2;
}

/** One record as read: `bytes` is a view of the block (valid until the block is given back). */
export interface RemoteRecord {
  kind: number;
  id: number;
  flags: number;
  path: string;
  bytes: Buffer | undefined;
}

/** Reads a block's records in order, into one record object (a block holds thousands). */
export function* readRecords(block: Buffer, length: number): Generator<RemoteRecord> {
  const r: RemoteRecord = { kind: 0, id: 0, flags: 0, path: '', bytes: undefined };
  for (let at = 0; at < length; ) {
    r.kind = block[at];
    r.id = block.readUInt32LE(at + 1);
    r.flags = 0;
    r.path = '';
    r.bytes = undefined;
    at += 5;
    if (r.kind === WHOLE) r.flags = block[at++];
    if (r.kind === WHOLE || r.kind === OPEN) {
      const units = block.readUInt32LE(at);
      r.path = block.toString('utf16le', at + 4, at + 4 + units * 2);
      at += 4 + units * 2;
    }
    if (r.kind === WHOLE || r.kind === DATA) {
      const n = block.readUInt32LE(at);
      const from = at + 4;
      r.bytes = block.subarray(from, from + n);
      at = from + n;
    }
    yield r;
  }
}
