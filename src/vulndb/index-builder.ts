/**
 * Builds an index file (format 2, see index-file.ts) while the archives are read, without holding
 * the records in memory: each record's text goes to a spool file as it arrives and only its
 * position stays (numbers per record, a list of record numbers per key); at the end the records
 * are read back into the index key by key, in bucket order: the buckets in a few groups, the spool
 * read through in large sequential reads once per group, keeping only that group's records. The
 * memory this takes follows the number of keys and records, not their size (OSV's npm archive
 * alone is hundreds of MB of JSON).
 *
 * An archive that turns out to be bad halfway is taken back out (`mark` / `rollback`), so a failed
 * download never leaves part of itself in the new index.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { BUCKETS, bucketOf, HEADER, type IndexMeta, MAGIC, type RecordText } from './index-file.js';
import { matchPartOf, type VulnRecord } from './record.js';

const FLUSH = 1 << 20;
/** Read size when going through the spool. */
const CHUNK = 4 << 20;
/** Records of one group held at once, at most (bytes): the spool is read once per group. */
const GROUP_BYTES = 32 << 20;

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** A growable array of doubles (positions past 4 GiB stay exact). */
class Numbers {
  a = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

export interface BuilderMark {
  records: number;
  spooled: number;
}

export class IndexBuilder {
  private readonly spool: number;
  private spooled = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Per record: its spool position, the length of its match part, the length of the whole. */
  private readonly at = new Numbers();
  private readonly matchLen = new Numbers();
  private readonly fullLen = new Numbers();
  /** Per record: its key's number; per key: its records. */
  private readonly keyOf: number[] = [];
  private readonly keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly recordsOf: number[][] = [];

  constructor(private readonly spoolPath: string) {
    this.spool = openSync(spoolPath, 'wx+', 0o600);
  }

  get recordCount(): number {
    return this.at.n;
  }

  add(key: string, rec: VulnRecord): void {
    this.addText(key, { match: matchPartOf(rec), full: JSON.stringify(rec) });
  }

  addText(key: string, t: RecordText): void {
    const mLen = Buffer.byteLength(t.match);
    const fLen = Buffer.byteLength(t.full);
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keys.length;
      this.keys.push(key);
      this.keyIndex.set(key, k);
      this.recordsOf.push([]);
    }
    const id = this.at.n;
    this.at.push(this.spooled + this.pendingBytes);
    this.matchLen.push(mLen);
    this.fullLen.push(fLen);
    this.keyOf.push(k);
    this.recordsOf[k].push(id);
    this.pending.push(t.match, t.full);
    this.pendingBytes += mLen + fLen;
    if (this.pendingBytes >= FLUSH) this.flush();
  }

  mark(): BuilderMark {
    return { records: this.at.n, spooled: this.spooled + this.pendingBytes };
  }

  /** Takes back every record added since `m` (keys left without records are dropped at the end). */
  rollback(m: BuilderMark): void {
    for (let id = this.at.n - 1; id >= m.records; id--) this.recordsOf[this.keyOf[id]].pop();
    this.keyOf.length = m.records;
    this.at.n = this.matchLen.n = this.fullLen.n = m.records;
    this.flush();
    this.spooled = m.spooled; // (later records overwrite what was spooled past it)
  }

  /** Distinct keys with records added since `m` (for the log). */
  keysSince(m: BuilderMark): number {
    const seen = new Set<number>();
    for (let id = m.records; id < this.at.n; id++) seen.add(this.keyOf[id]);
    return seen.size;
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    const b = Buffer.from(this.pending.join(''));
    let off = 0;
    while (off < b.length) off += writeSync(this.spool, b, off, b.length - off, this.spooled + off);
    this.spooled += b.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private readAt(pos: number, len: number): Buffer {
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.spool, b, got, len - got, pos + got);
      if (n === 0) throw new Error('spool file truncated');
      got += n;
    }
    return b;
  }

  /**
   * The records of the keys `inGroup` accepts, each as a copy of its bytes (match part then whole
   * record), read from the spool front to back in large reads.
   */
  private readGroup(inGroup: (k: number) => boolean): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    const n = this.at.n;
    let id = 0;
    while (id < n) {
      // One read: as many whole records from `id` on as fit in CHUNK (a larger record alone).
      const start = this.at.a[id];
      let last = id;
      let end = start + this.matchLen.a[id] + this.fullLen.a[id];
      while (last + 1 < n) {
        const e = this.at.a[last + 1] + this.matchLen.a[last + 1] + this.fullLen.a[last + 1];
        if (e - start > CHUNK) break;
        last++;
        end = Math.max(end, e);
      }
      let chunk: Buffer | undefined;
      for (let i = id; i <= last; i++) {
        if (!inGroup(this.keyOf[i])) continue;
        chunk ??= this.readAt(start, end - start);
        const from = this.at.a[i] - start;
        out.set(i, Buffer.from(chunk.subarray(from, from + this.matchLen.a[i] + this.fullLen.a[i])));
      }
      id = last + 1;
    }
    return out;
  }

  /** Writes the index to `fd` (a new, empty file) and removes the spool. */
  finish(fd: number, meta: Omit<IndexMeta, 'keys' | 'records' | 'format'>): IndexMeta {
    this.flush();
    let pos = HEADER;
    const write = (b: Buffer) => {
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off, pos + off);
      pos += b.length;
    };
    // (A name with a line break cannot be a key-table line: such records are left out.)
    const byBucket = new Map<number, number[]>();
    const bucketOfKey = new Int32Array(this.keys.length).fill(-1);
    for (let k = 0; k < this.keys.length; k++) {
      if (!this.recordsOf[k].length || this.keys[k].includes('\n')) continue;
      const b = bucketOf(this.keys[k]);
      bucketOfKey[k] = b;
      const l = byBucket.get(b);
      if (l) l.push(k);
      else byBucket.set(b, [k]);
    }
    const order = [...byBucket.keys()].sort((a, b) => a - b);
    const where = new Map<number, [number, number]>();
    const NL = Buffer.from('\n');
    let total = 0;
    let keyCount = 0;
    // The buckets in groups of about GROUP_BYTES of records each, in bucket order.
    const groups: number[][] = [[]];
    let bytes = 0;
    for (const b of order) {
      for (const k of byBucket.get(b)!)
        for (const id of this.recordsOf[k]) bytes += this.matchLen.a[id] + this.fullLen.a[id];
      groups[groups.length - 1].push(b);
      if (bytes >= GROUP_BYTES) {
        groups.push([]);
        bytes = 0;
      }
    }
    for (const group of groups) {
      if (!group.length) continue;
      const lo = group[0];
      const hi = group[group.length - 1];
      const inGroup = (k: number) => bucketOfKey[k] >= lo && bucketOfKey[k] <= hi;
      const records = this.readGroup(inGroup);
      // Records in bucket order, so one package's look-ups read nearby bytes.
      for (const b of group) {
        for (const k of byBucket.get(b)!) {
          const ids = this.recordsOf[k];
          // Match parts written once each (a package's advisories share ranges: one DSA fixes
          // many CVEs in the same version, unfixed ones are all "introduced 0"), records point at theirs.
          const unique = new Map<string, number>();
          const parts: Buffer[] = [];
          const index: number[] = [];
          const fulls: Buffer[] = [];
          for (const id of ids) {
            const r = records.get(id)!;
            const m = this.matchLen.a[id];
            const text = r.toString('utf8', 0, m);
            let u = unique.get(text);
            if (u === undefined) {
              unique.set(text, (u = unique.size));
              parts.push(u ? Buffer.from(`,${text}`) : Buffer.from(text));
            }
            index.push(u);
            fulls.push(NL, r.subarray(m));
          }
          const blob = Buffer.concat([Buffer.from('[['), ...parts, Buffer.from(`],[${index.join(',')}]]`), ...fulls]);
          where.set(k, [pos, blob.length]);
          write(blob);
          total += ids.length;
          keyCount++;
        }
      }
    }
    const keyTableAt = pos;
    const dir = Buffer.alloc(BUCKETS * 8);
    for (const b of order) {
      const text = byBucket
        .get(b)!
        .map((k) => `${this.keys[k]}\t${where.get(k)![0]}\t${where.get(k)![1]}\n`)
        .join('');
      const buf = Buffer.from(text);
      dir.writeUInt32LE(pos - keyTableAt, b * 8);
      dir.writeUInt32LE(buf.length, b * 8 + 4);
      write(buf);
    }
    const dirAt = pos;
    write(dir);
    const full: IndexMeta = { format: 2, ...meta, keys: keyCount, records: total };
    const metaAt = pos;
    const metaBuf = Buffer.from(JSON.stringify(full));
    write(metaBuf);
    const header = Buffer.concat([Buffer.from(MAGIC), u64(metaAt), u64(metaBuf.length), u64(dirAt), u64(keyTableAt)]);
    writeSync(fd, header, 0, header.length, 0);
    this.close();
    return full;
  }

  /** Closes and removes the spool (also after a failure). */
  close(): void {
    try {
      closeSync(this.spool);
    } catch {
      /* closed already */
    }
    rmSync(this.spoolPath, { force: true });
  }
}
