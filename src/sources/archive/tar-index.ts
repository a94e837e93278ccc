/**
 * Index the members of a tar FILE without reading their data: read each 512-byte header at its
 * offset, note where the data starts, and seek past it. `docker save` puts its metadata at the
 * end of the tar, so this is how manifest and config are read before any layer. Headers are
 * decoded by the engine's one tar header decoder (engine/tar-header.ts), as every layer is.
 */
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { type TarHeader, TarHeaderDecoder } from '../../engine/tar-header.js';
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
/** Members an image archive may hold: a `docker save` of many large images has a few thousand. */
const MAX_MEMBERS = 1_000_000;

/** `./a//b/` → `a/b`. Archive paths only; nothing here touches the host filesystem. */
export function normalizeMember(name: string): string {
  let n = path.posix.normalize('/' + name).replace(/^\/+/, '');
  if (n.endsWith('/')) n = n.slice(0, -1);
  return n === '.' ? '' : n;
}

/** A tar header block the decoder takes, or an all-zero block. */
export function looksLikeTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  try {
    new TarHeaderDecoder().decode(Buffer.from(block.buffer, block.byteOffset, BLOCK));
    return true;
  } catch {
    return false;
  }
}

const MEMBER_TYPES: Record<string, MemberType> = {
  '0': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '5': 'dir',
};

/**
 * A member's type. The typeflags `docker load` unpacks; a sparse file's data is not its bytes
 * (engine/tar-sparse.ts), so it is no member to read: no image tool writes one into an archive.
 */
export function memberType(h: TarHeader): MemberType {
  return h.sparse ? 'other' : (MEMBER_TYPES[h.typeflag] ?? 'other');
}

/**
 * Index every member of the tar in `handle` (`fileSize` bytes). Later members with the same name
 * win, as they would on extraction. Throws NOT_TAR / CORRUPT / TRUNCATED LayerlensErrors.
 */
export async function indexTar(handle: FileHandle, fileSize: number, label: string): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  const decoder = new TarHeaderDecoder();
  const block = Buffer.alloc(BLOCK);
  let pos = 0;

  const readAt = async (buf: Buffer, len: number, at: number): Promise<number> => {
    let got = 0;
    while (got < len) {
      const { bytesRead } = await handle.read(buf, got, len - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  };
  const fail = (err: unknown, at: number): LayerlensError => {
    const e = err as LayerlensError;
    if (at === 0 && e.code === 'NOT_TAR') return new LayerlensError(`${label} is not a tar archive`, 'NOT_TAR');
    return new LayerlensError(`${label}: ${e.message} (at offset ${at})`, e.code ?? 'CORRUPT');
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
    let step;
    try {
      step = decoder.decode(block);
    } catch (err) {
      throw fail(err, pos);
    }
    // A zero block ends the archive (a second one may follow, or the file may end there).
    if (step === 'zero' || step === 'end') break;
    if (step === 'more') {
      pos += BLOCK; // an old GNU sparse header's extension block: the next block goes on with it
      continue;
    }
    const size = decoder.size;
    const dataAt = pos + BLOCK;
    if (dataAt + size > fileSize) {
      throw new LayerlensError(
        `${label}: truncated tar archive (a member needs ${size} bytes at offset ${dataAt}, the file has ${fileSize - dataAt})`,
        'TRUNCATED',
      );
    }
    pos = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (step === 'record') {
      const data = Buffer.alloc(size);
      await readAt(data, size, dataAt);
      try {
        decoder.record(data);
      } catch (err) {
        throw fail(err, dataAt);
      }
      continue;
    }
    const h = decoder.header;
    const type = memberType(h);
    const m: TarMember = { name: normalizeMember(h.name), type, offset: dataAt, size: type === 'file' ? size : 0 };
    if (type === 'symlink' || type === 'hardlink') m.linkname = h.linkname;
    if (m.name) members.set(m.name, m);
    if (members.size > MAX_MEMBERS)
      throw new LayerlensError(`${label} holds more than ${MAX_MEMBERS} members: not an image archive`, 'TOO_LARGE');
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
