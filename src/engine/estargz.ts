/**
 * Is a gzip blob eStargz (or the older stargz)? Both end with a footer: an empty gzip member
 * whose extra field holds the TOC's offset as 16 hex digits and "STARGZ" (eStargz: 51 bytes, the
 * digits in an extra subfield "SG"; stargz: 47 bytes, in the extra field itself). Layers that
 * carry one are read by lazy-pulling snapshotters, which hide the TOC and landmark files; a
 * layer without it is an ordinary layer, whatever its file names.
 */
const HEX16_STARGZ = /^[0-9a-f]{16}STARGZ$/;

export function isStargzFooter(tail: Buffer): boolean {
  return footerAt(tail, 51, 16) || footerAt(tail, 47, 12);
}

/** A gzip member of `size` bytes ending `tail`, with FEXTRA, whose `%016xSTARGZ` is at `at`. */
function footerAt(tail: Buffer, size: number, at: number): boolean {
  if (tail.length < size) return false;
  const f = tail.subarray(tail.length - size);
  if (f[0] !== 0x1f || f[1] !== 0x8b || f[2] !== 8 || (f[3] & 4) === 0) return false;
  if (size === 51 && (f[12] !== 0x53 || f[13] !== 0x47)) return false; // subfield "SG"
  return HEX16_STARGZ.test(f.toString('latin1', at, at + 22));
}
