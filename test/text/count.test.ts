import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount } from '../../src/text/bytes.js';

test('formatCount groups digits as en-US does, without loading the locale data', () => {
  const values = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10000, 99999, 100000, 999999, 1000000, 1234567];
  values.push(Number.MAX_SAFE_INTEGER, -1, -999, -1000, -1234567);
  // Every digit count, and seeded values between.
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    values.push(Math.floor((seed / 2147483648) * 10 ** (1 + (i % 16))));
  }
  for (const v of values) assert.equal(formatCount(v), v.toLocaleString('en-US'), String(v));
});

test('formatCount rounds a fraction and names what is not a number', () => {
  assert.equal(formatCount(1234.6), '1,235');
  assert.equal(formatCount(-0), '0');
  assert.equal(formatCount(-0.4), '0');
  assert.equal(formatCount(-2.5), '-2');
  assert.equal(formatCount(Number.NaN), 'NaN');
  assert.equal(formatCount(Number.POSITIVE_INFINITY), 'Infinity');
  // Past 2^53 (no count gets there): the digits of the number held, grouped.
  for (const big of [2 ** 60, 2 ** 80, -(2 ** 70)]) assert.equal(formatCount(big), big.toLocaleString('en-US'));
});
