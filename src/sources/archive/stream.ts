/**
 * An image archive read in ONE pass (stdin, a compressed archive, the Docker daemon's export):
 * every member that looks like a layer (gzip/zstd magic or a tar header) is handed to the engine
 * as it arrives, without an index — the engine matches it by its computed diffID — and small
 * metadata members are kept in memory. `meta()` resolves at the end, once manifest and config
 * have been seen (they come last in every docker save shape). Nothing is buffered on disk.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDecoded, sniffCompression } from '../../engine/decode.js';
import { decodeAsGo } from '../../engine/go-json.js';
import { DOCKER_SAVE_MANIFEST, MANIFEST } from '../../engine/go-schemas.js';
import { limits } from '../../engine/limits.js';
import { TarReader } from '../../engine/tar-reader.js';
import type { ImageReader, LayerBlob, SourceProgress } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { verifyingStream } from '../oci-layout/digest.js';
import type { ReadOptions, ResolvedImage } from '../oci-layout/image.js';
import { PassStore } from './memory-store.js';
import { readImage } from './read-image.js';
import { memberType, looksLikeTarHeader, normalizeMember, type MemberType } from './tar-index.js';

export interface StreamOptions extends ReadOptions {
  /** For messages: `stdin`, `image.tar.gz`, `the Docker export`. */
  label: string;
  /** Counted into as the input is read (given by a source that owns one, e.g. the daemon's). */
  progress?: SourceProgress;
  /** Size of the input when known (a file): progress shows a percentage. */
  totalBytes?: number;
}

export interface StreamReader extends ImageReader {
  /** The image as the archive's own metadata describes it (resolves at the end, like meta()). */
  resolved(): Promise<ResolvedImage>;
}

/** One member of the archive as it streams by: a file with its data, or a link. */
interface Member {
  name: string;
  type: MemberType;
  size: number;
  linkname?: string;
  /** A regular file's data. */
  data?: PassThrough;
}

/** Members an image archive may hold (as for an indexed file). */
const MAX_MEMBERS = 1_000_000;

export function openArchiveStream(input: NodeJS.ReadableStream, opts: StreamOptions): StreamReader {
  const store = new PassStore(opts.label);
  let started = false;
  let resolveImage!: (r: ResolvedImage) => void;
  let rejectImage!: (e: unknown) => void;
  const imagePromise = new Promise<ResolvedImage>((res, rej) => {
    resolveImage = res;
    rejectImage = rej;
  });
  imagePromise.catch(() => {}); // Surfaced through meta()/blobs(); never an unhandled rejection.
  const metaPromise = imagePromise.then((r) => r.meta);
  metaPromise.catch(() => {});
  const src = input as Readable;
  // What the explorer shows while no layer is known yet: bytes read, and the image's name as
  // soon as a metadata member gives it (they come last in docker save archives).
  const progress: SourceProgress = opts.progress ?? { bytesRead: 0 };
  if (opts.totalBytes !== undefined) progress.totalBytes = opts.totalBytes;

  async function* pass(): AsyncGenerator<LayerBlob> {
    let sawAny = false;
    let kind = 'tar';
    let outer: MemberQueue | undefined;
    try {
      let decoded;
      // Counted from here on, in the same tick as openDecoded's first reader: no chunk is missed.
      src.on('data', (c: Buffer) => {
        progress.bytesRead += c.length;
        progress.phase = undefined;
      });
      try {
        decoded = await openDecoded(src);
      } catch (err) {
        throw new LayerlensError(`${opts.label}: ${(err as Error).message}`, 'IO');
      }
      kind = decoded.kind;
      const queue = new MemberQueue(decoded.out, kind, opts.label);
      outer = queue;
      const yielded = new Set<string>();
      // Metadata kept in memory: small members, up to a total (the rest of the archive is layers).
      let kept = 0;
      const maxKept = 4 * limits().maxJsonBytes;
      for (let m = await queue.next(); m; m = await queue.next()) {
        sawAny = true;
        if (store.members.size >= MAX_MEMBERS)
          throw new LayerlensError(
            `${opts.label} holds more than ${MAX_MEMBERS} members: not an image archive`,
            'TOO_LARGE',
          );
        if (m.type === 'symlink' || m.type === 'hardlink') {
          store.add(m.name, m.type, 0, m.linkname ?? '');
          continue;
        }
        if (!m.data) continue;
        store.add(m.name, 'file', m.size);
        const it = m.data[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        const head = await readHead(it, 512);
        if (isLayerHead(head, m.size)) {
          yielded.add(m.name);
          const nameDigest = digestFromBlobName(m.name);
          let stream: NodeJS.ReadableStream = Readable.from(rest(head, it), {
            objectMode: false,
            highWaterMark: 1 << 20,
          });
          // A compressed blob's stored digest is checked here; an uncompressed one's equals its diffID.
          if (nameDigest && sniffCompression(head) !== 'tar') {
            const check = verifyingStream(nameDigest, 'stored blob');
            stream.on('error', (err) => check.destroy(err));
            stream = (stream as Readable).pipe(check);
          }
          const finished = settled(stream as Readable);
          yield { stream, size: m.size, digest: nameDigest, name: m.name };
          // The next member only arrives once this one is drained (or given up).
          await finished;
          await drainIterator(it);
        } else if (m.size <= limits().maxJsonBytes && kept + m.size <= maxKept) {
          kept += m.size;
          const data = Buffer.concat([head, ...(await collect(it))]);
          store.data.set(m.name, data);
          progress.name ??= nameFromMetadata(m.name, data);
        } else {
          await drainIterator(it);
        }
      }
      if (!sawAny) throw new LayerlensError(`${opts.label} is an empty archive`, 'NOT_IMAGE');
      if (!queue.ended) {
        throw new LayerlensError(`${opts.label}: truncated tar archive (no end-of-archive marker)`, 'TRUNCATED');
      }
      const image = await readImage(store, opts);
      image.layerMembers.forEach((m, i) => {
        const real = store.resolve(m);
        if (real === undefined || !yielded.has(real)) {
          throw new LayerlensError(`${opts.label}: layer ${i} (${m}) is neither tar, gzip nor zstd data`, 'CORRUPT');
        }
      });
      resolveImage(image);
    } catch (err) {
      const e = archiveError(err, kind, opts.label, sawAny);
      rejectImage(e);
      throw e;
    } finally {
      outer?.destroy();
      src.destroy?.();
    }
  }

  const startPass = () => {
    started = true;
    return pass();
  };

  return {
    onePass: true,
    meta() {
      // A caller that only wants metadata still has to read the whole pass: drive it ourselves
      // unless blobs() is iterated right away (ImageModel calls meta() then blobs()).
      setImmediate(() => {
        if (!started) void drainAll(startPass());
      });
      return metaPromise;
    },
    resolved() {
      return imagePromise;
    },
    blobs() {
      if (started) {
        throw new LayerlensError(
          `${opts.label} is read in one pass and was already consumed (its metadata comes at the end: load it with ImageModel instead of awaiting meta() first)`,
          'ONE_PASS',
        );
      }
      return startPass();
    },
    close: async () => {
      src.destroy?.();
    },
    progress,
  };
}

/** The image's name in a docker save / OCI archive metadata member, if it is one that has it. */
function nameFromMetadata(member: string, data: Buffer): string | undefined {
  try {
    if (member === 'manifest.json') {
      const m = decodeAsGo(data.toString('utf8'), DOCKER_SAVE_MANIFEST, member) as Array<{ RepoTags?: unknown }>;
      const tag = Array.isArray(m) && Array.isArray(m[0]?.RepoTags) ? m[0].RepoTags[0] : undefined;
      return typeof tag === 'string' ? tag : undefined;
    }
    if (member === 'index.json') {
      const ix = decodeAsGo(data.toString('utf8'), MANIFEST, member) as {
        manifests?: Array<{ annotations?: Record<string, string> }>;
      };
      const a = ix.manifests?.[0]?.annotations;
      // (ref.name is often just a tag: only a whole reference names the image.)
      const ref = a?.['org.opencontainers.image.ref.name'];
      const n = a?.['io.containerd.image.name'] ?? (ref && /[/:]/.test(ref) ? ref : undefined);
      return typeof n === 'string' ? n : undefined;
    }
  } catch {
    /* a malformed member is reported by readImage */
  }
  return undefined;
}

/** A blob is a layer when it starts like one: gzip or zstd magic, or a tar header block. */
function isLayerHead(head: Buffer, size: number): boolean {
  if (sniffCompression(head) !== 'tar') return true;
  return size >= 1024 && looksLikeTarHeader(head);
}

function digestFromBlobName(name: string): string | undefined {
  const m = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(name);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

async function readHead(it: AsyncIterator<Buffer>, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value);
    len += r.value.length;
  }
  return Buffer.concat(chunks);
}

async function* rest(head: Buffer, it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

async function collect(it: AsyncIterator<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    out.push(r.value);
  }
}

async function drainIterator(it: AsyncIterator<Buffer>): Promise<void> {
  for (;;) if ((await it.next()).done) return;
}

/** Resolves when the stream ended, failed or was destroyed. */
function settled(s: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed || s.readableEnded) return resolve();
    s.once('end', resolve);
    s.once('close', resolve);
    s.once('error', () => resolve());
  });
}

/** Read every blob and throw it away (a meta()-only caller of a one-pass source). */
async function drainAll(blobs: AsyncGenerator<LayerBlob>): Promise<void> {
  try {
    for await (const b of blobs) (b.stream as Readable).resume();
  } catch {
    /* reported through meta() */
  }
}

/**
 * The archive's members in order, read by the engine's tar reader (the one header decoder every
 * tar in layerlens goes through). A regular file's data flows through its own stream; the archive
 * is read no faster than the member being written is read.
 */
class MemberQueue {
  private readonly items: Member[] = [];
  private waiting: ((m: Member | undefined) => void) | null = null;
  private failed: unknown;
  private done = false;
  private current: PassThrough | undefined;
  private readonly reader: TarReader;
  private readonly piping: Promise<void>;
  private readonly source: Readable;

  constructor(source: Readable, kind: string, label: string) {
    this.source = source;
    this.reader = new TarReader(
      (h) => {
        const type = memberType(h);
        const m: Member = { name: normalizeMember(h.name), type, size: type === 'file' ? h.size : 0 };
        if (type === 'symlink' || type === 'hardlink') m.linkname = h.linkname;
        if (type !== 'file') {
          this.push(m);
          return undefined;
        }
        const data = new PassThrough({ highWaterMark: 1 << 20 });
        // Its reader learns of a failure from its own reads; the event must not go unhandled.
        data.on('error', () => {});
        m.data = data;
        this.current = data;
        this.push(m);
        return { write: (c) => void (data.destroyed || data.write(c)) };
      },
      () => {
        this.current?.end();
        this.current = undefined;
      },
    );
    const sink = new Writable({
      highWaterMark: 1 << 20,
      write: (chunk: Buffer, _enc, cb) => {
        try {
          this.reader.write(chunk);
        } catch (err) {
          return cb(err as Error);
        }
        // Held back while the member being written has more than it can hold unread.
        const cur = this.current;
        if (cur && cur.writableNeedDrain && !cur.destroyed) {
          const go = () => {
            cur.off('drain', go);
            cur.off('close', go);
            cb();
          };
          cur.on('drain', go);
          cur.on('close', go);
        } else cb();
      },
      final: (cb) => {
        this.reader.endTo(cb);
      },
    });
    this.piping = pipeline(source, sink).then(
      () => this.finish(undefined),
      (err) => this.finish(tarError(err, kind, label, this.reader.entries > 0)),
    );
    this.piping.catch(() => {});
  }

  /** True when the archive ended with its end-of-archive blocks. */
  get ended(): boolean {
    return this.reader.ended;
  }

  /** The next member, or undefined at the end; rejects with the archive's error. */
  next(): Promise<Member | undefined> {
    const m = this.items.shift();
    if (m) return Promise.resolve(m);
    if (this.failed) return Promise.reject(this.failed);
    if (this.done) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiting = (item) => (this.failed && !item ? reject(this.failed) : resolve(item));
    });
  }

  destroy(): void {
    this.source.destroy();
    this.current?.destroy();
  }

  private push(m: Member): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) w(m);
    else this.items.push(m);
  }

  private finish(err: unknown): void {
    if (err) {
      this.failed = err;
      this.current?.destroy(err as Error);
    }
    this.done = true;
    const w = this.waiting;
    this.waiting = null;
    w?.(undefined);
  }
}

/** An error of the archive's own tar data (not of what its members hold), said of the archive. */
function tarError(err: unknown, kind: string, label: string, sawAny: boolean): LayerlensError {
  if (err instanceof LayerlensError) {
    if (err.code === 'NOT_TAR' && !sawAny)
      return new LayerlensError(
        `${label} is not an image archive (not a tar${kind === 'tar' ? ', gzip or zstd file' : ' inside the ' + kind + ' stream'})`,
        'NOT_IMAGE',
      );
    if (err.code === 'TRUNCATED')
      return new LayerlensError(
        `${label}: truncated ${kind === 'tar' ? 'tar archive' : kind + ' stream'}`,
        'TRUNCATED',
      );
    return new LayerlensError(`${label}: ${err.message}`, err.code);
  }
  return archiveError(err, kind, label, sawAny);
}

function archiveError(err: unknown, kind: string, label: string, sawAny: boolean): LayerlensError {
  if (err instanceof LayerlensError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/unexpected end|premature|truncated/i.test(msg))
    return new LayerlensError(`${label}: truncated ${kind === 'tar' ? 'tar archive' : kind + ' stream'}`, 'TRUNCATED');
  if (/Invalid tar header|unknown format|checksum/i.test(msg)) {
    if (sawAny) return new LayerlensError(`${label}: corrupt tar header inside the archive`, 'CORRUPT');
    return new LayerlensError(
      `${label} is not an image archive (not a tar${kind === 'tar' ? ', gzip or zstd file' : ' inside the ' + kind + ' stream'})`,
      'NOT_IMAGE',
    );
  }
  if (kind !== 'tar') return new LayerlensError(`${label}: corrupt ${kind} data (${msg})`, 'CORRUPT');
  return new LayerlensError(`${label}: ${msg}`, 'CORRUPT');
}
