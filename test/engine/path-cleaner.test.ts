/**
 * PathCleaner (src/engine/paths.ts) reuses the previous name's directory components, and those
 * of any directory met before in the layer: for every name of a layer, in order, it must give
 * exactly what cleanPath gives alone. Seeded random layers whose names mostly stay in the last
 * directory (as tar writes them), or go round-robin over many, and are sometimes unclean (`./`,
 * `//`, `..`, a leading `/`, a trailing `/`, `.` and `..` as the last component).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PathCleaner, cleanPath } from '../../src/engine/paths.js';

const PIECES = ['a', 'b', 'lib', 'x.y', '.', '..', '', '...', '.wh.a', 'a..b', 'é', 'site-packages'];

function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return (s >> 8) % n;
  };
}

test('PathCleaner gives what cleanPath gives, name after name', () => {
  let reused = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const cleaner = new PathCleaner();
    let dir: string[] = ['usr', 'lib'];
    for (let i = 0; i < 200; i++) {
      const roll = r(10);
      if (roll === 0) dir = Array.from({ length: r(4) }, () => PIECES[r(PIECES.length)]);
      else if (roll === 1) dir = [...dir, PIECES[r(PIECES.length)]];
      else if (roll === 2) dir = dir.slice(0, -1);
      let name = [...dir, PIECES[r(PIECES.length)]].join('/');
      const shape = r(12);
      if (shape === 0) name = './' + name;
      else if (shape === 1) name = '/' + name;
      else if (shape === 2) name += '/';
      else if (shape === 3) name += '//';
      const want = cleanPath(name);
      const got = cleaner.clean(name);
      assert.deepEqual(got, want, `seed ${seed}, name ${JSON.stringify(name)}`);
    }
    reused += cleaner.reused;
  }
  // The fast path was taken (most names stay in their directory): else this tests nothing new.
  assert.ok(reused > 3_000, `only ${reused} names in a directory seen just before`);
});

test('each result is a new array: a caller that changes it changes nothing later', () => {
  const cleaner = new PathCleaner();
  const first = cleaner.clean('usr/lib/a')!;
  const second = cleaner.clean('usr/lib/b')!;
  second[0] = 'changed';
  second.pop();
  assert.deepEqual(cleaner.clean('usr/lib/c'), ['usr', 'lib', 'c']);
  assert.deepEqual(first, ['usr', 'lib', 'a']);
});

test('names written round-robin over many directories: what cleanPath gives, each directory found again', () => {
  let reused = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const r = rng(seed);
    const cleaner = new PathCleaner();
    const dirs = Array.from({ length: 40 }, () =>
      Array.from({ length: 1 + r(3) }, () => PIECES[r(PIECES.length)]).join('/'),
    );
    for (let i = 0; i < 400; i++) {
      let name = `${dirs[i % dirs.length]}/${PIECES[r(PIECES.length)]}`;
      const shape = r(12);
      if (shape === 0) name = './' + name;
      else if (shape === 1) name = '/' + name;
      else if (shape === 2) name += '/';
      const want = cleanPath(name);
      const got = cleaner.clean(name);
      assert.deepEqual(got, want, `seed ${seed}, name ${JSON.stringify(name)}`);
    }
    reused += cleaner.reused;
  }
  // No name is in the directory of the name before it: only the map of directories can reuse
  // (and only clean directories are remembered: about a third of these).
  assert.ok(reused > 10_000, `only ${reused} names in a directory met before`);
});
