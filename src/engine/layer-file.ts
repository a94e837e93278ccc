/**
 * Read one file's bytes back out of a layer blob (viewer, extract): reopen the layer, decode it
 * by its magic bytes, read the tar with the same reader and header decoder that built the tree,
 * and stream the entry the version came from. The entry is found by its ordinal in the tar, not
 * by its name: the tree holds the path a runtime writes (`x/../etc/os-release` is /etc/os-release,
 * `sl/passwd` under `sl -> /etc` is /etc/passwd), and a tar may hold one name twice (the last
 * one is the file). Nothing is written to disk here.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDecoded } from './decode.js';
import type { ImageModel } from './image.js';
import { giveBack } from './lent-chunks.js';
import { TarReader } from './tar-reader.js';
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
    // (The file it links, as a runtime links it: maybe a copy a later entry of its layer replaced.)
    const linked = model.tree.linkedVersion(v);
    if (linked) return { layer: linked.version.layer, path: linked.node.path, version: linked.version };
  }
  return { layer: v.layer, path, version: v };
}

export interface ReadResult {
  data: Buffer;
  /** Bytes of the entry in the tar. */
  size: number;
  truncated: boolean;
}

/** A hole's zeros, a piece at a time (read only: onChunk's callers copy or write them). */
const HOLE_PIECE = Buffer.alloc(1 << 20);

/** Stopping the re-read early (the caller has what it wants): not an error. */
class Stop extends Error {}

/**
 * Stream the data of the entry that wrote `path` in layer `layer` (the tree's version of the path
 * in that layer, or the entry of that ordinal: a copy the layer superseded itself) into
 * `onChunk` (return false to stop early). Resolves with the entry size; rejects with a
 * LayerlensError when the layer cannot be re-read or does not hold that entry.
 */
async function scanLayer(
  model: ImageModel,
  layer: number,
  path: string,
  onChunk: (c: Buffer) => boolean | Promise<boolean>,
  entry?: number,
): Promise<number> {
  const want = entry ?? model.tree.lookupPath(path)?.versionIn(layer)?.entry ?? -1;
  if (want < 0) throw new LayerlensError(`layer ${layer} holds no file data for ${path}`, 'NOT_FOUND');
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
  let found = -1;
  let size = 0;
  // Chunks for onChunk, delivered between input chunks (onChunk may wait: the copy to a file).
  // (A sparse file's holes wait as their lengths, given out as zeros a piece at a time: a hole of
  // gigabytes is never held, and the caller's pace holds for it too.)
  let pending: (Buffer | number)[] = [];
  let finished = false;
  const reader = new TarReader(
    (header, ordinal) => {
      if (ordinal !== want) return undefined;
      // A regular file; asked for by its entry, also one of a type the runtimes refuse, whose bytes
      // GNU tar extracts as a file (FileTree.refusedCopies): not a link, device or directory.
      if (header.typeflag !== '0' && (entry === undefined || NO_DATA_TYPES.has(header.typeflag)))
        throw new LayerlensError(`layer ${layer}: its entry for ${path} is no longer a regular file`, 'CORRUPT');
      found = ordinal;
      size = header.size;
      return { write: (c) => void pending.push(Buffer.from(c)), hole: (n) => void pending.push(n) };
    },
    () => {
      if (found >= 0) finished = true;
    },
  );
  const { out } = await openDecoded(raw);
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      (async () => {
        reader.write(chunk);
        // Done with: the sink above copied what it keeps (a lent plain-tar chunk goes back).
        giveBack(chunk);
        const chunks = pending;
        pending = [];
        for (const c of chunks) {
          if (typeof c !== 'number') {
            if (!(await onChunk(c))) throw new Stop();
            continue;
          }
          for (let left = c; left > 0; left -= HOLE_PIECE.length)
            if (!(await onChunk(HOLE_PIECE.subarray(0, Math.min(left, HOLE_PIECE.length))))) throw new Stop();
        }
        if (finished) throw new Stop();
      })().then(() => cb(), cb);
    },
    final(cb) {
      reader.endTo(cb);
    },
  });
  try {
    await pipeline(out, sink);
  } catch (err) {
    if (!(err instanceof Stop)) {
      if (err instanceof LayerlensError) throw new LayerlensError(`layer ${layer}: ${err.message}`, err.code);
      throw new LayerlensError(`layer ${layer}: ${err instanceof Error ? err.message : String(err)}`, 'CORRUPT');
    }
  } finally {
    (raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  if (found < 0) throw new LayerlensError(`layer ${layer} does not hold ${path}`, 'NOT_FOUND');
  return size;
}

/** Tar types whose entries hold no file bytes: links, devices, directories, fifos. */
const NO_DATA_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

/** Read up to `maxBytes` of a file from a layer (the tree's version, or the entry of ordinal `entry`). */
export async function readLayerFile(
  model: ImageModel,
  layer: number,
  path: string,
  maxBytes = 4 << 20,
  entry?: number,
): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let got = 0;
  let truncated = false;
  const size = await scanLayer(
    model,
    layer,
    path,
    (c) => {
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
    },
    entry,
  );
  if (got < size && !truncated) truncated = got < size;
  return { data: Buffer.concat(chunks), size, truncated };
}

/**
 * Copy a whole file from a layer into `dest` (which the caller opened and will close): the
 * tree's version, or the tar entry of ordinal `entry`.
 */
export async function copyLayerFile(
  model: ImageModel,
  layer: number,
  path: string,
  dest: Writable,
  entry?: number,
): Promise<number> {
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
    entry,
  );
  return written;
}
