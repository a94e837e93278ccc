/**
 * Raw layer chunks a source lends to the engine and wants back once the engine is done with them.
 *
 * Why: a source that reads into fresh memory for every chunk pays for that memory's first use,
 * here more than for the bytes (figures in sources/buffer-pool.ts, which keeps what comes back).
 *
 * The rule that keeps this safe: a chunk is given back only by its one consumer, after that
 * consumer has finished with it and keeps no view of it. For a gzip blob that is its decoder
 * (gzip-members.ts, once zlib has taken every byte); for a plain tar, the reader of the tar once
 * `TarReader.write` has returned (parse-layer.ts, layer-file.ts): the tar reader copies a record
 * that runs on into the next chunk, and every sink it feeds copies what it keeps past a call (the
 * secret scanner's window, the package and OS file collectors, the viewer's reader); what else
 * reads raw chunks copies what it keeps too (the eStargz footer's tail, estargz.ts). A chunk
 * nobody gives back (a copy of a shared layer read through and dropped) is collected as any
 * buffer. A chunk given back by a worker's lender is moved to it, so a view left here by mistake
 * reads as empty; one a file source reads into again (sources/file-chunks.ts) would read as the
 * next bytes, which test/engine/lent-tar-chunks.test.ts guards against (every chunk given back is
 * overwritten, and the layer's tree and every check's result must not change).
 *
 * Sources lend only the chunks of blobs whose chunks come back (`comesBack`): a lent chunk that
 * never comes back stays a key of the table below until a full collection, and its buffer with
 * it. Lending every chunk of a plain-tar archive, before its reader gave them back, made reading
 * it 1.18× slower.
 */
import { sniffCompression } from './magic.js';

const lenders = new WeakMap<Uint8Array, (chunk: Uint8Array) => void>();

/** `chunk` may be handed to `back` once its consumer is done with it (see giveBack). */
export function lend(chunk: Uint8Array, back: (chunk: Uint8Array) => void): void {
  lenders.set(chunk, back);
}

/**
 * The consumer of `chunk` is done with it and holds no view of it: its lender, if it has one,
 * takes it back (at most once).
 */
export function giveBack(chunk: Uint8Array): void {
  const back = lenders.get(chunk);
  if (back === undefined) return;
  lenders.delete(chunk);
  back(chunk);
}

/**
 * Whether the chunks of a blob that starts with `head` come back: a gzip blob's do (its decoder
 * gives them back), and a plain tar's (its reader does); a zstd blob's do not.
 */
export function comesBack(head: Uint8Array): boolean {
  return sniffCompression(head) !== 'zstd';
}

/** Whether `chunk` is lent and not given back yet (tests). */
export function isLent(chunk: Uint8Array): boolean {
  return lenders.has(chunk);
}
