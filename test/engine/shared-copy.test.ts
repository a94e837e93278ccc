/**
 * copyInto copies into and out of shared memory exactly: every length around the point where it
 * changes how it copies, at offsets alike and unlike modulo 8, nothing outside the range touched.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { copyInto } from '../../src/engine/shared-copy.js';

const lengths = [0, 1, 7, 8, 511, 512, 513, 4096, 65_537];
const offsets = [0, 1, 3, 8, 13];

for (const [name, makeDst, makeSrc] of [
  ['plain into shared', (n: number) => Buffer.from(new SharedArrayBuffer(n)), (b: Buffer) => b],
  ['shared into plain', (n: number) => Buffer.alloc(n), (b: Buffer) => sharedCopy(b)],
  ['shared into shared', (n: number) => Buffer.from(new SharedArrayBuffer(n)), (b: Buffer) => sharedCopy(b)],
] as const) {
  test(`copyInto: ${name}`, () => {
    for (const n of lengths)
      for (const from of offsets)
        for (const at of offsets) {
          const src = makeSrc(randomBytes(n + from + 16)).subarray(from, from + n);
          const dst = makeDst(n + at + 32);
          dst.fill(0xee);
          copyInto(dst, at, src);
          assert.ok(Buffer.from(dst.subarray(at, at + n)).equals(Buffer.from(src)), `n ${n} from ${from} at ${at}`);
          assert.ok(
            dst.subarray(0, at).every((b) => b === 0xee),
            'nothing before the range',
          );
          assert.ok(
            dst.subarray(at + n).every((b) => b === 0xee),
            'nothing after the range',
          );
        }
  });
}

function sharedCopy(b: Buffer): Buffer {
  const s = Buffer.from(new SharedArrayBuffer(b.length));
  s.set(b);
  return s;
}
