/**
 * An image archive read in ONE pass (stdin, a compressed archive, the Docker daemon's export):
 * every member that looks like a layer (gzip/zstd magic or a tar header) is handed to the engine
 * as it arrives, without an index — the engine matches it by its computed diffID — and small
 * metadata members are kept in memory. `meta()` resolves at the end, once manifest and config
 * have been seen (they come last in every docker save shape). Nothing is buffered on disk.
 */
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { openDecoded, sniffCompression } from '../../engine/decode.js';
import type { ImageReader, LayerBlob, SourceProgress } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { verifyingStream } from '../oci-layout/digest.js';
import type { ReadOptions, ResolvedImage } from '../oci-layout/image.js';
import { MAX_JSON_BYTES } from '../oci-layout/store.js';
import { PassStore } from './memory-store.js';
import { readImage } from './read-image.js';
import { looksLikeTarHeader, normalizeMember, type MemberType } from './tar-index.js';

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

type StreamxReadable = AsyncIterable<Buffer> & {
  header: { name: string; type?: string; size?: number; linkname?: string | null; pax?: Record<string, string> | null };
};

const LINK_TYPES: Record<string, MemberType> = { symlink: 'symlink', link: 'hardlink' };

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
    let extract: ReturnType<typeof tar.extract> | undefined;
    let sawAny = false;
    let kind = 'tar';
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
      extract = tar.extract();
      const ex = extract;
      decoded.out.on('error', (err) => ex.destroy(archiveError(err, kind, opts.label, sawAny)));
      // The last 1 KiB tells whether the tar ended with its end-of-archive blocks: a stream cut
      // at a member boundary is otherwise indistinguishable from a complete one.
      let tail: Buffer = Buffer.alloc(0);
      decoded.out.on('data', (c: Buffer) => {
        tail = c.length >= 1024 ? c.subarray(c.length - 1024) : Buffer.concat([tail, c]).subarray(-1024);
      });
      decoded.out.pipe(ex);
      const yielded = new Set<string>();
      for await (const entry of ex as unknown as AsyncIterable<StreamxReadable>) {
        sawAny = true;
        const h = entry.header;
        const name = normalizeMember(h.pax?.path ?? h.name);
        const type = h.type ?? 'file';
        if (LINK_TYPES[type]) {
          store.add(name, LINK_TYPES[type], 0, h.pax?.linkpath ?? h.linkname ?? '');
          await drain(entry);
          continue;
        }
        if (type !== 'file' && type !== 'contiguous-file') {
          await drain(entry);
          continue;
        }
        const size = h.size ?? 0;
        store.add(name, 'file', size);
        const it = entry[Symbol.asyncIterator]();
        const head = await readHead(it, 512);
        if (isLayerHead(head, size)) {
          yielded.add(name);
          const nameDigest = digestFromBlobName(name);
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
          yield { stream, size, digest: nameDigest };
          // The next member only arrives once this one is drained (or given up).
          await finished;
          await drainIterator(it);
        } else if (size <= MAX_JSON_BYTES) {
          const data = Buffer.concat([head, ...(await collect(it))]);
          store.data.set(name, data);
          progress.name ??= nameFromMetadata(name, data);
        } else {
          await drainIterator(it);
        }
      }
      if (!sawAny) throw new LayerlensError(`${opts.label} is an empty archive`, 'NOT_IMAGE');
      if (tail.length < 1024 || !tail.every((b) => b === 0)) {
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
      extract?.destroy();
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
      const m = JSON.parse(data.toString('utf8')) as Array<{ RepoTags?: unknown }>;
      const tag = Array.isArray(m) && Array.isArray(m[0]?.RepoTags) ? m[0].RepoTags[0] : undefined;
      return typeof tag === 'string' ? tag : undefined;
    }
    if (member === 'index.json') {
      const ix = JSON.parse(data.toString('utf8')) as { manifests?: Array<{ annotations?: Record<string, string> }> };
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

async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of entry) {
    /* no data wanted */
  }
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
