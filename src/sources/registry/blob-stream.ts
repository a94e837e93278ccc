/**
 * A registry blob as a Readable that the engine parses while it downloads: hashed on the fly and
 * failed (instead of ended) when the digest or size is wrong; resumed after a cut or a stall with
 * a Range request (or, when the server ignores Range, by skipping what was already delivered).
 *
 * The body is read and hashed by the download worker (fetch-worker.ts) and arrives here in ~1 MiB
 * batches whose memory is moved, not copied; without a worker it is read and hashed here. When
 * the worker stops mid-blob, the blob starts over on this thread: the bytes already delivered are
 * fetched again and hashed, not delivered twice.
 *
 * Errors are held back until the consumer reads, so a stream prefetched ahead of its turn never
 * raises an 'error' nobody listens to.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { LayerlensError } from '../../errors/index.js';
import type { RegistryClient } from './client.js';
import { offThreadAvailable, remoteHash, type RemoteHash } from './fetch-worker.js';
import { digestAlgorithm } from './manifest.js';
import { backoffDelay, DEFAULT_RETRY, isRetryableError, sleep, type RetryPolicy } from './retry.js';
import { readPrefix, type HttpResponse } from './send.js';
import { networkReason, TransportError } from './exchange-errors.js';
import { ERROR_BODY_LIMIT, STALL_MIN_BYTES } from './limits.js';

export interface BlobStreamOptions {
  client: RegistryClient;
  repository: string;
  digest: string;
  /** Expected size from the manifest (-1 or undefined: unknown). */
  size?: number;
  /** For messages: "layer 3". */
  label: string;
  retry?: RetryPolicy;
  /** Buffered bytes before the download pauses (prefetch depth). */
  highWaterMark?: number;
  /** Download and hash on the worker thread (default true; see fetch-worker.ts). */
  offThread?: boolean;
}

export class VerifiedBlobStream extends Readable {
  readonly digest: string;
  /** Exactly one of these: the digest computed by the download worker, or here. */
  private remote?: RemoteHash;
  private local?: Hash;
  /** Bytes delivered to the consumer. */
  private received = 0;
  /** After a fall-back from the worker: bytes to fetch again and hash here without delivering. */
  private rehash = 0;
  private res?: HttpResponse;
  private failure?: Error;
  private started = false;
  private finishedOk = false;
  private resumes = 0;
  /** Bumped per HTTP response so late events of an abandoned response are ignored. */
  private generation = 0;
  /** Range requests answered with 206 (for tests and notes). */
  rangeResumes = 0;
  /** The download moved from the worker to this thread (for tests). */
  fellBack = false;

  constructor(private readonly o: BlobStreamOptions) {
    super({ highWaterMark: o.highWaterMark ?? 4 << 20 });
    this.digest = o.digest;
    if ((o.offThread ?? true) && offThreadAvailable()) this.remote = remoteHash(digestAlgorithm(o.digest));
    else this.local = createHash(digestAlgorithm(o.digest));
  }

  /** Errors name the blob; whoever reads the stream names the layer (the engine: "layer 3: …"). */
  private get what(): string {
    return `blob ${this.o.digest}`;
  }

  /** Start the download now (prefetch) instead of on first read. */
  start(): this {
    if (!this.started) {
      this.started = true;
      void this.fetch();
    }
    return this;
  }

  override _read(): void {
    // (Node also calls _read to fill the buffer of a stream nobody reads yet: not a consumer.)
    if (this.failure) {
      if (this.consumed()) this.destroy(this.failure);
      return;
    }
    if (!this.started) this.start();
    else this.res?.resume();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.res?.destroy();
    if (!this.finishedOk) this.remote?.drop();
    cb(err);
  }

  private fail(err: Error): void {
    if (this.destroyed || this.failure) return;
    this.failure = err;
    this.res?.destroy();
    // Surface now if someone is reading; otherwise once they start (a prefetched blob may fail
    // before the engine gets to it; an 'error' then would reach nobody and the read would hang).
    if (this.consumed()) this.destroy(err);
    else this.once('resume', () => this.destroy(err));
  }

  /** Someone reads this stream (data listener, pipe, or paused-mode 'readable'). */
  private consumed(): boolean {
    return this.readableFlowing === true || this.listenerCount('data') > 0 || this.listenerCount('readable') > 0;
  }

  private get expected(): number | undefined {
    return this.o.size !== undefined && this.o.size >= 0 ? this.o.size : undefined;
  }

  /** Continue on this thread: the worker's hash is gone, so everything delivered is hashed again. */
  private fallBack(): void {
    this.remote = undefined;
    this.local = createHash(digestAlgorithm(this.o.digest));
    this.rehash = this.received;
    this.fellBack = true;
  }

  private async fetch(): Promise<void> {
    const { client, repository, digest } = this.o;
    const offset = this.rehash > 0 ? 0 : this.received;
    const req = {
      path: `/v2/${repository}/blobs/${digest}`,
      scopes: [`repository:${repository}:pull`],
      headers: offset > 0 ? { range: `bytes=${offset}-` } : ({} as Record<string, string>),
      what: this.what,
    };
    let res: HttpResponse;
    try {
      res = this.remote ? await client.streamOffThread(req, { hash: this.remote, offset }) : await client.stream(req);
    } catch (err) {
      if (this.destroyed) return;
      if ((err as NodeJS.ErrnoException).code === 'EWORKER' && this.remote) {
        this.fallBack();
        return void this.fetch();
      }
      return this.fail(err instanceof LayerlensError ? err : client.describeFailure(err, this.what));
    }
    if (this.destroyed) return void res.destroy();
    const status = res.statusCode ?? 0;
    // Bytes of this response not to deliver: already delivered (a server that ignored Range,
    // when reading here; the worker skips them itself), or to hash again after a fall-back.
    let skip = 0;
    let hashSkipped = false;
    if (offset > 0 && status === 206) {
      const start = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
      if (start === undefined || Number(start) !== offset) {
        res.destroy();
        return this.fail(
          new LayerlensError(`${this.what}: the registry resumed the download at the wrong offset`, 'NETWORK'),
        );
      }
      this.rangeResumes++;
    } else if (status === 200) {
      if (this.rehash > 0) {
        skip = this.rehash;
        hashSkipped = true;
      } else if (!this.remote) skip = offset;
    } else {
      const body = await readPrefix(res, ERROR_BODY_LIMIT);
      return this.fail(client.statusError(status, this.what, body));
    }
    this.res = res;
    const gen = ++this.generation;
    const stale = () => gen !== this.generation || this.destroyed || !!this.failure;
    let delivered = 0;
    res.on('data', (chunk: Buffer) => {
      if (stale()) return;
      let c = chunk;
      if (skip > 0) {
        const n = Math.min(skip, c.length);
        if (hashSkipped) {
          this.local!.update(c.subarray(0, n));
          this.rehash -= n;
        }
        skip -= n;
        if (n === c.length) return;
        c = c.subarray(n);
      }
      this.received += c.length;
      delivered += c.length;
      const max = this.expected;
      if (max !== undefined && this.received > max) {
        return this.fail(
          new LayerlensError(
            `${this.what}: the registry sent more than the ${max} bytes the manifest lists (corrupted or tampered)`,
            'DIGEST_MISMATCH',
          ),
        );
      }
      this.local?.update(c);
      if (!this.push(c)) res.pause();
    });
    res.on('end', () => {
      if (stale()) return;
      if (!res.complete)
        return this.retryOrFail(new Error('the connection closed before the end of the blob'), delivered);
      const max = this.expected;
      if (max !== undefined && this.received < max)
        return this.retryOrFail(new Error(`the blob ended after ${this.received} of ${max} bytes`), delivered);
      this.finish();
    });
    res.on('error', (err) => {
      if (stale()) return;
      if ((err as NodeJS.ErrnoException).code === 'EWORKER' && this.remote) {
        this.abandon();
        this.fallBack();
        return void this.fetch();
      }
      this.retryOrFail(err, delivered);
    });
  }

  /** Drop the current response; its late events are ignored. */
  private abandon(): void {
    const cur = this.res;
    this.res = undefined;
    this.generation++;
    cur?.destroy();
  }

  /** Resume after a cut or a stall, when the policy allows and the attempt made progress. */
  private retryOrFail(err: Error, delivered: number): void {
    if (this.finishedOk || this.destroyed || this.failure) return;
    const policy = this.o.retry ?? DEFAULT_RETRY;
    this.abandon();
    const stalled = err instanceof TransportError && err.timedOut;
    const retryable = isRetryableError(err) || /closed before|ended after/.test(err.message);
    // A stalled attempt that delivered next to nothing would stall again: stop there.
    const progress = !stalled || delivered >= STALL_MIN_BYTES;
    if (retryable && progress && this.resumes < policy.retries) {
      const delay = backoffDelay(policy, this.resumes++);
      this.o.client.opts.log?.(
        `${this.o.label} (${this.what}): ${networkReason(err)}; resuming at byte ${this.received} in ${Math.round(delay)} ms`,
      );
      void sleep(delay).then(() => {
        if (!this.destroyed && !this.failure) void this.fetch();
      });
      return;
    }
    if (stalled) return this.fail(this.o.client.describeFailure(err, this.what));
    this.fail(new LayerlensError(`${this.what}: download failed: ${networkReason(err)}`, 'NETWORK'));
  }

  private finish(): void {
    this.finishedOk = true;
    if (this.local) this.verify(this.local.digest('hex'));
    else
      void this.remote!.digest().then((hex) => {
        if (hex) return this.verify(hex);
        // The worker stopped before it answered: hash the blob here from the start.
        this.finishedOk = false;
        this.fallBack();
        void this.fetch();
      });
  }

  private verify(hex: string): void {
    if (this.destroyed) return;
    const actual = `${digestAlgorithm(this.o.digest)}:${hex}`;
    if (actual !== this.o.digest) {
      this.finishedOk = false;
      return this.fail(
        new LayerlensError(
          `blob digest mismatch: expected ${this.o.digest} but the registry sent data hashing to ${actual} (corrupted or tampered blob)`,
          'DIGEST_MISMATCH',
        ),
      );
    }
    this.push(null);
  }
}
