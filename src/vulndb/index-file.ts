/**
 * The index file (`osv-index.lldb`): records grouped by package key, found through a hash bucket
 * directory, so a scan reads the directory (512 KiB) and then, per package present, one slice of
 * the key table and one blob of records — never the whole database.
 *
 *   0      "LLOSVDB1"  magic
 *   8      u64 offset, u64 length of the metadata (JSON)
 *   24     u64 offset of the bucket directory (BUCKETS × [u32 offset, u32 length] into the key table)
 *   32     u64 offset of the key table (lines `KEY\tOFFSET\tLENGTH\n`, grouped by bucket)
 *   40…    record blobs (a JSON array per key), the key table, the directory, the metadata
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { LayerlensError } from '../errors/index.js';
import type { RecordMap } from './build.js';
import type { VulnRecord } from './record.js';

const MAGIC = 'LLOSVDB1';
const HEADER = 40;
export const BUCKETS = 65536;

export interface EcosystemInfo {
  /** Where the archive came from (URL or path). */
  source: string;
  /** When it was downloaded (ISO 8601). */
  fetched: string;
  sha256: string;
  bytes: number;
  advisories: number;
  withdrawn: number;
  records: number;
  newestModified: string | null;
}

export interface IndexMeta {
  format: 1;
  built: string;
  ecosystems: Record<string, EcosystemInfo>;
  keys: number;
  records: number;
}

/** FNV-1a of the key's UTF-16 code units: the bucket. */
export function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** Writes the index to the file `fd` refers to (new and empty). */
export function writeIndex(
  fd: number,
  records: RecordMap,
  meta: Omit<IndexMeta, 'keys' | 'records' | 'format'>,
): IndexMeta {
  let pos = HEADER;
  const write = (b: Buffer) => {
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off, b.length - off, pos + off);
    pos += b.length;
  };
  // (A name with a line break cannot be a key-table line: such records are left out.)
  const keys = [...records.keys()].filter((k) => !k.includes('\n'));
  const byBucket = new Map<number, string[]>();
  for (const k of keys) {
    const b = bucketOf(k);
    const l = byBucket.get(b);
    if (l) l.push(k);
    else byBucket.set(b, [k]);
  }
  const where = new Map<string, [number, number]>();
  let total = 0;
  // Records in bucket order, so one package's look-ups read nearby bytes.
  const order = [...byBucket.keys()].sort((a, b) => a - b);
  for (const b of order) {
    for (const k of byBucket.get(b)!) {
      const list = records.get(k)!;
      total += list.length;
      const blob = Buffer.from(`[${list.join(',')}]`);
      where.set(k, [pos, blob.length]);
      write(blob);
    }
  }
  const keyTableAt = pos;
  const dir = Buffer.alloc(BUCKETS * 8);
  for (const b of order) {
    const text = byBucket
      .get(b)!
      .map((k) => `${k}\t${where.get(k)![0]}\t${where.get(k)![1]}\n`)
      .join('');
    const buf = Buffer.from(text);
    dir.writeUInt32LE(pos - keyTableAt, b * 8);
    dir.writeUInt32LE(buf.length, b * 8 + 4);
    write(buf);
  }
  const dirAt = pos;
  write(dir);
  const full: IndexMeta = { format: 1, ...meta, keys: keys.length, records: total };
  const metaAt = pos;
  const metaBuf = Buffer.from(JSON.stringify(full));
  write(metaBuf);
  const header = Buffer.concat([Buffer.from(MAGIC), u64(metaAt), u64(metaBuf.length), u64(dirAt), u64(keyTableAt)]);
  writeSync(fd, header, 0, header.length, 0);
  return full;
}

/** A key-table line: the key (which holds a tab itself), then its records' offset and length. */
function splitLine(line: string): [string, string, string] {
  const b = line.lastIndexOf('\t');
  const a = line.lastIndexOf('\t', b - 1);
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1)];
}

/** Reads an index file: metadata at open, records per key on demand (synchronous positioned reads). */
export class IndexReader {
  readonly meta: IndexMeta;
  private readonly fd: number;
  private dir?: Buffer;
  private readonly dirAt: number;
  private readonly keyTableAt: number;
  private readonly size: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new LayerlensError(
        `vulnerability database ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        'IO',
      );
    }
    try {
      this.size = fstatSync(this.fd).size;
      const h = this.read(0, HEADER);
      if (h.length < HEADER || h.toString('latin1', 0, 8) !== MAGIC)
        throw new Error('not a layerlens vulnerability index');
      const metaAt = Number(h.readBigUInt64LE(8));
      const metaLen = Number(h.readBigUInt64LE(16));
      this.dirAt = Number(h.readBigUInt64LE(24));
      this.keyTableAt = Number(h.readBigUInt64LE(32));
      if (metaAt + metaLen > this.size || this.dirAt + BUCKETS * 8 > this.size) throw new Error('truncated');
      this.meta = JSON.parse(this.read(metaAt, metaLen).toString('utf8')) as IndexMeta;
      if (this.meta.format !== 1) throw new Error(`index format ${this.meta.format} not supported`);
    } catch (err) {
      closeSync(this.fd);
      throw new LayerlensError(
        `vulnerability database ${path} is damaged (${err instanceof Error ? err.message : String(err)}): run layerlens db update`,
        'CORRUPT',
      );
    }
  }

  private read(pos: number, len: number): Buffer {
    const b = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, b, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return b.subarray(0, got);
  }

  /** The records of each key present (keys with none are absent from the map). */
  lookup(keys: Iterable<string>): Map<string, VulnRecord[]> {
    this.dir ??= this.read(this.dirAt, BUCKETS * 8);
    const out = new Map<string, VulnRecord[]>();
    for (const key of keys) {
      const b = bucketOf(key);
      const off = this.dir.readUInt32LE(b * 8);
      const len = this.dir.readUInt32LE(b * 8 + 4);
      if (!len) continue;
      const lines = this.read(this.keyTableAt + off, len)
        .toString('utf8')
        .split('\n');
      for (const line of lines) {
        const [k, at, n] = splitLine(line);
        if (k !== key) continue;
        const blob = this.read(Number(at), Number(n));
        try {
          out.set(key, JSON.parse(blob.toString('utf8')) as VulnRecord[]);
        } catch {
          throw new LayerlensError(
            `vulnerability database ${this.path} is damaged: run layerlens db update`,
            'CORRUPT',
          );
        }
        break;
      }
    }
    return out;
  }

  /** Every key and its records, of the ecosystems `keep` accepts (copying them into a new index). */
  *entries(keep: (key: string) => boolean): Generator<[string, string[]]> {
    this.dir ??= this.read(this.dirAt, BUCKETS * 8);
    const table = this.read(this.keyTableAt, this.dirAt - this.keyTableAt).toString('utf8');
    for (const line of table.split('\n')) {
      if (!line) continue;
      const [k, at, n] = splitLine(line);
      if (!keep(k)) continue;
      const list = JSON.parse(this.read(Number(at), Number(n)).toString('utf8')) as unknown[];
      yield [k, list.map((r) => JSON.stringify(r))];
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
