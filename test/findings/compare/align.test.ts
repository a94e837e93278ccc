/** Lining up two lists: the best pairing in order, the common head and tail first, a bound on the work. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { align } from '../../../src/findings/compare/align.js';

const lines = (a: string[], b: string[]) =>
  align(a.length, b.length, (i, j) => (a[i] === b[j] ? 1 : 0)).map((p) =>
    p.a === null ? `+${b[p.b]}` : p.b === null ? `-${a[p.a]}` : ` ${a[p.a]}`,
  );

test('a line diff: common lines kept, removals before additions', () => {
  assert.deepEqual(lines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']), [' a', '-b', '+x', ' c', ' d', '+e']);
  assert.deepEqual(lines([], ['a']), ['+a']);
  assert.deepEqual(lines(['a'], []), ['-a']);
});

test('weighted: a strong pair is not given up for a weak one at the head', () => {
  // Old [X(step c1), Y], new [Z(step c1), X]: pairing X with X (3) beats X with Z (1).
  const a = ['X', 'Y'];
  const b = ['Z', 'X'];
  const score = (i: number, j: number) => (a[i] === b[j] ? 3 : a[i] === 'X' && b[j] === 'Z' ? 1 : 0);
  assert.deepEqual(align(2, 2, score, 3), [
    { a: null, b: 0 },
    { a: 0, b: 1 },
    { a: 1, b: null },
  ]);
});

test('long lists changed all over stay linear: the middle is left unpaired', () => {
  const n = 3001;
  const a = Array.from({ length: n }, (_, i) => `a${i}`);
  const b = Array.from({ length: n }, (_, i) => (i % 2 ? `a${i}` : `b${i}`));
  const t0 = performance.now();
  const out = align(n, n, (i, j) => (a[i] === b[j] ? 1 : 0));
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(out.length, 2 * n, 'every old line removed and every new line added, the first and last differing');
  // With the same head and tail, only the middle is given up.
  const c = ['h', ...a, 't'];
  const d = ['h', ...b, 't'];
  const out2 = align(c.length, d.length, (i, j) => (c[i] === d[j] ? 1 : 0));
  assert.deepEqual(out2[0], { a: 0, b: 0 });
  assert.deepEqual(out2[out2.length - 1], { a: c.length - 1, b: d.length - 1 });
});
