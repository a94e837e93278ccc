/**
 * A JSON document as pieces of text: the same bytes as one `safeJson` of it, with one list in it
 * (the findings of a scan, the results of a SARIF run, the file list of a comparison) written a
 * few hundred items at a time and each item made as its piece is written. A report of a few
 * hundred thousand findings is more text than one JavaScript string holds (~512 MiB): one
 * `JSON.stringify` failed with `Invalid string length`, and below that it held the document
 * twice over (a 152 MB report of 135,724 findings peaked at 1.4 GB). And pieces joined into
 * batches of ~64 KiB for the writers of pieces (stdout, a file written atomically, an export).
 */
import { randomBytes } from 'node:crypto';
import { safeJson } from './safe-json.js';

/** Items of the list written per piece. */
const ITEMS_PER_PIECE = 512;

/**
 * `doc` as JSON text in pieces (indented by 2, as safeJson), with the list at `at` (a path of keys
 * and indexes, whose value in `doc` is replaced) being `items`, each written as `toJson(item)`.
 */
export function* jsonPieces<T>(
  doc: object,
  at: readonly (string | number)[],
  items: readonly T[],
  toJson: (item: T) => unknown,
): Generator<string> {
  // A placeholder string at the list's place, found again in the text. A fixed one could be text
  // of the image's own (a history line is any string), so it is made anew until it stands once.
  let text: string;
  let mark: string;
  let start: number;
  do {
    const placeholder = `\u0000${randomBytes(12).toString('hex')}`;
    mark = JSON.stringify(placeholder);
    text = safeJson(withValueAt(doc, at, placeholder));
    start = text.indexOf(mark);
  } while (start < 0 || text.indexOf(mark, start + 1) >= 0);
  // The indent of the line the list opens on: a piece's items are a list of their own made text
  // (`[`, its items one level in, `\n]`), without its brackets, each line moved in by as much.
  const lineStart = text.lastIndexOf('\n', start) + 1;
  const indent = /^ */.exec(text.slice(lineStart, start))![0];
  yield text.slice(0, start);
  if (!items.length) yield '[]';
  else {
    for (let i = 0; i < items.length; i += ITEMS_PER_PIECE) {
      const list = safeJson(items.slice(i, i + ITEMS_PER_PIECE).map(toJson));
      const inside = list.slice(1, list.length - 2);
      yield (i ? ',' : '[') + (indent ? inside.replaceAll('\n', `\n${indent}`) : inside);
    }
    yield `\n${indent}]`;
  }
  yield text.slice(start + mark.length);
}

/** A copy of `doc` with `value` at `at`: the objects and arrays on the way copied, nothing else. */
function withValueAt(doc: unknown, at: readonly (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const [key, ...rest] = at;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, unknown>;
  copy[key] = withValueAt(copy[key], rest, value);
  return copy;
}

/** Bytes of text a writer of pieces writes at a time. */
export const BATCH_CHARS = 64 << 10;

/** `pieces` joined into batches of about BATCH_CHARS characters (the last may be shorter). */
export function* batches(pieces: Iterable<string>): Generator<string> {
  let batch = '';
  for (const p of pieces) {
    batch += p;
    if (batch.length < BATCH_CHARS) continue;
    yield batch;
    batch = '';
  }
  if (batch) yield batch;
}
