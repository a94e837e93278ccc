/**
 * zstd decoding at the reader's pace. A zstd frame of RLE blocks inflates four bytes into 128 KiB,
 * so a 265 KB layer can hold 8 GiB of zeros; a decoder that turns each input chunk into all of its
 * output at once holds gigabytes in memory. Here output is made one piece at a time and the next
 * piece only when the previous one was taken (as zlib's streams do for gzip): memory stays at a
 * few MiB whatever the ratio.
 *
 * Two backends: the native binding (zstd-napi, compiled from the C sources its package ships),
 * driven through ZSTD_decompressStream with a fixed output buffer; and the pure-JS fzstd, fed one
 * block at a time by a small frame walker (fzstd decodes all it is given). Both refuse a frame
 * asking for a window over 128 MiB, as zstd itself does by default.
 */
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';

const require = createRequire(import.meta.url);

/** Output pieces: 1 MiB, like the gzip decoder's (larger pieces parse faster). */
const OUT = 1 << 20;
/** zstd's default limit for the window a frame may ask for (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27). */
const MAX_WINDOW = 1 << 27;
/** A block's size never exceeds 128 KiB (Block_Maximum_Size). */
const MAX_BLOCK = 128 << 10;

/** One step of decoding: output made from the front of `input`, and how much input it took. */
interface Backend {
  /** Decode from `input`; returns the output made (may be empty) and the bytes consumed. */
  step(input: Buffer): { out: Buffer | null; consumed: number; more: boolean };
  /** The input ended: throws when a frame is incomplete. */
  finish(): Buffer | null;
}

interface NativeBinding {
  DCtx: new () => { decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number] };
}

let native: NativeBinding | null | undefined;

/** The native binding when it built on this machine; null otherwise. */
export function nativeZstdBinding(): NativeBinding | null {
  if (native === undefined) {
    try {
      native = require('zstd-napi/binding') as NativeBinding;
    } catch {
      native = null;
    }
  }
  return native;
}

/** ZSTD_decompressStream into a fixed buffer: at most OUT bytes per step. */
class NativeBackend implements Backend {
  private readonly dctx;
  private inFrame = false;
  constructor(binding: NativeBinding) {
    this.dctx = new binding.DCtx();
  }
  step(input: Buffer) {
    const dst = Buffer.allocUnsafe(OUT);
    const [ret, produced, consumed] = this.dctx.decompressStream(dst, input);
    this.inFrame = ret !== 0;
    // A full buffer may leave output inside the decoder: step again even without input.
    const more = produced === dst.length;
    const out =
      produced === 0 ? null : produced < OUT >> 2 ? Buffer.from(dst.subarray(0, produced)) : dst.subarray(0, produced);
    return { out, consumed, more };
  }
  finish(): Buffer | null {
    if (this.inFrame) throw new Error('unexpected end of file inside a zstd frame');
    return null;
  }
}

interface Fzstd {
  Decompress: new (
    ondata: (data: Uint8Array, final: boolean) => void,
  ) => { push(chunk: Uint8Array, final?: boolean): void };
}

const enum Unit {
  /** The 4-byte magic of the next frame. */
  Magic,
  /** A zstd frame header (its length known from its descriptor). */
  Header,
  /** A block header (3 bytes). */
  BlockHeader,
  /** A block's content. */
  Block,
  /** The frame's checksum (4 bytes). */
  Checksum,
  /** A skippable frame's 8-byte header. */
  SkipHeader,
  /** A skippable frame's content. */
  Skip,
}

/**
 * fzstd, given one block at a time. The walker reads just enough of the frame structure to cut
 * the input at block boundaries (and checks what would make fzstd allocate without bound: the
 * window size and each block's size); fzstd does the decoding.
 */
class FzstdBackend implements Backend {
  private readonly dec: { push(chunk: Uint8Array, final?: boolean): void };
  private made: Buffer[] = [];
  private unit = Unit.Magic;
  /** Bytes the current unit still needs. */
  private need = 4;
  /** Bytes of the current unit gathered so far (headers are read whole). */
  private held: Buffer[] = [];
  private heldLength = 0;
  private checksum = false;
  private last = false;

  constructor() {
    const fzstd = require('fzstd') as Fzstd;
    // Copied: fzstd may reuse its buffers for the next block.
    this.dec = new fzstd.Decompress((data) => {
      if (data.length) this.made.push(Buffer.from(data));
    });
  }

  step(input: Buffer) {
    let consumed = 0;
    while (consumed < input.length && this.made.length === 0) {
      const take = Math.min(this.need, input.length - consumed);
      const piece = input.subarray(consumed, consumed + take);
      consumed += take;
      this.need -= take;
      if (this.unit === Unit.Block || this.unit === Unit.Skip) {
        // Content goes straight to fzstd (it buffers a block until it is whole).
        this.dec.push(piece);
        if (this.need === 0) this.next();
        continue;
      }
      this.held.push(piece);
      this.heldLength += take;
      if (this.need === 0) this.headerDone();
    }
    const out = this.made.length === 0 ? null : this.made.length === 1 ? this.made[0] : Buffer.concat(this.made);
    this.made = [];
    return { out, consumed, more: false };
  }

  finish(): Buffer | null {
    if (this.unit !== Unit.Magic || this.heldLength > 0) throw new Error('unexpected end of file inside a zstd frame');
    this.dec.push(new Uint8Array(0), true);
    const out = this.made.length ? Buffer.concat(this.made) : null;
    this.made = [];
    return out;
  }

  /** A header unit is complete: pass it on, and work out what comes next. */
  private headerDone(): void {
    const h = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
    switch (this.unit) {
      case Unit.Magic: {
        const magic = h.readUInt32LE(0);
        if (magic === 0xfd2fb528) {
          // Frame header: magic, descriptor, [window], [dictionary id], [content size].
          if (h.length < 5) return this.want(Unit.Magic, 5 - h.length, true);
          const fhd = h[4];
          if (fhd & 8) throw new Error('reserved bit set in a zstd frame header');
          const single = (fhd >> 5) & 1;
          const fcsBytes = [single, 2, 4, 8][fhd >> 6];
          const length = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + fcsBytes;
          return this.want(Unit.Header, length - h.length, true);
        }
        if (magic >>> 4 === 0x184d2a5) return this.want(Unit.SkipHeader, 4, true);
        throw new Error('not a zstd frame');
      }
      case Unit.Header: {
        const fhd = h[4];
        const single = (fhd >> 5) & 1;
        let window: number;
        if (!single) {
          const wd = h[5];
          const base = 2 ** (10 + (wd >> 3));
          window = base + (base / 8) * (wd & 7);
        } else {
          const fcsAt = 5 + [0, 1, 2, 4][fhd & 3];
          const n = [1, 2, 4, 8][fhd >> 6];
          window = 0;
          for (let i = n - 1; i >= 0; i--) window = window * 256 + h[fcsAt + i];
          if (n === 2) window += 256;
        }
        if (window > MAX_WINDOW)
          throw new Error(`a frame needs a ${Math.ceil(window / 2 ** 20)} MiB window (zstd allows 128 MiB)`);
        this.checksum = ((fhd >> 2) & 1) === 1;
        this.dec.push(h);
        return this.want(Unit.BlockHeader, 3);
      }
      case Unit.BlockHeader: {
        const type = (h[0] >> 1) & 3;
        const size = (h[0] >> 3) | (h[1] << 5) | (h[2] << 13);
        this.last = (h[0] & 1) === 1;
        if (type === 3) throw new Error('reserved block type');
        if (size > MAX_BLOCK) throw new Error(`a block of ${size} bytes (zstd allows 128 KiB)`);
        this.dec.push(h);
        return this.want(Unit.Block, type === 1 ? 1 : size);
      }
      case Unit.Checksum:
        this.dec.push(h);
        return this.want(Unit.Magic, 4);
      case Unit.SkipHeader:
        this.dec.push(h);
        return this.want(Unit.Skip, h.readUInt32LE(4));
    }
  }

  /** The unit after a block's or a skippable frame's content. */
  private next(): void {
    if (this.unit === Unit.Skip) return this.want(Unit.Magic, 4);
    if (!this.last) return this.want(Unit.BlockHeader, 3);
    this.want(this.checksum ? Unit.Checksum : Unit.Magic, 4);
  }

  /** Gather `need` more bytes as `unit` (keeping what is held when `keep`). */
  private want(unit: Unit, need: number, keep = false): void {
    this.unit = unit;
    this.need = need;
    if (!keep) {
      this.held = [];
      this.heldLength = 0;
    }
    if (need === 0) {
      if (unit === Unit.Block || unit === Unit.Skip) this.next();
      else this.headerDone();
    }
  }
}

/** A Transform that decodes zstd, making output only as fast as it is read. */
export class ZstdDecoder extends Transform {
  private input: Buffer | null = null;
  private done: TransformCallback | null = null;
  private pumping = false;
  /** The last step filled its output: the decoder may hold more, even with no input left. */
  private more = false;

  constructor(private readonly backend: Backend) {
    super({ readableHighWaterMark: OUT });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.input = chunk;
    this.done = cb;
    this.pump();
  }

  override _read(size: number): void {
    if (this.done && !this.pumping) this.pump();
    super._read(size);
  }

  override _flush(cb: TransformCallback): void {
    try {
      const out = this.backend.finish();
      if (out) this.push(out);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  /** Decode until the input chunk is used up, or the reader has enough for now. */
  private pump(): void {
    this.pumping = true;
    try {
      while (this.input && (this.input.length > 0 || this.more)) {
        const r = this.backend.step(this.input);
        this.input = this.input.subarray(r.consumed);
        this.more = r.more;
        if (r.out && !this.push(r.out)) return; // resumed by _read
        if (!r.out && r.consumed === 0 && !r.more) break;
      }
      const cb = this.done;
      this.input = null;
      this.done = null;
      cb?.();
    } catch (err) {
      const cb = this.done;
      this.input = null;
      this.done = null;
      cb?.(err as Error);
    } finally {
      this.pumping = false;
    }
  }
}

/** The decoder in use: the native binding unless it did not build (or LAYERLENS_ZSTD=js). */
export function createZstdDecoder(): ZstdDecoder {
  const binding = process.env.LAYERLENS_ZSTD === 'js' ? null : nativeZstdBinding();
  return new ZstdDecoder(binding ? new NativeBackend(binding) : new FzstdBackend());
}

/** Which zstd decoder is in use, for `--version` and benchmarks. */
export function zstdDecoderName(): string {
  return process.env.LAYERLENS_ZSTD === 'js' || !nativeZstdBinding() ? 'fzstd (pure JS)' : 'zstd-napi (native)';
}
