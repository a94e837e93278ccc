/**
 * Read one file's bytes back out of a layer blob (viewer, extract): reopen the layer, decode it
 * by its magic bytes, walk the tar until the path, stream that entry. Names are decoded exactly
 * as the engine decodes them, so a path from the tree finds its entry. Nothing is written to disk
 * here.
 */
import tar from 'tar-stream';
import type { Writable } from 'node:stream';
import { openDecoded } from './decode.js';
import type { ImageModel } from './image.js';
import { decodeName } from './parse-layer.js';
import { splitPath } from './paths.js';
import type { Version } from './types.js';
import { LayerlensError } from '../errors/index.js';

export interface FileLocation {
  /** Layer whose tar holds the bytes. */
  layer: number;
  /** Path of the entry in that tar (a hardlink's target for hardlinks). */
  path: string;
  version: Version;
}

/**
 * Where the content of `path` as shown in layer `layer` lives: the version in force there, or for
 * an entry removed by that layer the version it removed; hardlinks resolve to their target.
 */
export function locateContent(model: ImageModel, path: string, layer: number): FileLocation | undefined {
  const node = model.tree.lookupPath(path);
  if (!node) return undefined;
  let v = node.versionAt(layer);
  if (v && v.change === 'removed')
    v = v.previousLayer !== undefined ? node.versionIn(v.previousLayer) : node.versionAt(v.layer - 1);
  if (!v || v.change === 'removed') return undefined;
  if (v.type === 'hardlink' && v.linkTarget) {
    const target = model.tree.lookupPath(v.linkTarget);
    const tv = target?.versionAt(v.layer);
    if (tv && tv.change !== 'removed' && tv.type === 'file')
      return { layer: tv.layer, path: v.linkTarget, version: tv };
  }
  return { layer: v.layer, path, version: v };
}

export interface ReadResult {
  data: Buffer;
  /** Bytes of the entry in the tar. */
  size: number;
  truncated: boolean;
}

/**
 * Stream the entry `path` of layer `layer` into `onChunk` (return false to stop early). Resolves
 * with the entry size; rejects with a LayerlensError when the layer cannot be re-read or does not
 * hold the path.
 */
async function scanLayer(
  model: ImageModel,
  layer: number,
  path: string,
  onChunk: (c: Buffer) => boolean | Promise<boolean>,
): Promise<number> {
  let raw: NodeJS.ReadableStream | undefined;
  try {
    raw = await model.reopenLayer(layer);
  } catch (err) {
    throw new LayerlensError(
      `cannot re-read layer ${layer}: ${err instanceof Error ? err.message : String(err)}`,
      'REOPEN',
    );
  }
  if (!raw)
    throw new LayerlensError(
      'this image was read in one pass (a pipe or a compressed archive) and its layers cannot be read again: save it as an uncompressed file (docker save -o FILE) first',
      'REOPEN',
    );
  const { out } = await openDecoded(raw);
  const want = splitPath(path).join('/');
  const extract = tar.extract({ filenameEncoding: 'latin1', allowUnknownFormat: true });
  return new Promise<number>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, size?: number) => {
      if (done) return;
      done = true;
      out.unpipe(extract);
      out.destroy();
      extract.destroy();
      (raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      if (err) reject(err);
      else resolve(size ?? 0);
    };
    extract.on('entry', (header, stream, next) => {
      const pax = header.pax as Record<string, string> | undefined;
      const name = splitPath(pax?.path ?? decodeName(header.name)).join('/');
      if (name !== want || (header.type !== 'file' && header.type !== 'contiguous-file')) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const size = header.size ?? 0;
      stream.on('data', (c: Buffer) => {
        stream.pause();
        Promise.resolve(onChunk(c)).then(
          (more) => {
            if (more) stream.resume();
            else finish(null, size);
          },
          (err) => finish(err as Error),
        );
      });
      stream.on('end', () => finish(null, size));
      stream.on('error', (err) => finish(err));
    });
    extract.on('finish', () => finish(new LayerlensError(`layer ${layer} does not hold ${path}`, 'NOT_FOUND')));
    extract.on('error', (err) => finish(new LayerlensError(`layer ${layer}: ${err.message}`, 'CORRUPT')));
    out.on('error', (err) => finish(new LayerlensError(`layer ${layer}: ${err.message}`, 'CORRUPT')));
    out.pipe(extract);
  });
}

/** Read up to `maxBytes` of a file from a layer. */
export async function readLayerFile(
  model: ImageModel,
  layer: number,
  path: string,
  maxBytes = 4 << 20,
): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let got = 0;
  let truncated = false;
  const size = await scanLayer(model, layer, path, (c) => {
    const room = maxBytes - got;
    if (c.length >= room) {
      chunks.push(c.subarray(0, room));
      got += room;
      truncated = true;
      return false;
    }
    chunks.push(c);
    got += c.length;
    return true;
  });
  if (got < size && !truncated) truncated = got < size;
  return { data: Buffer.concat(chunks), size, truncated };
}

/** Copy a whole file from a layer into `dest` (which the caller opened and will close). */
export async function copyLayerFile(model: ImageModel, layer: number, path: string, dest: Writable): Promise<number> {
  let written = 0;
  await scanLayer(
    model,
    layer,
    path,
    (c) =>
      new Promise<boolean>((resolve, reject) => {
        dest.write(c, (err) => (err ? reject(err) : resolve(true)));
        written += c.length;
      }),
  );
  return written;
}
