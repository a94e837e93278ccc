/**
 * gzip decoding without the CRC-32: the first member's header and trailer are read here and its
 * deflate data goes to zlib's raw inflate (on the thread pool, like Gunzip).
 *
 * Why: zlib's Gunzip computes a CRC-32 of every output byte, ~12% of its time here. A layer's
 * bytes are already verified by a stronger check, the sha256 diffID (and, for stored blobs, the
 * digest of the compressed bytes), so the CRC adds nothing but time; the trailer's length field
 * (ISIZE) is still checked.
 *
 * A layer is nearly always one member. When another follows (eStargz writes one per file, often
 * thousands), the rest of the stream goes to zlib's Gunzip, which moves from member to member
 * inside zlib: a raw inflate stream per member cost ~90 µs each (10,000 members: 0.9 s against
 * 0.03 s). As with Gunzip, zero padding after the last member is ignored, other bytes are not.
 */
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { InflateBlocks } from './inflate-blocks.js';
import { giveBack } from './lent-chunks.js';

const CHUNK = 1 << 20;

const enum State {
  Header,
  Body,
  Trailer,
  /** After the first member's trailer: another member, or the end. */
  Between,
  /** Further members, decoded by zlib's Gunzip (`rest`). */
  Rest,
  Done,
}

export class GzipMembers extends Transform {
  private state = State.Header;
  /** Bytes of a header or trailer not complete yet. */
  private held: Buffer | null = null;
  private inner: zlib.InflateRaw | null = null;
  /** Input bytes given to the current member's inflate, and its output bytes. */
  private given = 0;
  private produced = 0;
  private innerEnded = false;
  private rest: zlib.Gunzip | null = null;
  private restEnded = false;
  /** The first member's output in the hashing thread's blocks (`lendOutput`), else null. */
  private readonly blocks: InflateBlocks | null;

  /**
   * `lendOutput`: the first member (nearly every layer's only one) is inflated into the hashing
   * thread's shared blocks and each chunk is lent (inflate-blocks.ts). Only for a consumer that
   * gives every chunk back once done with it (parse-layer.ts).
   */
  constructor(opts: { lendOutput?: boolean } = {}) {
    super({ readableHighWaterMark: CHUNK });
    this.blocks = opts.lendOutput ? new InflateBlocks() : null;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    // Once zlib has taken all of it (what this stream keeps between chunks is copied into `held`),
    // a lent chunk goes back to its source (lent-chunks.ts). Not after an error: zlib may still
    // hold it.
    this.feed(chunk, (err) => {
      if (!err) giveBack(chunk);
      cb(err);
    });
  }

  override _flush(cb: TransformCallback): void {
    switch (this.state) {
      case State.Body: {
        // Input ended inside a member (its data, or before its trailer): truncated.
        const inner = this.inner!;
        if (this.innerEnded) return cb(new Error('unexpected end of file'));
        inner.once('end', () => cb(new Error('unexpected end of file')));
        inner.once('error', (err) => cb(err));
        inner.end();
        return;
      }
      case State.Header:
      case State.Trailer:
        return cb(new Error('unexpected end of file'));
      case State.Rest: {
        const rest = this.rest!;
        // Gunzip ends by itself when bytes that are not a member follow the last one.
        if (this.restEnded) return cb();
        rest.once('end', () => cb());
        rest.once('error', (err) => cb(err));
        rest.end();
        return;
      }
      default:
        cb();
    }
  }

  // Backpressure, as Gunzip has it: an inner stream whose output this stream cannot take now is
  // paused (zlib then stops inflating), and resumed when this stream is read. Without it, a few KB
  // of compressed zeros would be inflated into memory all at once.
  override _read(size: number): void {
    this.inner?.resume();
    this.rest?.resume();
    super._read(size);
  }

  private forward(from: zlib.InflateRaw | zlib.Gunzip, c: Buffer): void {
    if (!this.push(c)) from.pause();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    if (this.inner && !this.innerEnded) this.blocks?.abandon(this.inner);
    this.inner?.destroy();
    this.rest?.destroy();
    cb(err);
  }

  private feed(buf: Buffer, cb: TransformCallback): void {
    while (buf.length) {
      switch (this.state) {
        case State.Between:
          // As Gunzip: zero padding after the last member is ignored; any other byte starts a
          // member (and is an error when it is not one).
          if (buf[0] === 0) {
            this.state = State.Done;
            continue;
          }
          this.startRest();
          continue;
        case State.Rest:
          this.rest!.write(buf, (err) => {
            if (!err) cb(); // an error is reported by the 'error' listener
          });
          return;
        case State.Header: {
          const all = this.held ? Buffer.concat([this.held, buf]) : buf;
          let end: number;
          try {
            end = headerLength(all);
          } catch (err) {
            return cb(err as Error);
          }
          if (end < 0) {
            this.held = Buffer.from(all);
            return cb();
          }
          this.held = null;
          buf = all.subarray(end);
          this.startMember();
          continue;
        }
        case State.Body:
          this.writeBody(buf, cb);
          return;
        case State.Trailer: {
          const all = this.held ? Buffer.concat([this.held, buf]) : buf;
          if (all.length < 8) {
            this.held = Buffer.from(all);
            return cb();
          }
          this.held = null;
          if (all.readUInt32LE(4) !== this.produced % 0x100000000) return cb(new Error('incorrect length check'));
          buf = all.subarray(8);
          this.state = State.Between;
          continue;
        }
        case State.Done:
          return cb();
      }
    }
    cb();
  }

  private startRest(): void {
    const rest = zlib.createGunzip({ chunkSize: CHUNK });
    rest.on('data', (c: Buffer) => this.forward(rest, c));
    rest.on('end', () => (this.restEnded = true));
    rest.on('error', (err) => this.destroy(err));
    this.rest = rest;
    this.state = State.Rest;
  }

  private startMember(): void {
    const inner = zlib.createInflateRaw({ chunkSize: CHUNK });
    // (The first member only: later ones go to `rest`, in zlib's own memory.)
    const blocks = this.blocks;
    blocks?.attach(inner, CHUNK);
    inner.on('data', (c: Buffer) => {
      this.produced += c.length;
      blocks?.emit(c);
      this.forward(inner, c);
    });
    inner.on('end', () => {
      this.innerEnded = true;
      blocks?.end();
    });
    inner.on('error', (err) => {
      // zlib reports an error when a write is over: it writes no more. (Destroyed from outside,
      // a write may still be running on the thread pool: see `abandon` in _destroy.)
      blocks?.end();
      this.destroy(err);
    });
    this.inner = inner;
    this.given = 0;
    this.produced = 0;
    this.innerEnded = false;
    this.state = State.Body;
  }

  /** Give `buf` to the member's inflate; what it does not take (its data ended) is the trailer on. */
  private writeBody(buf: Buffer, cb: TransformCallback): void {
    const inner = this.inner!;
    this.given += buf.length;
    inner.write(buf, (err) => {
      if (err) return; // reported by the 'error' listener
      const left = this.given - inner.bytesWritten;
      // All taken: the data may still have ended exactly here (the next bytes will say).
      if (left <= 0) return cb();
      // The deflate data ended inside `buf`. Its 'end' comes after its last output: only then
      // is `produced` complete and may the next member's output follow.
      const rest = buf.subarray(buf.length - left);
      const next = () => {
        this.inner = null;
        this.state = State.Trailer;
        this.feed(rest, cb);
      };
      if (this.innerEnded) next();
      else inner.once('end', next);
    });
  }
}

/** Length of the gzip member header at the start of `b`, or -1 when more bytes are needed. */
function headerLength(b: Buffer): number {
  if (b.length >= 1 && b[0] !== 0x1f) throw new Error('incorrect header check');
  if (b.length >= 2 && b[1] !== 0x8b) throw new Error('incorrect header check');
  if (b.length >= 3 && b[2] !== 8) throw new Error('unknown compression method');
  if (b.length < 10) return -1;
  const flags = b[3];
  if (flags & 0xe0) throw new Error('unknown header flags set');
  let pos = 10;
  if (flags & 4) {
    if (b.length < pos + 2) return -1;
    pos += 2 + b.readUInt16LE(pos);
  }
  for (const bit of [8, 16]) {
    // FNAME, FCOMMENT: zero-terminated.
    if (flags & bit) {
      if (pos >= b.length) return -1;
      const z = b.indexOf(0, pos);
      if (z < 0) return -1;
      pos = z + 1;
    }
  }
  if (flags & 2) pos += 2; // FHCRC
  return pos <= b.length ? pos : -1;
}
