/**
 * The checksum that GitHub's prefixed tokens (ghp_, gho_, ghu_, ghs_, ghr_) and npm's (npm_)
 * carry: the last 6 characters are the CRC-32 (IEEE, as zlib computes it) of the 30 random
 * characters before them, written in base62 (0-9, A-Z, a-z) and left-padded with '0'. A token
 * that fails it was never issued. Kept here, below the sources, so the demo can make tokens that
 * pass the same check the secret rules apply.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let table: Int32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected, as zlib and PNG) of a string's latin1 bytes. */
export function crc32(s: string): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < s.length; i++) crc = table[(crc ^ s.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** `n` (non-negative) in base62, left-padded with '0' to `width` characters. */
export function base62(n: number, width: number): string {
  let s = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) s = BASE62[v % 62] + s;
  return s.padStart(width, '0');
}

/** The 6-character checksum of a GitHub- or npm-style token's random part. */
export function tokenChecksum(random: string): string {
  return base62(crc32(random), 6);
}

/**
 * Whether `token` (prefix + random part + 6-character checksum) carries a valid checksum.
 * `prefixLength`: the characters before the random part (`ghp_`: 4).
 */
export function checksumValid(token: string, prefixLength: number): boolean {
  if (token.length < prefixLength + 7) return false;
  return tokenChecksum(token.slice(prefixLength, -6)) === token.slice(-6);
}

/** A token of the form `prefix` + `random` + its checksum (the demo's fake GitHub token). */
export function withChecksum(prefix: string, random: string): string {
  return prefix + random + tokenChecksum(random);
}
