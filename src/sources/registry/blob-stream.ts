/**
 * A registry blob as a Readable that the engine parses while it downloads: hashed on the fly and
 * failed (instead of ended) when the digest or size is wrong; resumed with a Range request after
 * a reset (or by skipping what was already read when the server ignores Range).
 *
 * The body is read and hashed by the download worker (fetch-worker.ts) and arrives here in ~1 MiB
 * batches whose memory is moved, not copied; without a worker it is read and hashed here.
 *
 * Errors are held back until the consumer reads, so a stream prefetched ahead of its turn never
 * raises an 'error' nobody listens to.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { LayerlensError } from '../../errors/index.js';
import type { RegistryClient } from './client.js';
import { offThreadAvailable, remoteHash, type RemoteHash } from './fetch-worker.js';
import {
  backoffDelay,
  collectBody,
  isRetryableError,
  sleep,
  DEFAULT_RETRY,
  type HttpResponse,
  type RetryPolicy,
} from './http.js';
import { digestAlgorithm } from './manifest.js';

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
  private readonly remote?: RemoteHash;
  private readonly local?: Hash;
  private received = 0;
  private res?: HttpResponse;
  private failure?: Error;
  private started = false;
  private finishedOk = false;
  private resumes = 0;
  /** Bumped per HTTP response so late events of an abandoned response are ignored. */
  private generation = 0;
  /** Range requests answered with 206 (for tests and notes). */
  rangeResumes = 0;

  constructor(private readonly o: BlobStreamOptions) {
    super({ highWaterMark: o.highWaterMark ?? 4 << 20 });
    this.digest = o.digest;
    if ((o.offThread ?? true) && offThreadAvailable()) this.remote = remoteHash(digestAlgorithm(o.digest));
    else this.local = createHash(digestAlgorithm(o.digest));
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

  private async fetch(): Promise<void> {
    const { client, repository, digest, label } = this.o;
    const offset = this.received;
    let res: HttpResponse;
    const req = {
      path: `/v2/${repository}/blobs/${digest}`,
      scopes: [`repository:${repository}:pull`],
      headers: offset > 0 ? { range: `bytes=${offset}-` } : ({} as Record<string, string>),
    };
    try {
      res = this.remote ? await client.requestBlob(req, { hash: this.remote, offset }) : await client.request(req);
    } catch (err) {
      if (this.destroyed) return;
      return this.fail(
        err instanceof LayerlensError
          ? err
          : new LayerlensError(`${label} (${digest}): ${(err as Error).message}`, 'NETWORK'),
      );
    }
    if (this.destroyed) {
      res.destroy();
      return;
    }
    const status = res.statusCode ?? 0;
    let skip = 0;
    if (offset > 0 && status === 206) {
      const start = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
      if (start === undefined || Number(start) !== offset) {
        res.destroy();
        return this.fail(
          new LayerlensError(`${label}: the registry resumed the download at the wrong offset`, 'NETWORK'),
        );
      }
      this.rangeResumes++;
    } else if (status === 200) {
      // Range ignored (or first request): skip what we already have (the worker does that itself).
      skip = this.remote ? 0 : offset;
    } else {
      const body = await collectBody(res, 64 * 1024).catch(() => undefined);
      return this.fail(client.statusError(status, `${label} (blob ${digest})`, body));
    }
    this.res = res;
    const gen = ++this.generation;
    const stale = () => gen !== this.generation || this.destroyed || !!this.failure;
    res.on('data', (chunk: Buffer) => {
      if (stale()) return;
      if (skip > 0) {
        if (chunk.length <= skip) {
          skip -= chunk.length;
          return;
        }
        chunk = chunk.subarray(skip);
        skip = 0;
      }
      this.received += chunk.length;
      const max = this.expected;
      if (max !== undefined && this.received > max) {
        return this.fail(
          new LayerlensError(
            `${label} (blob ${digest}): the registry sent more than the ${max} bytes the manifest lists (corrupted or tampered)`,
            'DIGEST_MISMATCH',
          ),
        );
      }
      this.local?.update(chunk);
      if (!this.push(chunk)) res.pause();
    });
    res.on('end', () => {
      if (stale()) return;
      if (!res.complete) return this.retryOrFail(new Error('connection closed before the end of the blob'));
      const max = this.expected;
      if (max !== undefined && this.received < max)
        return this.retryOrFail(new Error(`blob ended after ${this.received} of ${max} bytes`));
      this.finish();
    });
    res.on('error', (err) => {
      if (stale()) return;
      this.retryOrFail(err);
    });
    res.on('aborted', () => {
      if (stale()) return;
      this.retryOrFail(Object.assign(new Error('connection aborted'), { code: 'ECONNRESET' }));
    });
  }

  private retryOrFail(err: Error): void {
    if (this.finishedOk || this.destroyed || this.failure) return;
    const policy = this.o.retry ?? DEFAULT_RETRY;
    const cur = this.res;
    this.res = undefined;
    this.generation++;
    cur?.destroy();
    const retryable = isRetryableError(err) || /closed before|ended after/.test(err.message);
    if (retryable && this.resumes < policy.retries) {
      const delay = backoffDelay(policy, this.resumes++);
      this.o.client.opts.log?.(
        `${this.o.label}: ${err.message}; resuming at byte ${this.received} in ${Math.round(delay)} ms`,
      );
      void sleep(delay).then(() => {
        if (!this.destroyed && !this.failure) void this.fetch();
      });
      return;
    }
    this.fail(
      new LayerlensError(`${this.o.label} (blob ${this.o.digest}): download failed: ${err.message}`, 'NETWORK'),
    );
  }

  private finish(): void {
    this.finishedOk = true;
    if (this.local) this.verify(this.local.digest('hex'));
    else void this.remote!.digest().then((hex) => this.verify(hex));
  }

  private verify(hex: string): void {
    if (this.destroyed) return;
    if (!hex) {
      this.finishedOk = false;
      return this.fail(
        new LayerlensError(
          `${this.o.label} (blob ${this.o.digest}): the download worker stopped before the digest was computed`,
          'NETWORK',
        ),
      );
    }
    const actual = `${digestAlgorithm(this.o.digest)}:${hex}`;
    if (actual !== this.o.digest) {
      this.finishedOk = false;
      return this.fail(
        new LayerlensError(
          `${this.o.label}: blob digest mismatch: expected ${this.o.digest} but the registry sent data hashing to ${actual} (corrupted or tampered blob)`,
          'DIGEST_MISMATCH',
        ),
      );
    }
    this.push(null);
  }
}
