import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SegmentedList } from '../../src/engine/segmented-list.js';

test('a segmented list keeps every item in order across segment boundaries', () => {
  const n = 3 * 8192 + 5;
  const list = new SegmentedList<number | string>();
  for (let i = 0; i < n; i++) list.push(i % 3 === 0 ? `s${i}` : i);
  assert.equal(list.length, n);
  for (const i of [0, 1, 8191, 8192, 8193, 16383, 16384, n - 1])
    assert.equal(list.at(i), i % 3 === 0 ? `s${i}` : i, `item ${i}`);
  const all = [...list];
  assert.equal(all.length, n);
  assert.ok(all.every((x, i) => x === (i % 3 === 0 ? `s${i}` : i)));
  // filter keeps order and indexes are the original ones
  const odd = list.filter((_, i) => i % 2 === 1);
  assert.equal(odd.length, Math.floor(n / 2));
  assert.equal(odd.at(4096), 's8193', 'the item at index 2 × 4096 + 1');
  assert.deepEqual([...SegmentedList.of(['a', 'b'])], ['a', 'b']);
  assert.equal(new SegmentedList().length, 0);
});

test('a segmented list removes an item anywhere and keeps growing after', () => {
  const list = SegmentedList.of(Array.from({ length: 8193 }, (_, i) => i));
  assert.equal(list.lastIndexOf(8192), 8192);
  assert.equal(list.lastIndexOf(-1), -1);
  list.removeAt(3); // in the first segment: everything after moves down, across the boundary
  assert.equal(list.length, 8192);
  assert.equal(list.at(3), 4);
  assert.equal(list.at(8191), 8192);
  list.removeAt(8191); // the last item: the second segment is empty again
  assert.equal(list.length, 8191);
  list.push(-5);
  list.push(-6);
  assert.deepEqual([...list].slice(-3), [8191, -5, -6]);
  assert.ok(list.some((x) => x === -6));
  assert.ok(!list.some((x) => x === 3));
  const one = SegmentedList.of(['x']);
  one.removeAt(0);
  assert.equal(one.length, 0);
  assert.deepEqual([...one], []);
  one.push('y');
  assert.deepEqual([...one], ['y']);
});
