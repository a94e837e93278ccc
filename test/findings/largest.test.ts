/** The n-largest selection the checks' lists use: the same as sorting every candidate, less work. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Largest } from '../../src/findings/largest.js';

interface Cand {
  path: string;
  bytes: number;
  seq: number;
}

function candidates(count: number, seed: number): Cand[] {
  let s = seed;
  const rnd = (m: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s % m);
  // Few distinct sizes, so that most candidates tie with the cut.
  return Array.from({ length: count }, (_, seq) => ({
    path: `/d${rnd(50)}/f${rnd(1000)}-${seq}`,
    bytes: rnd(6) * 100,
    seq,
  }));
}

test('ties by path: the n first of a sort of every candidate by bytes then path', () => {
  for (const seed of [1, 2, 3, 4]) {
    const cs = candidates(2000, seed);
    let built = 0;
    const l = new Largest<Cand>(20, (c) => (built++, c.path));
    for (const c of cs) l.offer(c.bytes, c);
    const want = [...cs].sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1)).slice(0, 20);
    assert.deepEqual(
      l.list().map((k) => k.path),
      want.map((c) => c.path),
    );
    assert.equal(l.count, 2000);
    const keptBytes = want.reduce((n, c) => n + c.bytes, 0);
    assert.deepEqual(l.rest, { count: 1980, bytes: cs.reduce((n, c) => n + c.bytes, 0) - keptBytes });
    // No path is built for a candidate below the cut.
    const before = built;
    for (let i = 0; i < 1000; i++)
      l.offer(want[19].bytes - 1, { path: `/small${i}`, bytes: want[19].bytes - 1, seq: -1 });
    assert.equal(built, before);
  }
});

test("ties 'first': a stable sort's n first (ties in offer order), listed by bytes then path", () => {
  const cs = candidates(2000, 7);
  let built = 0;
  const l = new Largest<Cand>(50, (c) => (built++, c.path), 'first');
  for (const c of cs) l.offer(c.bytes, c);
  const stable = [...cs].sort((a, b) => b.bytes - a.bytes || a.seq - b.seq).slice(0, 50);
  const want = stable.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
  assert.deepEqual(
    l.list().map((k) => k.item.seq),
    want.map((c) => c.seq),
  );
  assert.equal(built, 50, 'a path for each listed candidate only');
});

test('fewer candidates than n: all listed, nothing left; n = 0 keeps none but counts', () => {
  const l = new Largest<Cand>(10, (c) => c.path);
  for (const c of candidates(4, 9)) l.offer(c.bytes, c);
  assert.equal(l.list().length, 4);
  assert.deepEqual(l.rest, { count: 0, bytes: 0 });
  const none = new Largest<Cand>(0, (c) => c.path);
  for (const c of candidates(5, 9)) none.offer(c.bytes, c);
  assert.equal(none.list().length, 0);
  assert.equal(none.rest.count, 5);
});
