/**
 * Digests: strict validation (a digest becomes a file path under blobs/, so nothing but
 * `alg:hex` may pass), hashing, and a pass-through stream that verifies a blob while it flows.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type StreamHash, streamHash, streamHashLoaded } from '../../engine/stream-hash.js';
import { LayerlensError } from '../../errors/index.js';

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** `sha256:<64 hex>` (or sha384/sha512) → [alg, hex]; anything else is a schema error. */
export function parseDigest(digest: unknown, where: string): [string, string] {
  if (typeof digest !== 'string') throw new LayerlensError(`${where}: missing digest`, 'BAD_SCHEMA');
  const m = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest);
  if (!m || HEX_LENGTH[m[1]] !== m[2].length) {
    throw new LayerlensError(
      `${where}: invalid or unsupported digest ${JSON.stringify(digest.slice(0, 80))}`,
      'BAD_SCHEMA',
    );
  }
  return [m[1], m[2]];
}

/** Path of a blob inside an OCI layout: blobs/<alg>/<hex>. */
export function blobPath(digest: string, where = 'descriptor'): string {
  const [alg, hex] = parseDigest(digest, where);
  return `blobs/${alg}/${hex}`;
}

export function digestOf(data: Buffer, alg = 'sha256'): string {
  return `${alg}:${createHash(alg).update(data).digest('hex')}`;
}

/** Throws DIGEST_MISMATCH unless `data` hashes to `digest`. */
export function verifyBuffer(data: Buffer, digest: string, what: string): void {
  const [alg] = parseDigest(digest, what);
  const got = digestOf(data, alg);
  if (got !== digest) {
    throw new LayerlensError(
      `${what}: content does not match its digest ${shortDigest(digest)} (got ${shortDigest(got)}): corrupted or tampered`,
      'DIGEST_MISMATCH',
    );
  }
}

/**
 * Passes bytes through and fails at the end when they do not hash to `digest`. A sha256 is taken
 * on the hashing thread when it runs (engine/stream-hash.ts, beside the layer's diffID): the
 * main thread, which parses the same layer, is the load's bottleneck. The stream waits while the
 * thread is behind.
 *
 * The hash is made at the first chunk, once the thread has loaded (streamHashLoaded, as a layer's
 * parse does for its diffID), not when the stream is made: the first layers of a load start
 * before the thread has loaded, and a hash made then ran here for the whole blob (the ML image's
 * first two blobs: 1.1 GB, 0.86 s of the main thread).
 */
export function verifyingStream(digest: string, what: string): Transform {
  const [alg] = parseDigest(digest, what);
  const mismatch = (got: string) =>
    new LayerlensError(
      `${what} does not match its digest ${shortDigest(digest)} (got ${shortDigest(got)}): corrupted or tampered`,
      'DIGEST_MISMATCH',
    );
  // (The thread hashes sha256 only: nothing to wait for otherwise.)
  const loaded = () => (alg === 'sha256' ? streamHashLoaded() : Promise.resolve());
  let hash: StreamHash | undefined;
  let ended = false;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      const feed = (h: StreamHash) => {
        h.update(chunk);
        this.push(chunk);
        h.whenDrained(() => cb());
      };
      if (hash) return feed(hash);
      loaded()
        .then(() => {
          if (this.destroyed) return cb();
          hash = streamHash(alg);
          feed(hash);
        })
        // (A failure there fails the stream with its error, never the process.)
        .catch((err: Error) => cb(err));
    },
    flush(cb: TransformCallback) {
      ended = true;
      // (An empty blob: no chunk made the hash.)
      hash ??= streamHash(alg);
      hash.digest().then(
        (hex) => {
          const got = `${alg}:${hex}`;
          cb(got === digest ? undefined : mismatch(got));
        },
        (err: Error) => cb(err),
      );
    },
    destroy(err, cb) {
      if (!ended) hash?.abort();
      cb(err);
    },
  });
}

export function shortDigest(digest: string): string {
  const m = /^([a-z0-9]+:)?([0-9a-f]{12})[0-9a-f]*$/.exec(digest);
  return m ? `${m[1] ?? ''}${m[2]}` : digest;
}
