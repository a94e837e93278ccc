/**
 * Go build information in an ELF binary (Go 1.18+): after the 16-byte-aligned magic
 * `\xff Go buildinf:` come the pointer size, a flags byte (bit 2: strings inline), 16 bytes of
 * padding, then two length-prefixed strings: the toolchain version (`go1.21.3`) and the module
 * info (between 16-byte sentinels: `path`, `mod`, `dep` lines and `=>` replacements). The
 * toolchain makes the standard library a package (`stdlib`, as OSV names it). Older binaries keep
 * pointers to the strings instead; they are reported as unread.
 */
import { goToolchainSemver } from '../../versions/index.js';
import type { FoundPackage } from './types.js';

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Bytes read after the magic: the header and both strings (module info is a few KB). */
export const GO_BUILDINFO_WINDOW = 1 << 20;

export interface GoBuildInfo {
  goVersion: string;
  packages: FoundPackage[];
  note?: string;
}

function uvarint(b: Buffer, p: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let i = 0; i < 10 && p + i < b.length; i++) {
    const c = b[p + i];
    v += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return [v, i + 1];
    shift += 7;
  }
  return [-1, 0];
}

/** Reads the build info that starts at `buf[0]` (the magic). */
export function parseGoBuildInfo(buf: Buffer): GoBuildInfo | undefined {
  if (buf.length < 32 || !buf.subarray(0, 14).equals(GO_BUILDINFO_MAGIC)) return undefined;
  const flags = buf[15];
  if ((flags & 2) === 0) return { goVersion: '', packages: [], note: 'Go build info before Go 1.18 (not read)' };
  let p = 32;
  const str = (): string | undefined => {
    const [len, n] = uvarint(buf, p);
    if (len < 0 || p + n + len > buf.length) return undefined;
    const s = buf.toString('utf8', p + n, p + n + len);
    p += n + len;
    return s;
  };
  const goVersion = str();
  const modinfo = str();
  if (goVersion === undefined || modinfo === undefined) return undefined;
  const packages: FoundPackage[] = [];
  if (/^go\d/.test(goVersion)) packages.push({ type: 'golang', name: 'stdlib', version: goToolchainSemver(goVersion) });
  // The module info sits between two 16-byte sentinels.
  const lines = (modinfo.length >= 33 ? modinfo.slice(16, -16) : modinfo).split('\n');
  for (const line of lines) {
    const f = line.split('\t');
    if ((f[0] === 'mod' || f[0] === 'dep') && f[1] && f[2] && f[2] !== '(devel)')
      packages.push({ type: 'golang', name: f[1], version: f[2] });
    else if (f[0] === '=>' && packages.length > 1 && f[1]) {
      // A replacement of the dependency before it: the code built is the replacement's.
      const last = packages[packages.length - 1];
      if (f[2] && f[2] !== '(devel)') packages[packages.length - 1] = { ...last, name: f[1], version: f[2] };
      else packages.pop(); // a local directory: no version to match
    }
  }
  return { goVersion, packages };
}

const align4 = (x: number) => Math.ceil(x / 4) * 4;

/**
 * Whether an ELF file's first bytes carry Go's build-id note (`Go\0\0`, type 4) in a PT_NOTE
 * segment: only those are searched for build info, so other binaries cost one look at their
 * program headers.
 */
export function isGoElf(head: Buffer): boolean {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  const u16 = (o: number) => (le ? head.readUInt16LE(o) : head.readUInt16BE(o));
  const u32 = (o: number) => (le ? head.readUInt32LE(o) : head.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? head.readBigUInt64LE(o) : head.readBigUInt64BE(o)) : u32(o));
  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  for (let i = 0; i < Math.min(phnum, 64); i++) {
    const ph = phoff + i * phentsize;
    if (ph + phentsize > head.length) return false;
    if (u32(ph) !== 4) continue; // PT_NOTE
    const off = word(is64 ? ph + 8 : ph + 4);
    const size = word(is64 ? ph + 32 : ph + 16);
    let n = off;
    while (n + 12 <= Math.min(off + size, head.length)) {
      const namesz = u32(n);
      const descsz = u32(n + 4);
      const type = u32(n + 8);
      if (namesz === 4 && type === 4 && head.toString('latin1', n + 12, n + 16) === 'Go\0\0') return true;
      // Sizes rounded up to 4 in floating point: `& ~3` works in int32, where a size near 2^32
      // turns negative and the walk steps back (or not at all: it looped forever).
      n += 12 + align4(namesz) + align4(descsz);
    }
  }
  return false;
}
