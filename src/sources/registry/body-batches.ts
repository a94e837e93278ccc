/**
 * A blob body on its way from the download worker to the main thread: the bytes a resume must
 * not deliver twice are skipped (a 200 to a Range request), the rest hashed once and copied into
 * ~1 MiB batches whose memory is moved (transferred), not copied, to the main thread. Batches
 * the engine is done with come back (a compressed layer's, once inflated) and are written again.
 *
 * Chunks are copied as they arrive because the raw reader's are views of a read buffer that the
 * next read overwrites (node:http's were copied into one batch later anyway).
 */
import type { Hash } from 'node:crypto';
import { BufferPool } from '../buffer-pool.js';

export const BATCH = 1 << 20;
/**
 * Batches given back kept for reuse, at most. What a pull has in flight at once is made new
 * (before the engine has finished with any): per layer the worker's window (fetch-protocol.ts
 * IN_FLIGHT), the blob stream's read-ahead (reader.ts bufferBytes) and what the decoder holds,
 * ~6 batches since both are 2 MiB (~13 before), for each of the layers downloading at once (up to
 * 3). The batches given back arrive in bursts while the download waits: with 8 kept, a third fewer
 * were reused on the realistic image when ~26 were in flight.
 */
const SPARES = 32;

/** Batch memory the main thread gives back (fetch-worker.ts), shared by the worker's requests. */
export function sparePool(downloading: () => boolean): BufferPool {
  return new BufferPool(BATCH, SPARES, downloading);
}

/** A partial batch waits at most this long (a slow body still flows). */
const FLUSH_MS = 20;

export class BodyBatches {
  private batch?: Buffer;
  private fill = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    /** Bytes at the start not to deliver (already delivered by an earlier attempt). */
    private skip: number,
    private readonly hash: Hash | undefined,
    /** Takes ownership of `bytes` (its own memory, never the shared pool: it can be moved). */
    private readonly post: (bytes: Buffer) => void,
    /** Where batch memory comes from: batches given back, else new ones. */
    private readonly spares: BufferPool,
  ) {}

  write(chunk: Buffer): void {
    let c = chunk;
    if (this.skip > 0) {
      const n = Math.min(this.skip, c.length);
      this.skip -= n;
      if (n === c.length) return;
      c = c.subarray(n);
    }
    this.hash?.update(c);
    while (c.length > 0) {
      this.batch ??= this.spares.take();
      const n = c.copy(this.batch, this.fill);
      this.fill += n;
      c = c.subarray(n);
      if (this.fill === BATCH) this.flush();
    }
    if (this.fill > 0) this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Post what is batched now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const b = this.batch;
    if (!b || this.fill === 0) return;
    let bytes: Buffer;
    if (this.fill >= BATCH / 2) {
      // Moved whole: its memory goes with it (at most twice its bytes).
      bytes = b.subarray(0, this.fill);
      this.batch = undefined;
    } else {
      // A small flush of a slow body: its own small buffer, so the memory the main thread holds
      // stays close to the bytes it counts.
      bytes = Buffer.allocUnsafeSlow(this.fill);
      b.copy(bytes, 0, 0, this.fill);
    }
    this.fill = 0;
    this.post(bytes);
  }

  /** Forget what is batched (the request was aborted). */
  drop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.batch = undefined;
    this.fill = 0;
  }
}
