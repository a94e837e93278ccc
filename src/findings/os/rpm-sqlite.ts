/**
 * rpm's sqlite package database (rpmdb.sqlite, RHEL 9 / Fedora 33+ / SUSE) read without a native
 * module: a minimal reader of the SQLite file format (table b-trees, overflow pages, records)
 * finds the `Packages` table, whose `blob` column holds each package's rpm header; the header's
 * index gives NAME, VERSION, RELEASE, EPOCH, ARCH, LICENSE and SOURCERPM.
 * Format references: sqlite.org/fileformat2.html; rpm's header format (lib/header.c).
 */
import type { OsPackage } from './packages.js';

const MAGIC = 'SQLite format 3\0';

/** Why a database could not be read, in words meant for the report (never a raw Node message). */
export class SqliteError extends Error {}

class SqliteFile {
  readonly pageSize: number;
  readonly usable: number;
  /**
   * Pages read so far: in a real database each page has one place (a node of one b-tree, or a
   * link of one overflow chain). A page reached twice is refused: b-tree pages that all point at
   * the next one made a walk of 3^31 leaves from a 16 KiB file (it never ended), and an overflow
   * chain that loops would repeat its page until the payload's claimed size.
   */
  private readonly used = new Set<number>();

  constructor(private readonly buf: Buffer) {
    if (buf.length < 100 || buf.toString('latin1', 0, 16) !== MAGIC) throw new SqliteError('not an SQLite database');
    const ps = buf.readUInt16BE(16);
    this.pageSize = ps === 1 ? 65536 : ps;
    this.usable = this.pageSize - buf[20];
    if (this.pageSize < 512 || buf.length < this.pageSize) throw new SqliteError('truncated SQLite database');
  }

  private page(n: number): { off: number } {
    const off = (n - 1) * this.pageSize;
    if (n < 1 || off + this.pageSize > this.buf.length) throw new SqliteError(`SQLite page ${n} out of range`);
    if (this.used.has(n)) throw new SqliteError(`SQLite page ${n} is used twice`);
    this.used.add(n);
    return { off };
  }

  /** Every row (rowid, record values) of the table b-tree rooted at `root`. */
  *rows(root: number, depth = 0): Generator<unknown[]> {
    if (depth > 32) throw new SqliteError('SQLite b-tree too deep');
    const { off } = this.page(root);
    const hdr = off + (root === 1 ? 100 : 0);
    const type = this.buf[hdr];
    const cells = this.buf.readUInt16BE(hdr + 3);
    const headerSize = type === 5 ? 12 : 8;
    if (type !== 5 && type !== 13) throw new SqliteError(`unexpected SQLite page type ${type}`);
    for (let i = 0; i < cells; i++) {
      const cell = off + this.buf.readUInt16BE(hdr + headerSize + 2 * i);
      if (type === 5) {
        yield* this.rows(this.buf.readUInt32BE(cell), depth + 1);
      } else {
        let p = cell;
        const [size, n1] = this.varint(p);
        p += n1;
        const [, n2] = this.varint(p);
        p += n2;
        yield this.record(this.payload(p, Number(size)));
      }
    }
    if (type === 5) yield* this.rows(this.buf.readUInt32BE(hdr + 8), depth + 1);
  }

  private payload(p: number, size: number): Buffer {
    const U = this.usable;
    const X = U - 35;
    if (size <= X) return this.buf.subarray(p, p + size);
    // No payload is larger than the file that holds it.
    if (size > this.buf.length) throw new SqliteError('SQLite record larger than the database');
    const M = Math.floor(((U - 12) * 32) / 255) - 23;
    const K = M + ((size - M) % (U - 4));
    const local = K <= X ? K : M;
    const parts: Buffer[] = [this.buf.subarray(p, p + local)];
    let remaining = size - local;
    let next = this.buf.readUInt32BE(p + local);
    while (remaining > 0 && next !== 0) {
      const { off } = this.page(next);
      const take = Math.min(remaining, U - 4);
      parts.push(this.buf.subarray(off + 4, off + 4 + take));
      remaining -= take;
      next = this.buf.readUInt32BE(off);
    }
    return Buffer.concat(parts);
  }

  private varint(p: number, buf: Buffer = this.buf): [bigint, number] {
    let v = 0n;
    for (let i = 0; i < 9; i++) {
      const b = buf[p + i];
      if (i === 8) return [(v << 8n) | BigInt(b), 9];
      v = (v << 7n) | BigInt(b & 0x7f);
      if (b < 0x80) return [v, i + 1];
    }
    return [v, 9];
  }

  private record(rec: Buffer): unknown[] {
    const [hsize, n] = this.varint(0, rec);
    let hp = n;
    const types: number[] = [];
    while (hp < Number(hsize)) {
      const [t, k] = this.varint(hp, rec);
      types.push(Number(t));
      hp += k;
    }
    let dp = Number(hsize);
    const out: unknown[] = [];
    for (const t of types) {
      if (t === 0) out.push(null);
      else if (t >= 1 && t <= 6) {
        const len = [0, 1, 2, 3, 4, 6, 8][t];
        let v = 0n;
        for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(rec[dp + i]);
        if (len && rec[dp] & 0x80) v -= 1n << BigInt(len * 8);
        out.push(Number(v));
        dp += len;
      } else if (t === 7) {
        out.push(rec.readDoubleBE(dp));
        dp += 8;
      } else if (t === 8 || t === 9) out.push(t - 8);
      else if (t >= 12) {
        const len = t % 2 === 0 ? (t - 12) / 2 : (t - 13) / 2;
        const v = rec.subarray(dp, dp + len);
        out.push(t % 2 === 0 ? v : v.toString('utf8'));
        dp += len;
      } else throw new SqliteError(`bad SQLite serial type ${t}`);
    }
    return out;
  }
}

const TAG = { NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, LICENSE: 1014, ARCH: 1022, SOURCERPM: 1044 };

/** Decode the tags layerlens needs from one rpm header blob (as stored in rpmdb: no lead, no magic). */
export function parseRpmHeader(blob: Buffer): Record<number, string | number> {
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  const dataStart = 8 + il * 16;
  if (il > 100000 || dataStart + dl > blob.length) throw new SqliteError('corrupt rpm header');
  const want = new Set(Object.values(TAG));
  const out: Record<number, string | number> = {};
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = blob.readUInt32BE(e);
    if (!want.has(tag)) continue;
    const type = blob.readUInt32BE(e + 4);
    const offset = dataStart + blob.readInt32BE(e + 8);
    if (type === 4) out[tag] = blob.readUInt32BE(offset);
    else if (type === 6 || type === 8 || type === 9) {
      const end = blob.indexOf(0, offset);
      out[tag] = blob.toString('utf8', offset, end < 0 ? dataStart + dl : end);
    }
  }
  return out;
}

/** Packages listed in an rpmdb.sqlite file. Throws SqliteError on a file it cannot read. */
export function readRpmSqlite(buf: Buffer): OsPackage[] {
  try {
    return packagesOf(buf);
  } catch (err) {
    if (err instanceof SqliteError) throw err;
    // A read past a page or a record the offsets in the file point to (Node's RangeError).
    throw new SqliteError('damaged SQLite database (an offset points outside its page)');
  }
}

function packagesOf(buf: Buffer): OsPackage[] {
  const db = new SqliteFile(buf);
  let root: number | undefined;
  for (const row of db.rows(1)) {
    // sqlite_master: type, name, tbl_name, rootpage, sql
    if (row[0] === 'table' && row[1] === 'Packages') root = row[3] as number;
  }
  if (!root) throw new SqliteError('no Packages table');
  const out: OsPackage[] = [];
  for (const row of db.rows(root)) {
    const blob = row.find((v): v is Buffer => Buffer.isBuffer(v));
    if (!blob || blob.length < 8) continue;
    const h = parseRpmHeader(blob);
    const name = h[TAG.NAME];
    if (typeof name !== 'string' || name === 'gpg-pubkey') continue;
    const epoch = h[TAG.EPOCH];
    const version = `${epoch !== undefined && epoch !== 0 ? epoch + ':' : ''}${h[TAG.VERSION] ?? ''}-${h[TAG.RELEASE] ?? ''}`;
    const pkg: OsPackage = { name, version, manager: 'rpm' };
    if (typeof h[TAG.ARCH] === 'string') pkg.arch = h[TAG.ARCH] as string;
    if (typeof h[TAG.LICENSE] === 'string') pkg.license = h[TAG.LICENSE] as string;
    const src = h[TAG.SOURCERPM];
    if (typeof src === 'string') {
      const m = src.match(/^(.+)-([^-]+)-([^-]+)\.src\.rpm$/);
      if (m && m[1] !== name) pkg.source = m[1];
    }
    out.push(pkg);
  }
  return out;
}
