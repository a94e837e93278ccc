/**
 * Hand-made tar archives for the hostile-input tests: every header field written as the test
 * says, including what no honest writer produces (negative base-256 sizes, sizes beyond the
 * stream, malformed PAX records, names with `..`, invalid UTF-8, bad checksums). Written here
 * from the format's definition (POSIX ustar/pax, GNU long names and base-256 numbers); nothing
 * is copied from another project's fixtures.
 */

const BLOCK = 512;

export interface RawHeader {
  /** Name field (100 bytes); a Buffer is written byte for byte. */
  name?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Size: a number (octal), a bigint (GNU base-256, negative allowed), or the raw 12 bytes. */
  size?: number | bigint | Buffer;
  mtime?: number;
  /** One character: '0' file, '5' dir, '2' symlink, '1' hardlink, 'x' PAX, 'L' GNU long name … */
  typeflag?: string;
  linkname?: string | Buffer;
  /** 'ustar' (POSIX, with prefix), 'gnu' ("ustar  "), 'v7' (none). Default 'ustar'. */
  format?: 'ustar' | 'gnu' | 'v7';
  prefix?: string | Buffer;
  devmajor?: number;
  devminor?: number;
  /** Write a wrong checksum. */
  badChecksum?: boolean;
}

function put(block: Buffer, at: number, len: number, v: string | Buffer): void {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  b.copy(block, at, 0, Math.min(len, b.length));
}

function octal(n: number, len: number): string {
  return n.toString(8).padStart(len - 1, '0') + '\0';
}

/** GNU base-256: the high bit of the first byte set, two's complement big-endian. */
export function base256(n: bigint, len = 12): Buffer {
  const out = Buffer.alloc(len);
  let v = n < 0n ? (1n << BigInt(8 * len)) + n : n;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  out[0] |= 0x80;
  return out;
}

export function header(h: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  put(block, 0, 100, h.name ?? 'file');
  put(block, 100, 8, octal(h.mode ?? 0o644, 8));
  put(block, 108, 8, octal(h.uid ?? 0, 8));
  put(block, 116, 8, octal(h.gid ?? 0, 8));
  const size = h.size ?? 0;
  if (Buffer.isBuffer(size)) put(block, 124, 12, size);
  else if (typeof size === 'bigint' || size >= 8 ** 11) put(block, 124, 12, base256(BigInt(size)));
  else put(block, 124, 12, octal(size, 12));
  put(block, 136, 12, octal(h.mtime ?? 1_700_000_000, 12));
  block.write(h.typeflag ?? '0', 156, 'latin1');
  put(block, 157, 100, h.linkname ?? '');
  const format = h.format ?? 'ustar';
  if (format === 'ustar') {
    put(block, 257, 6, 'ustar\0');
    put(block, 263, 2, '00');
  } else if (format === 'gnu') put(block, 257, 8, 'ustar  \0');
  put(block, 329, 8, octal(h.devmajor ?? 0, 8));
  put(block, 337, 8, octal(h.devminor ?? 0, 8));
  if (h.prefix !== undefined) put(block, 345, 155, h.prefix);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  if (h.badChecksum) sum += 1;
  put(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

/** Data padded to whole blocks. */
export function padded(data: Buffer): Buffer {
  const rem = data.length % BLOCK;
  return rem ? Buffer.concat([data, Buffer.alloc(BLOCK - rem)]) : data;
}

/** One PAX record, `"%d %s=%s\n"` with the length counting itself. */
export function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let n = body.length + 1;
  while (String(n).length + body.length !== n) n = String(n).length + body.length;
  return Buffer.concat([Buffer.from(String(n)), body]);
}

export interface CraftEntry {
  header: RawHeader;
  /** Data written after the header (padded); its length is NOT taken for the size field. */
  data?: Buffer;
}

/** A file entry with its content and a matching size. */
export function file(name: string | Buffer, content: string | Buffer = '', extra: RawHeader = {}): CraftEntry {
  const data = Buffer.from(content);
  return { header: { name, size: data.length, ...extra }, data };
}

export function dir(name: string, extra: RawHeader = {}): CraftEntry {
  return { header: { name, typeflag: '5', mode: 0o755, ...extra } };
}

export function symlink(name: string, target: string, extra: RawHeader = {}): CraftEntry {
  return { header: { name, typeflag: '2', linkname: target, mode: 0o777, ...extra } };
}

export function hardlink(name: string, target: string, extra: RawHeader = {}): CraftEntry {
  return { header: { name, typeflag: '1', linkname: target, ...extra } };
}

/** A PAX extended header ('x', or 'g' for global) carrying `records`. */
export function pax(records: Array<[string, string | Buffer]> | Buffer, typeflag: 'x' | 'g' = 'x'): CraftEntry {
  const data = Buffer.isBuffer(records) ? records : Buffer.concat(records.map(([k, v]) => paxRecord(k, v)));
  return { header: { name: 'PaxHeader', typeflag, size: data.length }, data };
}

/** A GNU long name ('L') or long link ('K') record. */
export function gnuLong(value: string | Buffer, typeflag: 'L' | 'K' = 'L'): CraftEntry {
  const data = Buffer.concat([Buffer.from(value), Buffer.from([0])]);
  return { header: { name: '././@LongLink', typeflag, size: data.length, format: 'gnu' }, data };
}

/**
 * A GNU sparse file in PAX format 1.0: the records (`GNU.sparse.major` 1, `minor` 0, then
 * `records`), and an entry `name` whose data is the map (a count, then an offset and a length
 * per region, one decimal a line, padded to whole blocks) followed by `data`.
 */
export function paxSparse10(
  records: Array<[string, string]>,
  map: number[],
  data: Buffer,
  name = 'GNUSparseFile.0/x',
): CraftEntry[] {
  const lines = [String(map.length / 2), ...map.map(String)].join('\n') + '\n';
  const mapBlocks = Buffer.alloc(Math.ceil(lines.length / BLOCK) * BLOCK);
  mapBlocks.write(lines, 'latin1');
  return [
    pax([['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ...records]),
    file(name, Buffer.concat([mapBlocks, data])),
  ];
}

/** The archive: each header, its data padded, then the two zero blocks (unless `end: false`). */
export function tar(entries: CraftEntry[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.header));
    if (e.data?.length) parts.push(padded(e.data));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * The footer eStargz writes after its TOC (51 bytes; the older stargz: 47): an empty gzip member
 * whose extra field holds the TOC's offset as 16 hex digits and "STARGZ" (eStargz puts them in a
 * subfield "SG"). Written from the format's description, for the tests that tell an eStargz layer
 * from an ordinary gzip layer.
 */
export function stargzFooter(tocOffset: number, legacy = false): Buffer {
  const digits = Buffer.from(tocOffset.toString(16).padStart(16, '0') + 'STARGZ', 'latin1');
  const extra = legacy ? digits : Buffer.concat([Buffer.from([0x53, 0x47, digits.length, 0]), digits]);
  const head = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, extra.length, 0]);
  const emptyDeflate = Buffer.from([1, 0, 0, 0xff, 0xff]);
  return Buffer.concat([head, extra, emptyDeflate, Buffer.alloc(8)]);
}

/**
 * A tar of `count` empty files named `${prefix}${i}` (one directory of many files), made fast:
 * one header written, then copied with its name and checksum patched.
 */
export function manyFiles(count: number, prefix = 'dir/f'): Buffer {
  const template = header({ name: '', size: 0 });
  const out = Buffer.alloc(count * BLOCK + 2 * BLOCK);
  let base = 0;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) base += template[i];
  for (let i = 0; i < count; i++) {
    const at = i * BLOCK;
    template.copy(out, at);
    const nameBytes = out.write(`${prefix}${i}`, at, 100, 'latin1');
    let sum = base + 8 * 0x20;
    for (let j = 0; j < nameBytes; j++) sum += out[at + j];
    out.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148, 'latin1');
  }
  return out;
}
