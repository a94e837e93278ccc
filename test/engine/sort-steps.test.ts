/** A stable sort in steps (engine/steps.ts sortSteps): the platform's order, a step at a time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortSteps } from '../../src/engine/steps.js';

test('sortSteps gives the order of one stable sort, ties in their order, at any length', () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  // (Keys with many ties: stability shows in the `at` of equal keys.)
  const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
  for (const n of [0, 1, 2, 2047, 2048, 2049, 4097, 20_000]) {
    const items = Array.from({ length: n }, (_, at) => ({ key: rand() % 50, at }));
    const steps = sortSteps(items, byKey);
    let count = 0;
    let r = steps.next();
    while (!r.done) {
      count++;
      r = steps.next();
    }
    assert.deepEqual(r.value, [...items].sort(byKey), `n = ${n}`);
    assert.equal(items[0]?.at ?? 0, 0, 'the input is left as it was');
    if (n > 10_000) assert.ok(count > 5, `${n} items in ${count} steps`);
  }
});
