/**
 * One layer blob → the list of its entries (decoded, diffID computed), without touching the tree.
 * The tree is only changed once the layer is complete and its diffID verified, so a corrupt or
 * tampered layer never shows up as if it were fine.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestingSink } from './content-digest.js';
import { describeDecodeError, openDecoded } from './decode.js';
import { TarReader, type TarHeader } from './tar-reader.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, splitPath } from './paths.js';
import type { Compression, EntryAttrs } from './types.js';
import { LayerlensError } from '../errors/index.js';

export type LayerEntry =
  | { kind: 'entry'; parts: string[]; attrs: EntryAttrs; content?: unknown }
  | { kind: 'whiteout'; parts: string[] }
  | { kind: 'opaque'; parts: string[] };

export interface ParsedLayer {
  compression: Compression;
  /** sha256:… of the uncompressed tar stream. */
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
  /** Raw (stored) bytes read. */
  compressedSize: number;
  entries: LayerEntry[];
}

/**
 * Receives a file's bytes while the layer streams; its `end()` result is kept on the version.
 * Chunks are slices of the decoder's buffers: copy what you keep.
 */
export interface ContentSink {
  write(chunk: Buffer): void;
  /** Optional: the file's whole content when it lies in one chunk, as `buf[start, end)` (see EntrySink). */
  whole?(buf: Buffer, start: number, end: number): void;
  /**
   * The file is complete. Returns the result to keep (or undefined); a sink that works in
   * batches may instead set `later.content` until its inspector's `flush()` returns.
   */
  end(later: { content?: unknown }): unknown;
}

/**
 * Called for each regular file with its path as components (`['etc', 'passwd']`: most files need
 * no joined path, and joining 500k of them showed in profiles); returns a sink to see its content
 * (e.g. secret scanning). `flush()`, when there is one, is called once a layer's stream has
 * ended, before the layer is applied: every result still owed is delivered then.
 */
export interface ContentInspector {
  (parts: readonly string[], attrs: EntryAttrs): ContentSink | undefined;
  flush?(): void;
}

export interface ParseOptions {
  inspectContent?: ContentInspector;
  /** Raw bytes read so far (for progress bars). */
  onProgress?: (rawBytes: number) => void;
  /**
   * The raw blob's sha256, computed elsewhere (LayerBlob.rawDigest): the diffID of an
   * uncompressed tar, which is then not hashed here. Awaited in every case, so its rejection
   * (the file could not be read, or ended early) fails the layer.
   */
  rawDigest?: Promise<string>;
  /** Keep the sha256 of every regular file on its attributes (content-digest.ts). */
  contentDigests?: boolean;
}

// eStargz keeps its TOC and prefetch landmarks as regular tar members at the root; they are not
// part of the image's filesystem.
/** Decompressed bytes allowed to wait for parsing before the decoder is held back. */
const QUEUE_LIMIT = 8 << 20;

const ESTARGZ_HIDDEN = new Set(['stargz.index.json', '.prefetch.landmark', '.no.prefetch.landmark']);

/** Parse one raw layer blob (tar, gzip or zstd). Rejects with a LayerlensError on bad data. */
export async function parseLayer(raw: NodeJS.ReadableStream, opts: ParseOptions = {}): Promise<ParsedLayer> {
  // (Handled now: the parse may fail first, and the rejection must not go unhandled meanwhile.)
  opts.rawDigest?.catch(() => {});
  let compressedSize = 0;
  const rawStream = raw as NodeJS.ReadableStream & { on: (ev: string, fn: (c: Buffer) => void) => void };
  rawStream.on('data', (c: Buffer) => {
    compressedSize += c.length;
    opts.onProgress?.(compressedSize);
  });
  let decoded;
  try {
    decoded = await openDecoded(raw);
  } catch (err) {
    throw asLayerError(err, 'tar');
  }
  const { kind, out, decoder } = decoded;
  // An uncompressed tar's diffID is the raw blob's digest: hashed elsewhere when it is given.
  const hashHere = !(opts.rawDigest && kind === 'tar');

  let decodeError: unknown;
  decoder.on('error', (err) => {
    decodeError ??= err;
  });
  const hash = createHash('sha256');
  let size = 0;
  const entries: LayerEntry[] = [];
  // The entry whose content is streaming to a sink (two variables, not an object per file).
  let currentEntry: (LayerEntry & { kind: 'entry' }) | null = null;
  let currentSink: ContentSink | undefined;

  const reader = new TarReader(
    (header) => {
      // PAX values are Unicode already; ustar/GNU names are latin1 bytes to decode.
      const name = header.nameIsUnicode ? header.name : decodeName(header.name);
      const parts = splitPath(name);
      const base = parts[parts.length - 1] ?? '';
      const type = TYPE_MAP[header.typeflag] ?? 'other';
      if (type !== 'dir' && base.startsWith(WHITEOUT_PREFIX)) {
        if (base === OPAQUE_MARKER) entries.push({ kind: 'opaque', parts: parts.slice(0, -1) });
        else if (!base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
          // (other .wh..wh.* names are AUFS metadata: skipped)
          parts[parts.length - 1] = base.slice(WHITEOUT_PREFIX.length);
          entries.push({ kind: 'whiteout', parts });
        }
        return undefined;
      }
      if (kind === 'gzip' && parts.length === 1 && ESTARGZ_HIDDEN.has(base)) return undefined;
      const attrs = headerAttrs(header, type);
      const entry: LayerEntry & { kind: 'entry' } = { kind: 'entry', parts, attrs };
      entries.push(entry);
      let sink = type === 'file' && opts.inspectContent ? opts.inspectContent(parts, attrs) : undefined;
      if (type === 'file' && opts.contentDigests) sink = new DigestingSink(sink, attrs);
      currentEntry = sink ? entry : null;
      currentSink = sink;
      return sink;
    },
    () => {
      if (currentSink) {
        const entry = currentEntry!;
        const result = currentSink.end(entry);
        if (result !== undefined) entry.content = result;
        currentEntry = null;
        currentSink = undefined;
      }
    },
  );

  // Hash and parse each decompressed chunk in one pass, but not inside the decoder's callback:
  // zlib schedules its next inflate only after its push() returns, so doing the work there would
  // make decompression (thread pool) and parsing (main thread) take turns instead of overlapping.
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let scheduled = false;
  let failure: Error | null = null;
  let resume: (() => void) | null = null;
  const work = () => {
    scheduled = false;
    try {
      for (let c = queue.shift(); c; c = queue.shift()) {
        queuedBytes -= c.length;
        if (failure) continue;
        if (hashHere) hash.update(c);
        size += c.length;
        reader.write(c);
      }
    } catch (err) {
      failure = err as Error;
    }
    const r = resume;
    resume = null;
    r?.();
  };
  const consumer = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      if (failure) return cb(failure);
      queue.push(chunk);
      queuedBytes += chunk.length;
      if (!scheduled) {
        scheduled = true;
        setImmediate(work);
      }
      if (queuedBytes > QUEUE_LIMIT) resume = () => cb(failure ?? undefined);
      else cb();
    },
    final(cb) {
      work();
      if (failure) return cb(failure);
      try {
        reader.end();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });

  try {
    await pipeline(out, consumer);
  } catch (err) {
    throw asLayerError(decodeError ?? err, decodeError ? kind : 'tar');
  }
  opts.inspectContent?.flush?.();
  const rawHex = await opts.rawDigest;
  return {
    compression: kind,
    diffId: hashHere ? 'sha256:' + hash.digest('hex') : rawHex!,
    size,
    compressedSize,
    entries,
  };
}

function asLayerError(err: unknown, kind: Compression): LayerlensError {
  if (err instanceof LayerlensError) return err;
  // The blob's file could not be read (removed or made unreadable since the image was opened).
  const sys = err as NodeJS.ErrnoException;
  if (sys && typeof sys.syscall === 'string' && typeof sys.code === 'string') {
    const why =
      sys.code === 'ENOENT'
        ? 'no such file or directory'
        : sys.code === 'EACCES' || sys.code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${sys.code})`;
    return new LayerlensError(`${sys.path ?? 'the layer'}: ${why}`, 'IO');
  }
  const msg = err instanceof Error ? err.message : String(err);
  const truncated = /unexpected end|premature|truncated/i.test(msg);
  if (kind !== 'tar')
    return truncated ? new LayerlensError(`truncated ${kind} stream`, 'TRUNCATED') : describeDecodeError(kind, err);
  if (truncated) return new LayerlensError('truncated tar archive', 'TRUNCATED');
  return new LayerlensError(`not a valid tar archive (${msg.replace(/\. Maybe the tar.*$/, '')})`, 'NOT_TAR');
}

const TYPE_MAP: Record<string, EntryAttrs['type']> = {
  '0': 'file',
  '7': 'file',
  S: 'file',
  '5': 'dir',
  D: 'dir',
  '2': 'symlink',
  '1': 'hardlink',
};

const SPECIAL_MAP: Record<string, EntryAttrs['special']> = {
  '3': 'char-device',
  '4': 'block-device',
  '6': 'fifo',
};

function headerAttrs(h: TarHeader, type: EntryAttrs['type']): EntryAttrs {
  const attrs: EntryAttrs = {
    type,
    size: type === 'file' ? h.size : 0,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    mtime: h.mtime,
  };
  if (h.pax) {
    for (const key in h.pax) {
      if (key.startsWith('SCHILY.xattr.')) (attrs.xattrs ??= {})[key.slice(13)] = h.pax[key];
    }
  }
  if (type === 'symlink') attrs.linkTarget = h.linkIsUnicode ? h.linkname : decodeName(h.linkname);
  else if (type === 'hardlink')
    attrs.linkTarget = '/' + splitPath(h.linkIsUnicode ? h.linkname : decodeName(h.linkname)).join('/');
  else if (type === 'other') {
    attrs.special = SPECIAL_MAP[h.typeflag] ?? 'unknown';
    attrs.devMajor = h.devmajor;
    attrs.devMinor = h.devminor;
  }
  return attrs;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Header names are read as latin1 (one char per byte) so no byte is lost; valid UTF-8 is then
 * decoded, and invalid UTF-8 keeps each non-ASCII byte as `\xNN` so distinct names stay distinct.
 */
export function decodeName(latin1: string): string {
  let ascii = true;
  for (let i = 0; i < latin1.length; i++) {
    if (latin1.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    let out = '';
    for (const b of bytes) out += b > 0x7f ? '\\x' + b.toString(16).padStart(2, '0') : String.fromCharCode(b);
    return out;
  }
}
