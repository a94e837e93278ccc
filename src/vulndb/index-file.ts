/**
 * The index file (`osv-index.lldb`): records grouped by package key, found through a hash bucket
 * directory, so a scan reads the directory (512 KiB) and then, per package present, one slice of
 * the key table and one blob of records — never the whole database.
 *
 *   0      "LLOSVDB2"  magic ("LLOSVDB1": format 1, still read)
 *   8      u64 offset, u64 length of the metadata (JSON)
 *   24     u64 offset of the bucket directory (BUCKETS × [u32 offset, u32 length] into the key table)
 *   32     u64 offset of the key table (lines `KEY\tOFFSET\tLENGTH\n`, grouped by bucket)
 *   40…    record blobs, the key table, the directory, the metadata
 *
 * A key's blob, format 2: one line holding what matching reads, `[[PART…], [N…]]` — the distinct
 * match parts `[ranges, versions | 0]` and, per record, the number of its part — then one line per
 * record (its JSON), in the same order: a scan parses the first line and only the records that
 * match, and records that share a part share its objects (matching evaluates each part once).
 * Format 1: one JSON array of whole records. Written by index-builder.ts.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LayerlensError } from '../errors/index.js';
import { candidateOf, matchPartOf, type RecordRange, type VulnCandidate, type VulnRecord } from './record.js';

export const MAGIC_1 = 'LLOSVDB1';
export const MAGIC = 'LLOSVDB2';
export const HEADER = 40;
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
  format: 1 | 2;
  built: string;
  ecosystems: Record<string, EcosystemInfo>;
  keys: number;
  records: number;
}

/** A record as text, for copying it into a new index: its match part and its whole JSON. */
export interface RecordText {
  match: string;
  full: string;
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

/** A key-table line: the key (which holds a tab itself), then its records' offset and length. */
function splitLine(line: string): [string, string, string] {
  const b = line.lastIndexOf('\t');
  const a = line.lastIndexOf('\t', b - 1);
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1)];
}

type MatchPart = [RecordRange[], string[] | 0];

/**
 * The record lines of a blob, kept as bytes: where each starts is found once, when the first is
 * asked for, and only the records asked for are decoded (a scan reads ~100 blobs of ~180 records
 * and parses ~1 in 100: decoding each blob whole to a string was a third of the look-up).
 */
class BlobLines {
  private starts?: number[];
  private readonly parsed: Array<VulnRecord | undefined>;

  constructor(
    private readonly blob: Buffer,
    private readonly nl: number,
    private readonly count: number,
    private readonly damaged: () => Error,
  ) {
    this.parsed = new Array(count);
  }

  record(i: number): VulnRecord {
    let rec = this.parsed[i];
    if (rec) return rec;
    if (!this.starts) {
      const starts: number[] = [];
      for (let at = this.nl; at >= 0; at = this.blob.indexOf(10, at + 1)) starts.push(at + 1);
      starts.push(this.blob.length + 1);
      if (this.nl < 0 || starts.length - 1 !== this.count) throw this.damaged();
      this.starts = starts;
    }
    try {
      rec = JSON.parse(this.blob.toString('utf8', this.starts[i], this.starts[i + 1] - 1)) as VulnRecord;
    } catch {
      throw this.damaged();
    }
    this.parsed[i] = rec;
    return rec;
  }
}

/** One record of a blob: its match part (shared with the records that have the same), the rest on demand. */
class LazyCandidate implements VulnCandidate {
  constructor(
    readonly ranges: RecordRange[],
    readonly versions: string[] | undefined,
    private readonly lines: BlobLines,
    private readonly i: number,
  ) {}

  record(): VulnRecord {
    return this.lines.record(this.i);
  }
}

/** Reads an index file: metadata at open, records per key on demand (synchronous positioned reads). */
export class IndexReader {
  readonly meta: IndexMeta;
  private readonly fd: number;
  private dir?: Buffer;
  private readonly dirAt: number;
  private readonly keyTableAt: number;
  private readonly size: number;
  private readonly format: 1 | 2;

  constructor(readonly path: string) {
    try {
      // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer (scan, db status and
      // db update hung on one); it changes nothing for a regular file, the only kind read.
      this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      throw new LayerlensError(
        `vulnerability database ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        'IO',
      );
    }
    const stats = fstatSync(this.fd);
    if (!stats.isFile()) {
      closeSync(this.fd);
      throw new LayerlensError(`vulnerability database ${path} is not a regular file`, 'IO');
    }
    try {
      this.size = stats.size;
      const h = this.read(0, HEADER);
      const magic = h.length < HEADER ? '' : h.toString('latin1', 0, 8);
      if (magic !== MAGIC && magic !== MAGIC_1) throw new Error('not a layerlens vulnerability index');
      this.format = magic === MAGIC ? 2 : 1;
      const metaAt = Number(h.readBigUInt64LE(8));
      const metaLen = Number(h.readBigUInt64LE(16));
      this.dirAt = Number(h.readBigUInt64LE(24));
      this.keyTableAt = Number(h.readBigUInt64LE(32));
      if (metaAt + metaLen > this.size || this.dirAt + BUCKETS * 8 > this.size) throw new Error('truncated');
      this.meta = JSON.parse(this.read(metaAt, metaLen).toString('utf8')) as IndexMeta;
      if (this.meta.format !== this.format) throw new Error(`index format ${this.meta.format} not supported`);
    } catch (err) {
      closeSync(this.fd);
      throw new LayerlensError(
        `vulnerability database ${path} is damaged (${err instanceof Error ? err.message : String(err)}): run layerlens db update`,
        'CORRUPT',
      );
    }
  }

  private read(pos: number, len: number): Buffer {
    const b = Buffer.allocUnsafe(len); // (only the bytes read are returned)
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, b, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return b.subarray(0, got);
  }

  private damaged(): LayerlensError {
    return new LayerlensError(`vulnerability database ${this.path} is damaged: run layerlens db update`, 'CORRUPT');
  }

  /** The blob of each key present, in key-table order (keys with none are left out). */
  private *blobs(keys: Iterable<string>): Generator<[string, Buffer]> {
    this.dir ??= this.read(this.dirAt, BUCKETS * 8);
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
        yield [key, this.read(Number(at), Number(n))];
        break;
      }
    }
  }

  /** A blob's records as candidates: the match parts parsed now, each whole record on demand. */
  private candidates(blob: Buffer): VulnCandidate[] {
    try {
      if (this.format === 1) return (JSON.parse(blob.toString('utf8')) as VulnRecord[]).map(candidateOf);
      const nl = blob.indexOf(10);
      const [parts, index] = JSON.parse(blob.toString('utf8', 0, nl < 0 ? blob.length : nl)) as [MatchPart[], number[]];
      const lines = new BlobLines(blob, nl, index.length, () => this.damaged());
      const out: VulnCandidate[] = new Array(index.length);
      for (let i = 0; i < index.length; i++) {
        const p = parts[index[i]];
        if (!p) throw this.damaged();
        out[i] = new LazyCandidate(p[0], p[1] || undefined, lines, i);
      }
      return out;
    } catch (err) {
      if (err instanceof LayerlensError) throw err;
      throw this.damaged();
    }
  }

  /** The records of each key present (keys with none are absent from the map). */
  lookup(keys: Iterable<string>): Map<string, VulnCandidate[]> {
    const out = new Map<string, VulnCandidate[]>();
    for (const [key, blob] of this.blobs(keys)) out.set(key, this.candidates(blob));
    return out;
  }

  /** Every key and its records as text, of the keys `keep` accepts (copying them into a new index). */
  *entries(keep: (key: string) => boolean): Generator<[string, RecordText[]]> {
    const table = this.read(this.keyTableAt, this.dirAt - this.keyTableAt).toString('utf8');
    for (const line of table.split('\n')) {
      if (!line) continue;
      const [k, at, n] = splitLine(line);
      if (!keep(k)) continue;
      const blob = this.read(Number(at), Number(n)).toString('utf8');
      try {
        if (this.format === 1) {
          const recs = JSON.parse(blob) as VulnRecord[];
          yield [k, recs.map((r) => ({ match: matchPartOf(r), full: JSON.stringify(r) }))];
        } else {
          const nl = blob.indexOf('\n');
          const [parts, index] = JSON.parse(blob.slice(0, nl)) as [MatchPart[], number[]];
          const texts = parts.map((p) => JSON.stringify(p));
          const lines = blob.slice(nl + 1).split('\n');
          if (lines.length !== index.length) throw this.damaged();
          yield [k, index.map((u, i) => ({ match: texts[u], full: lines[i] }))];
        }
      } catch {
        throw this.damaged();
      }
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
