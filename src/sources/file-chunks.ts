/**
 * A range of a file as a stream of 1 MiB chunks read into pooled buffers and lent to the engine
 * (engine/lent-chunks.ts) when the blob is gzip or a plain tar: its decoder, or its tar reader,
 * gives each back once done with its bytes, and the next read goes into it. A zstd blob's chunks
 * are not lent, and are collected as fs.createReadStream's chunks are.
 *
 * Why not fs.createReadStream: it reads into a new buffer every time, and memory the kernel fills
 * fresh is slow here twice, on the read and on the first reads after it (buffer-pool.ts).
 *
 * After the first chunk, a lent blob's chunks are read into the hashing thread's shared blocks
 * while one is free (engine/stream-hash.ts `outputBlocks`): the stored blob's digest is then
 * hashed where the bytes were read (oci-layout/digest.ts), not copied there first (~0.25 s of the
 * main thread on the 11 GB ML-shaped image's 4.6 GB of blobs).
 *
 * Errors are fs's own (code, syscall, path), as createReadStream emits them; a file that is
 * shorter than the range ends the stream early, as createReadStream does (the blob's digest or
 * size check says so).
 */
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import { comesBack, lend } from '../engine/lent-chunks.js';
import { outputBlocks } from '../engine/stream-hash.js';
import { BufferPool } from './buffer-pool.js';

const CHUNK = 1 << 20;
/** Kept: a layer in flight holds a few chunks (the stream's buffer, zlib's), two layers at once. */
const POOLED = 16;

let openFiles = 0;
const pool = new BufferPool(CHUNK, POOLED, () => openFiles > 0);

export class FileChunks extends Readable {
  private fd = -1;
  private pos: number;
  private readonly start: number;
  private readonly end: number;
  private lending = false;
  /** A read is in flight: the descriptor is closed after it, never under it. */
  private reading = false;
  private closeWhenRead?: () => void;

  /** Bytes [start, end) of `file` (end: to the end of the file). */
  constructor(
    private readonly file: string,
    start = 0,
    end = Number.POSITIVE_INFINITY,
  ) {
    super({ highWaterMark: CHUNK });
    this.pos = start;
    this.start = start;
    this.end = end;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    open(this.file, 'r', (err, fd) => {
      if (err) return cb(err);
      this.fd = fd;
      openFiles++;
      cb();
    });
  }

  override _read(): void {
    const want = Math.min(CHUNK, this.end - this.pos);
    if (want <= 0) return void this.push(null);
    const slot = this.lending ? outputBlocks.take() : -1;
    const buf = slot >= 0 ? outputBlocks.at(slot) : pool.take();
    this.reading = true;
    read(this.fd, buf, 0, want, this.pos, (err, n) => {
      this.reading = false;
      if (this.closeWhenRead || err || n === 0) {
        if (slot >= 0) outputBlocks.give(slot);
        else pool.put(buf.buffer as ArrayBuffer);
        if (this.closeWhenRead) return this.closeWhenRead();
        if (err) return void this.destroy(err);
        return void this.push(null);
      }
      // (A block's chunk is a view of its own: the block's Buffer is kept by its pool, and the
      // chunk is what is given back, or collected.)
      const chunk = n === buf.length && slot < 0 ? buf : buf.subarray(0, n);
      // Lent only when the engine will give the chunks back (gzip or a plain tar), see comesBack.
      if (this.pos === this.start) this.lending = comesBack(chunk);
      this.pos += n;
      if (slot >= 0) outputBlocks.lendBlock(chunk, slot);
      else if (this.lending) lend(chunk, () => pool.put(buf.buffer as ArrayBuffer));
      this.push(chunk);
    });
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.fd < 0) return cb(err);
    const fd = this.fd;
    this.fd = -1;
    const shut = () => {
      this.closeWhenRead = undefined;
      openFiles--;
      if (openFiles === 0) pool.release();
      close(fd, () => cb(err));
    };
    if (this.reading) this.closeWhenRead = shut;
    else shut();
  }
}

/** Buffers the file readers' pool holds now (tests). */
export const pooledFileBuffers = (): number => pool.held;
