/** Text in pieces (src/text/pieces.ts): a list written a few hundred items at a time, and the writers' batches. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH_CHARS, batches, jsonPieces, listAt } from '../../src/text/pieces.js';
import { safeJson } from '../../src/text/safe-json.js';

test('a list deep in a document, in pieces: the same text as one safeJson, each item made as it is written', () => {
  const items = Array.from({ length: 1300 }, (_, i) => ({
    n: i,
    nested: { list: [i, `x${i}`] },
    s: i % 100 ? 'a' : '\u2028',
  }));
  let made = 0;
  const toJson = (x: (typeof items)[number]) => {
    made++;
    return x;
  };
  const doc = { a: 'before', runs: [{ first: true, results: [] as unknown[], after: [1, 2] }], z: 'after' };
  const pieces = jsonPieces(doc, listAt(['runs', 0, 'results'], items, toJson));
  const first = pieces.next();
  assert.equal(made, 0, 'no item is made before the list is written');
  const text = (first.value as string) + [...pieces].join('');
  assert.equal(made, items.length);
  const whole = safeJson({ ...doc, runs: [{ ...doc.runs[0], results: items }] });
  assert.equal(text, whole);
  // The document given is left as it was.
  assert.deepEqual(doc.runs[0].results, []);
});

test('batches: the same text, in runs of at least BATCH_CHARS characters but the last', () => {
  const pieces = Array.from({ length: 5000 }, (_, i) => `piece ${i} `.repeat(1 + (i % 7)));
  const out = [...batches(pieces)];
  assert.equal(out.join(''), pieces.join(''));
  assert.ok(out.length > 2);
  for (const b of out.slice(0, -1)) assert.ok(b.length >= BATCH_CHARS);
  assert.deepEqual([...batches([])], []);
});

test('several lists in pieces, named in any order: each in its place, the rest as one safeJson', () => {
  const a = Array.from({ length: 700 }, (_, i) => ({ a: i }));
  const b = Array.from({ length: 3 }, (_, i) => `b${i}`);
  const doc = { first: { list: [] as unknown[], n: 1 }, middle: 'x', last: [] as unknown[], empty: [] as unknown[] };
  const text = [
    ...jsonPieces(
      doc,
      listAt(['last'], b, (x) => x),
      listAt(['empty'], [], (x) => x),
      listAt(['first', 'list'], a, (x) => x),
    ),
  ].join('');
  assert.equal(text, safeJson({ first: { list: a, n: 1 }, middle: 'x', last: b, empty: [] }));
});
