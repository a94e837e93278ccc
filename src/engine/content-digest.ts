/**
 * Content digests: the sha256 of every regular file of a layer, kept on its attributes
 * (`EntryAttrs.digest`), when a load asks for them (image comparisons: two files of the same size,
 * mode and owner can still differ, and a comparison that cannot see that misses exactly the change
 * an attacker would make). A non-cryptographic hash would let whoever builds one image craft a
 * file that hashes like the other's; sha256 with the CPU's SHA extensions runs at ~1.6 GB/s.
 *
 * The bytes are hashed on the main thread while the layer streams (a sink beside the content
 * inspector's). Hashing an uncompressed layer's file ranges on the hash worker that already reads
 * its file was measured and left out (docs/performance.md): it put the hashing after the parse,
 * on the layer's critical path (+28% when no layer is shared), for 7% more CPU.
 */
import { createHash, hash as oneShot } from 'node:crypto';
import type { EntryAttrs } from './types.js';

// crypto.hash (Node ≥ 20.12) skips the Hash object for a file that lies in one chunk.
const hashWhole: (b: Buffer) => string =
  typeof oneShot === 'function'
    ? (b) => oneShot('sha256', b, 'binary')
    : (b) => createHash('sha256').update(b).digest('binary');

/** The digest of no bytes (empty files), as kept: 32 bytes as a latin1 string. */
export const EMPTY_DIGEST = hashWhole(Buffer.alloc(0));

/** The shape of a content sink (parse-layer.ts's ContentSink), restated to keep the import one way. */
interface Sink {
  write(chunk: Buffer): void;
  whole?(buf: Buffer, start: number, end: number): void;
  end(later: { content?: unknown }): unknown;
}

/** Hashes a file's bytes into `attrs.digest` and hands them on to the inspector's sink, if any. */
export class DigestingSink implements Sink {
  private hash: ReturnType<typeof createHash> | undefined;

  constructor(
    private readonly inner: Sink | undefined,
    private readonly attrs: EntryAttrs,
  ) {}

  whole(buf: Buffer, start: number, end: number): void {
    this.attrs.digest = hashWhole(buf.subarray(start, end));
    const inner = this.inner;
    if (!inner) return;
    if (inner.whole) inner.whole(buf, start, end);
    else inner.write(buf.subarray(start, end));
  }

  write(chunk: Buffer): void {
    (this.hash ??= createHash('sha256')).update(chunk);
    this.inner?.write(chunk);
  }

  end(later: { content?: unknown }): unknown {
    if (this.hash) this.attrs.digest = this.hash.digest('binary');
    else this.attrs.digest ??= EMPTY_DIGEST;
    return this.inner?.end(later);
  }
}
