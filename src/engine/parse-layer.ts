/**
 * One layer blob → the list of its entries (decoded, diffID computed), without touching the tree.
 * The tree is only changed once the layer is complete and its diffID verified, so a corrupt or
 * tampered layer never shows up as if it were fine.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Headers } from 'tar-stream';
import { describeDecodeError, openDecoded } from './decode.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, splitPath } from './paths.js';
import type { Compression, EntryAttrs } from './types.js';
import { LayerlensError } from './types.js';

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

/** Receives a file's bytes while the layer streams; its `end()` result is kept on the version. */
export interface ContentSink {
  write(chunk: Buffer): void;
  end(): unknown;
}

export interface ParseOptions {
  /** Called for each regular file; return a sink to see its content (e.g. secret scanning). */
  inspectContent?: (path: string, attrs: EntryAttrs) => ContentSink | undefined;
  /** Raw bytes read so far (for progress bars). */
  onProgress?: (rawBytes: number) => void;
}

// eStargz keeps its TOC and prefetch landmarks as regular tar members at the root; they are not
// part of the image's filesystem.
const ESTARGZ_HIDDEN = new Set(['stargz.index.json', '.prefetch.landmark', '.no.prefetch.landmark']);

/** Parse one raw layer blob (tar, gzip or zstd). Rejects with a LayerlensError on bad data. */
export async function parseLayer(raw: NodeJS.ReadableStream, opts: ParseOptions = {}): Promise<ParsedLayer> {
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
  let decodeError: unknown;
  decoder.on('error', (err) => {
    decodeError ??= err;
  });
  const hash = createHash('sha256');
  let size = 0;
  const entries: LayerEntry[] = [];
  const extract = tar.extract({ filenameEncoding: 'latin1', allowUnknownFormat: true });

  extract.on('entry', (header, stream, next) => {
    // A truncated archive errors the entry stream too; the extractor's own error reports it.
    stream.on('error', () => {});
    const pax = header.pax as Record<string, string> | undefined;
    // PAX values are UTF-8 already; ustar/GNU names were read as latin1 bytes.
    const name = pax?.path ?? decodeName(header.name);
    const parts = splitPath(name);
    const base = parts[parts.length - 1] ?? '';
    const dirParts = parts.slice(0, -1);

    if (base.startsWith(WHITEOUT_PREFIX) && header.type !== 'directory') {
      stream.resume();
      stream.on('end', next);
      if (base === OPAQUE_MARKER) entries.push({ kind: 'opaque', parts: dirParts });
      else if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
        /* other .wh..wh.* names are AUFS metadata: skip */
      } else entries.push({ kind: 'whiteout', parts: [...dirParts, base.slice(WHITEOUT_PREFIX.length)] });
      return;
    }
    if (kind === 'gzip' && parts.length === 1 && ESTARGZ_HIDDEN.has(base)) {
      stream.resume();
      stream.on('end', next);
      return;
    }

    const attrs = headerAttrs(header, pax);
    let sink: ContentSink | undefined;
    if (attrs.type === 'file' && opts.inspectContent) sink = opts.inspectContent('/' + parts.join('/'), attrs);
    if (sink) stream.on('data', (c: Buffer) => sink!.write(c));
    else stream.resume();
    stream.on('end', () => {
      const entry: LayerEntry = { kind: 'entry', parts, attrs };
      if (sink) entry.content = sink.end();
      entries.push(entry);
      next();
    });
  });

  const hasher = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      if (extract.write(chunk)) cb();
      else extract.once('drain', () => cb());
    },
    final(cb) {
      extract.end();
      cb();
    },
  });

  const finished = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('close', resolve);
    extract.on('error', reject);
  });
  try {
    await Promise.all([pipeline(out, hasher), finished]);
  } catch (err) {
    extract.destroy();
    throw asLayerError(decodeError ?? err, decodeError ? kind : 'tar');
  }
  return { compression: kind, diffId: 'sha256:' + hash.digest('hex'), size, compressedSize, entries };
}

function asLayerError(err: unknown, kind: Compression): LayerlensError {
  if (err instanceof LayerlensError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const truncated = /unexpected end|premature|truncated/i.test(msg);
  if (kind !== 'tar') return truncated ? new LayerlensError(`truncated ${kind} stream`, 'TRUNCATED') : describeDecodeError(kind, err);
  if (truncated) return new LayerlensError('truncated tar archive', 'TRUNCATED');
  return new LayerlensError(`not a valid tar archive (${msg.replace(/\. Maybe the tar.*$/, '')})`, 'NOT_TAR');
}

const TYPE_MAP: Record<string, EntryAttrs['type']> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
};

const SPECIAL_MAP: Record<string, EntryAttrs['special']> = {
  'character-device': 'char-device',
  'block-device': 'block-device',
  fifo: 'fifo',
};

function headerAttrs(header: Headers, pax: Record<string, string> | undefined): EntryAttrs {
  const type = TYPE_MAP[header.type ?? 'file'] ?? 'other';
  const attrs: EntryAttrs = {
    type,
    size: type === 'file' ? (header.size ?? 0) : 0,
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
  };
  if (pax) {
    // tar-stream leaves PAX numeric overrides in header.pax.
    if (pax.uid !== undefined) attrs.uid = Number(pax.uid);
    if (pax.gid !== undefined) attrs.gid = Number(pax.gid);
    if (pax.mtime !== undefined) attrs.mtime = Math.floor(Number(pax.mtime));
    for (const key of Object.keys(pax)) {
      if (key.startsWith('SCHILY.xattr.')) (attrs.xattrs ??= {})[key.slice('SCHILY.xattr.'.length)] = pax[key];
    }
  }
  if (type === 'symlink') attrs.linkTarget = pax?.linkpath ?? decodeName(header.linkname ?? '');
  if (type === 'hardlink') attrs.linkTarget = '/' + splitPath(pax?.linkpath ?? decodeName(header.linkname ?? '')).join('/');
  if (type === 'other') {
    attrs.special = SPECIAL_MAP[header.type ?? ''] ?? 'unknown';
    if (header.devmajor !== undefined) attrs.devMajor = header.devmajor;
    if (header.devminor !== undefined) attrs.devMinor = header.devminor;
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
