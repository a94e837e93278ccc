/**
 * Content digests: the sha256 of every regular file of a layer, kept on its attributes
 * (`EntryAttrs.digest`), when a load asks for them (image comparisons: two files of the same size,
 * mode and owner can still differ, and a comparison that cannot see that misses exactly the change
 * an attacker would make). A non-cryptographic hash would let whoever builds one image craft a
 * file that hashes like the other's; sha256 with the CPU's SHA extensions runs at ~1.6 GB/s.
 *
 * A compressed layer's bytes are hashed on the main thread while the layer streams (a sink beside
 * the content inspector's): they are not read again. An uncompressed layer that lies in a file the
 * source can read again (a `docker save` archive, an OCI layout: `LayerBlob.digestRanges`) is not
 * hashed while it streams: its files' places are kept (`DeferredDigests`), and a comparison asks
 * for the digests it reads (findings/compare/settle-digests.ts), hashed from the file by the source (the
 * hash worker) while the main thread runs the checks. A comparison reads few of them: none in the
 * layers both images hold unless a path differs, only the files that differ or that it must look
 * into. Hashing every file while the layers streamed, and hashing them on the worker during the
 * parse, were both measured (docs/performance.md).
 */
import { createHash, hash as oneShot } from 'node:crypto';
import type { EntryAttrs, Version } from './types.js';

/**
 * The sha256 of bytes held whole, as a Buffer or as 32 latin1 characters: crypto.hash
 * (Node ≥ 20.12) skips the Hash object a file in one chunk would otherwise cost.
 */
export function sha256Once(b: Buffer, as: 'buffer'): Buffer;
export function sha256Once(b: Buffer, as: 'binary'): string;
export function sha256Once(b: Buffer, as: 'buffer' | 'binary'): Buffer | string {
  if (typeof oneShot === 'function') return oneShot('sha256', b, as) as Buffer | string;
  const d = createHash('sha256').update(b);
  return as === 'buffer' ? d.digest() : d.digest('binary');
}

const hashWhole = (b: Buffer): string => sha256Once(b, 'binary');

/** Zeros to hash a sparse file's holes with (never written to). */
const ZEROS = Buffer.alloc(1 << 20);

/** The digest of no bytes (empty files), as kept: 32 bytes as a latin1 string. */
export const EMPTY_DIGEST = hashWhole(Buffer.alloc(0));

/** The shape of a content sink (parse-layer.ts's ContentSink), restated to keep the import one way. */
interface Sink {
  write(chunk: Buffer): void;
  whole?(buf: Buffer, start: number, end: number): void;
  hole?(n: number): void;
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

  /** A sparse file's hole: hashed as the zeros it unpacks to; the inner sink may take it as a hole. */
  hole(n: number): void {
    const hash = (this.hash ??= createHash('sha256'));
    for (let left = n; left > 0; left -= ZEROS.length) hash.update(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
    const inner = this.inner;
    if (inner?.hole) inner.hole(n);
    else if (inner)
      for (let left = n; left > 0; left -= ZEROS.length) inner.write(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
  }

  end(later: { content?: unknown }): unknown {
    if (this.hash) this.attrs.digest = this.hash.digest('binary');
    else this.attrs.digest ??= EMPTY_DIGEST;
    return this.inner?.end(later);
  }
}

/** The sha256 of each (start, length) range of a layer's raw blob: 32 bytes per range, in order. */
export type RangeDigests = (ranges: readonly number[]) => Promise<Buffer>;

/**
 * The files of an uncompressed layer whose digests were not taken while it streamed: where each
 * one's bytes lie in the blob (by tar entry ordinal, as `Version.entry`), and the source's way to
 * hash ranges of it. One per parse: images sharing the layer share it, and a range is hashed once.
 */
export class DeferredDigests {
  // By entry ordinal (regular files with data only: the others are holes).
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly known = new Map<number, Promise<string>>();

  constructor(private readonly digestRanges: RangeDigests) {}

  /** Entry `ordinal`'s data: `length` bytes at `start` of the blob. */
  add(ordinal: number, start: number, length: number): void {
    this.starts[ordinal] = start;
    this.lengths[ordinal] = length;
  }

  /** Whether this layer's entry `ordinal` has its digest here. */
  holds(ordinal: number): boolean {
    return this.starts[ordinal] !== undefined;
  }

  /** Sets `digest` on each version (entries of this layer), hashing each range not asked for before. */
  async fill(versions: readonly Version[]): Promise<void> {
    const ranges: number[] = [];
    const asked: number[] = [];
    const seen = new Set<number>();
    for (const v of versions) {
      const o = v.entry;
      if (seen.has(o) || this.known.has(o) || !this.holds(o)) continue;
      seen.add(o);
      asked.push(o);
      ranges.push(this.starts[o], this.lengths[o]);
    }
    if (asked.length) {
      const all = this.digestRanges(ranges);
      asked.forEach((o, i) =>
        this.known.set(
          o,
          all.then((b) => b.toString('latin1', i * 32, i * 32 + 32)),
        ),
      );
    }
    await Promise.all(
      versions.map(async (v) => {
        const d = this.known.get(v.entry);
        if (d) v.digest = await d;
      }),
    );
  }
}

/** The layers of an image whose digests wait (ImageModel implements it). */
export interface DeferredDigestSource {
  deferredDigests(layer: number): DeferredDigests | undefined;
}

/**
 * Sets `digest` on every one of `versions` (regular files of `image`'s tree) that has none yet
 * and whose layer kept its files' places: hashed from the source, each range once. Rejects with
 * the source's one-line error when the file cannot be read again.
 */
export async function fillDigests(image: DeferredDigestSource, versions: Iterable<Version>): Promise<void> {
  const byLayer = new Map<number, Version[]>();
  for (const v of versions) {
    if (v.digest !== undefined || v.type !== 'file' || v.change === 'removed') continue;
    const list = byLayer.get(v.layer);
    if (list) list.push(v);
    else byLayer.set(v.layer, [v]);
  }
  const work: Array<Promise<void>> = [];
  for (const [layer, list] of byLayer) {
    const d = image.deferredDigests(layer);
    if (d) work.push(d.fill(list));
  }
  await Promise.all(work);
}
