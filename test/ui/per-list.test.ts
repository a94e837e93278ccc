/** What a frame shows of the whole list of findings, made once per list (src/ui/per-list.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/findings/types.js';
import { perList } from '../../src/ui/per-list.js';

test('perList makes its value once per list, anew for a new list, a falsy value too', () => {
  let made = 0;
  const count = perList((fs) => {
    made++;
    return fs.length;
  });
  const a = [{ severity: 'high' }] as unknown as Finding[];
  const b: Finding[] = [];
  assert.equal(count(a), 1);
  assert.equal(count(a), 1);
  assert.equal(made, 1, 'asked twice, made once');
  assert.equal(count(b), 0);
  assert.equal(count(b), 0);
  assert.equal(made, 2, 'a new list is made for, and a value of 0 is kept');
});
