/**
 * Index the members of a tar FILE without reading their data: read each 512-byte header at its
 * offset, note where the data starts, and seek past it. `docker save` puts its metadata at the
 * end of the tar, so this is how manifest and config are read before any layer.
 * Handles ustar prefixes, PAX path/linkpath/size records, GNU long names and base-256 sizes.
 */
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { LayerlensError } from '../../errors/index.js';

export type MemberType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarMember {
  /** Normalized archive path: no leading `./` or `/`, no trailing `/`. */
  name: string;
  type: MemberType;
  /** Offset of the member's data in the file. */
  offset: number;
  size: number;
  linkname?: string;
}

const BLOCK = 512;
/** PAX and GNU long-name records are tiny; anything larger is not a sane header. */
const MAX_META_RECORD = 1 << 20;

/** `./a//b/` → `a/b`. Archive paths only; nothing here touches the host filesystem. */
export function normalizeMember(name: string): string {
  let n = path.posix.normalize('/' + name).replace(/^\/+/, '');
  if (n.endsWith('/')) n = n.slice(0, -1);
  return n === '.' ? '' : n;
}

/** A valid tar header block (checksum matches) or an all-zero block. */
export function looksLikeTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  if (block.subarray(0, BLOCK).every((b) => b === 0)) return true;
  return checksumOk(block);
}

function checksumOk(block: Uint8Array): boolean {
  const stored = parseOctal(block.subarray(148, 156));
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function parseOctal(field: Uint8Array): number | undefined {
  const s = Buffer.from(field).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!s) return 0;
  if (!/^[0-7]+$/.test(s)) return undefined;
  return parseInt(s, 8);
}

/** Size field: octal, or GNU base-256 when the high bit of the first byte is set. */
function parseSize(field: Uint8Array): number | undefined {
  if (field[0] & 0x80) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  return parseOctal(field);
}

function cstr(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end >= 0 ? field.subarray(0, end) : field).toString('utf8');
}

/** PAX extended header records: `<len> <key>=<value>\n`. */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = parseInt(data.toString('latin1', pos, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

const TYPES: Record<string, MemberType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '5': 'dir',
};

/**
 * Index every member of the tar in `handle` (`fileSize` bytes). Later members with the same name
 * win, as they would on extraction. Throws NOT_TAR / CORRUPT / TRUNCATED LayerlensErrors.
 */
export async function indexTar(handle: FileHandle, fileSize: number, label: string): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  const block = Buffer.alloc(BLOCK);
  let pos = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;

  const readAt = async (buf: Buffer, len: number, at: number): Promise<number> => {
    let got = 0;
    while (got < len) {
      const { bytesRead } = await handle.read(buf, got, len - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  };

  for (;;) {
    if (pos >= fileSize) {
      if (pos === 0) throw new LayerlensError(`${label} is empty`, 'NOT_IMAGE');
      // Every tar writer ends with zero blocks; without them the file was cut short.
      throw new LayerlensError(`${label}: truncated tar archive (no end-of-archive marker)`, 'TRUNCATED');
    }
    const got = await readAt(block, BLOCK, pos);
    if (got < BLOCK)
      throw new LayerlensError(`${label}: truncated tar archive (ends inside a header at offset ${pos})`, 'TRUNCATED');
    if (block.every((b) => b === 0)) break;
    if (!checksumOk(block)) {
      if (pos === 0) throw new LayerlensError(`${label} is not a tar archive`, 'NOT_TAR');
      throw new LayerlensError(`${label}: corrupt tar header at offset ${pos}`, 'CORRUPT');
    }
    const typeflag = String.fromCharCode(block[156]);
    let size = parseSize(block.subarray(124, 136));
    if (size === undefined)
      throw new LayerlensError(`${label}: corrupt tar header at offset ${pos} (size field)`, 'CORRUPT');
    const dataAt = pos + BLOCK;
    if (typeflag !== 'x' && typeflag !== 'g' && pax.size !== undefined) size = Number(pax.size);
    if (dataAt + size > fileSize) {
      throw new LayerlensError(
        `${label}: truncated tar archive (a member needs ${size} bytes at offset ${dataAt}, the file has ${fileSize - dataAt})`,
        'TRUNCATED',
      );
    }
    const next = dataAt + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'x' || typeflag === 'L' || typeflag === 'K') {
      if (size > MAX_META_RECORD)
        throw new LayerlensError(`${label}: oversized tar extended header at offset ${pos}`, 'CORRUPT');
      const data = Buffer.alloc(size);
      await readAt(data, size, dataAt);
      if (typeflag === 'x') pax = { ...pax, ...parsePax(data) };
      else if (typeflag === 'L') longName = cstr(data);
      else longLink = cstr(data);
      pos = next;
      continue;
    }
    if (typeflag === 'g') {
      pos = next; // Global PAX headers carry nothing layerlens needs from an archive.
      continue;
    }

    let name = cstr(block.subarray(0, 100));
    const ustar = block.toString('latin1', 257, 262) === 'ustar';
    if (ustar) {
      const prefix = cstr(block.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    name = pax.path ?? longName ?? name;
    const linkname = pax.linkpath ?? longLink ?? cstr(block.subarray(157, 257));
    const type = TYPES[typeflag] ?? 'other';
    const m: TarMember = { name: normalizeMember(name), type, offset: dataAt, size: type === 'file' ? size : 0 };
    if (type === 'symlink' || type === 'hardlink') m.linkname = linkname;
    if (m.name) members.set(m.name, m);
    pax = {};
    longName = longLink = undefined;
    pos = next;
  }
  return members;
}

/**
 * Follow symlinks (relative to the member's directory, as `docker save` writes duplicate layers)
 * and hardlinks (archive paths) to the member holding the data.
 */
export function resolveMember(
  members: Map<string, Pick<TarMember, 'name' | 'type' | 'linkname'>>,
  name: string,
): string | undefined {
  let cur = normalizeMember(name);
  for (let hops = 0; hops < 16; hops++) {
    const m = members.get(cur);
    if (!m) return undefined;
    if (m.type === 'file') return cur;
    if (m.type === 'symlink' && m.linkname) {
      // Absolute targets are taken from the archive root; `..` never leaves it.
      cur = normalizeMember(
        m.linkname.startsWith('/') ? m.linkname : path.posix.join(path.posix.dirname(cur), m.linkname),
      );
    } else if (m.type === 'hardlink' && m.linkname) cur = normalizeMember(m.linkname);
    else return undefined;
  }
  return undefined;
}
