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

/** Bytes a footer check needs from the blob's end (more than either footer). */
const TAIL = 64;

/**
 * The last bytes of a raw blob as it streams by, copied: the chunks themselves may be given back
 * to their source before the blob ends (lent-chunks.ts), so no view of them is kept.
 */
export class BlobTail {
  private readonly buf = Buffer.alloc(TAIL);
  private len = 0;

  push(c: Uint8Array): void {
    if (c.length >= TAIL) {
      this.buf.set(c.subarray(c.length - TAIL));
      this.len = TAIL;
      return;
    }
    // Keep the newest bytes already held that still fit, then append the chunk.
    const keep = Math.min(this.len, TAIL - c.length);
    this.buf.copyWithin(0, this.len - keep, this.len);
    this.buf.set(c, keep);
    this.len = keep + c.length;
  }

  /** The bytes held (at most 64, the blob's last): a view, valid until the next push. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
