/**
 * A JSON document as pieces of text: the same bytes as one `safeJson` of it, with its long lists
 * (the findings of a scan, the results of a SARIF run, the file list and findings of a
 * comparison) written a few hundred items at a time and each item made as its piece is written. A report of a few
 * hundred thousand findings is more text than one JavaScript string holds (~512 MiB): one
 * `JSON.stringify` failed with `Invalid string length`, and below that it held the document
 * twice over (a 152 MB report of 135,724 findings peaked at 1.4 GB). And pieces joined into
 * batches of ~64 KiB for the writers of pieces (stdout, a file written atomically, an export).
 */
import { randomBytes } from 'node:crypto';
import { safeJson } from './safe-json.js';

/** Items of the list written per piece. */
const ITEMS_PER_PIECE = 512;

/** A list of a document written in pieces: where it stands, its items, how each is made. */
export interface ListAt {
  at: readonly (string | number)[];
  items: readonly unknown[];
  toJson: (item: unknown) => unknown;
}

/** The list at `at` (a path of keys and indexes into the document): `items`, each as `toJson(item)`. */
export function listAt<T>(at: readonly (string | number)[], items: readonly T[], toJson: (item: T) => unknown): ListAt {
  return { at, items, toJson: toJson as (item: unknown) => unknown };
}

/**
 * `doc` as JSON text in pieces (indented by 2, as safeJson), with each of `lists` in its place
 * (whatever `doc` holds there is replaced).
 */
export function* jsonPieces(doc: object, ...lists: ListAt[]): Generator<string> {
  // A placeholder string at each list's place, found again in the text. A fixed one could be text
  // of the image's own (a history line is any string), so they are made anew until each stands once.
  let text: string;
  let marks: string[];
  let starts: number[];
  const once = (mark: string, at: number) => at >= 0 && text.indexOf(mark, at + 1) < 0;
  do {
    const nonce = randomBytes(12).toString('hex');
    const placeholders = lists.map((_, i) => `\u0000${nonce}-${i}`);
    marks = placeholders.map((p) => JSON.stringify(p));
    let shell: unknown = doc;
    lists.forEach((l, i) => {
      shell = withValueAt(shell, l.at, placeholders[i]);
    });
    text = safeJson(shell);
    starts = marks.map((m) => text.indexOf(m));
  } while (!marks.every((m, i) => once(m, starts[i])));
  const order = lists.map((_, i) => i).sort((x, y) => starts[x] - starts[y]);
  let from = 0;
  for (const i of order) {
    yield text.slice(from, starts[i]);
    yield* listText(text, starts[i], lists[i]);
    from = starts[i] + marks[i].length;
  }
  yield text.slice(from);
}

/** The list's text, where its placeholder starts at `start` in `text`. */
function* listText(text: string, start: number, list: ListAt): Generator<string> {
  const { items, toJson } = list;
  if (!items.length) {
    yield '[]';
    return;
  }
  // The indent of the line the list opens on: a piece's items are a list of their own made text
  // (`[`, its items one level in, `\n]`), without its brackets, each line moved in by as much.
  const lineStart = text.lastIndexOf('\n', start) + 1;
  const indent = /^ */.exec(text.slice(lineStart, start))![0];
  for (let i = 0; i < items.length; i += ITEMS_PER_PIECE) {
    const piece = safeJson(items.slice(i, i + ITEMS_PER_PIECE).map(toJson));
    const inside = piece.slice(1, piece.length - 2);
    yield (i ? ',' : '[') + (indent ? inside.replaceAll('\n', `\n${indent}`) : inside);
  }
  yield `\n${indent}]`;
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
