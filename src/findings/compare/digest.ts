/**
 * Content digests for comparing images: the sha256 of every regular file, computed while the
 * layers stream (no second read), beside whatever the findings' inspector does with the file.
 *
 * Why sha256 of every file: two versions of a file with the same size, mode and owner can still
 * differ, and a comparison that cannot see that misses exactly the change an attacker would make.
 * A faster non-cryptographic hash would let whoever builds NEW craft a changed file that hashes
 * like OLD's (xxHash-style lanes are invertible); sha256 with the CPU's SHA extensions runs at
 * ~1.6 GB/s here, and layers both images hold are parsed (so hashed) once (engine/layer-share.ts).
 * Measured in bench/diff.ts and recorded in docs/performance.md.
 *
 * The digest is kept on the version's content: alone as a 32-character latin1 string (~48 bytes
 * a file) when the inspector kept nothing, else as the `digest` field of its result.
 */
import { createHash, hash as oneShot } from 'node:crypto';
import type { ContentInspector, ContentSink } from '../../engine/parse-layer.js';
import type { Version } from '../../engine/types.js';
import type { InspectedContent } from '../content.js';

// crypto.hash (Node ≥ 20.12) skips the Hash object for a file that lies in one chunk.
const hashWhole: (b: Buffer) => string =
  typeof oneShot === 'function'
    ? (b) => oneShot('sha256', b, 'binary')
    : (b) => createHash('sha256').update(b).digest('binary');

const EMPTY = hashWhole(Buffer.alloc(0));

/** `inner` (the findings' inspector, or none) with a sha256 of every regular file added. */
export function withContentDigests(inner?: ContentInspector): ContentInspector {
  const inspector: ContentInspector = (parts, attrs) => new DigestSink(inner?.(parts, attrs));
  if (inner?.flush) inspector.flush = () => inner.flush!();
  return inspector;
}

/**
 * One file's sink: hashes the bytes and hands them on. The inner sink may set its result later
 * (a batch run, see secrets/batch.ts): it is given a stand-in for the entry that merges the
 * digest into whatever it sets.
 */
class DigestSink implements ContentSink {
  private hash: ReturnType<typeof createHash> | undefined;
  private digest: string | undefined;

  constructor(private readonly inner: ContentSink | undefined) {}

  whole(buf: Buffer, start: number, end: number): void {
    this.digest = hashWhole(buf.subarray(start, end));
    if (!this.inner) return;
    if (this.inner.whole) this.inner.whole(buf, start, end);
    else this.inner.write(buf.subarray(start, end));
  }

  write(chunk: Buffer): void {
    (this.hash ??= createHash('sha256')).update(chunk);
    this.inner?.write(chunk);
  }

  end(later: { content?: unknown }): unknown {
    const digest = this.digest ?? (this.hash ? this.hash.digest('binary') : EMPTY);
    if (!this.inner) return digest;
    const standIn = new LaterWithDigest(later, digest);
    const result = this.inner.end(standIn);
    if (result !== undefined) return withDigest(result, digest);
    // (Set during end(): a batch that ran at once.)
    return standIn.value ?? digest;
  }
}

/** What the inner sink sets on "its" entry goes to the real one, with the digest added. */
class LaterWithDigest {
  value: unknown;

  constructor(
    private readonly entry: { content?: unknown },
    private readonly digest: string,
  ) {}

  get content(): unknown {
    return this.value;
  }

  set content(v: unknown) {
    this.value = withDigest(v, this.digest);
    this.entry.content = this.value;
  }
}

function withDigest(result: unknown, digest: string): unknown {
  if (result && typeof result === 'object') {
    (result as InspectedContent).digest = digest;
    return result;
  }
  return digest;
}

/**
 * The sha256 of a file version's content as kept (32 bytes as a latin1 ('binary') string: compare these),
 * when it was computed while the layers streamed; undefined otherwise.
 */
export function digestOf(v: Version | undefined): string | undefined {
  if (!v || v.change === 'removed' || v.type !== 'file') return undefined;
  const c = v.content;
  return typeof c === 'string' ? c : c && typeof c === 'object' ? (c as InspectedContent).digest : undefined;
}

/** A kept digest as reports show it: `sha256:` and hex. */
export function digestHex(raw: string): string {
  return 'sha256:' + Buffer.from(raw, 'latin1').toString('hex');
}
