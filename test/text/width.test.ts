import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasUnsafe, safeText } from '../../src/text/safe-text.js';
import { fit, textWidth, truncate, truncateLeft } from '../../src/text/width.js';

test('safeText escapes control characters, escape sequences and bidi overrides', () => {
  assert.equal(safeText('esc-title-\x1b]0;PWNED\x07'), 'esc-title-\\e]0;PWNED\\x07');
  assert.equal(safeText('clear-\x1b[2J\x1b[H-screen'), 'clear-\\e[2J\\e[H-screen');
  assert.equal(safeText('invoice-\u202efdp.exe'), 'invoice-\\u202efdp.exe');
  assert.equal(safeText('new\nline\ttab\r'), 'new\\nline\\ttab\\r');
  assert.equal(safeText('c1-\u009b31m'), 'c1-\\x9b31m');
  assert.equal(safeText('zero\u200bwidth\u2066iso\u2069'), 'zero\\u200bwidth\\u2066iso\\u2069');
  assert.equal(safeText('del\x7f'), 'del\\x7f');
  assert.equal(safeText('plain/ascii-name.txt'), 'plain/ascii-name.txt');
  assert.equal(safeText('日本語 ü'), '日本語 ü');
  assert.ok(hasUnsafe('a\x1bb'));
  assert.ok(!hasUnsafe('abc'));
  // Whatever goes in, nothing below 0x20 (or C1, or bidi) comes out.
  const all = Array.from({ length: 0x2070 }, (_, i) => String.fromCharCode(i)).join('');
  assert.doesNotMatch(safeText(all), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
});

test('width helpers count wide characters and cut to exact cells', () => {
  assert.equal(textWidth('abc'), 3);
  assert.equal(textWidth('日本'), 4);
  assert.equal(textWidth('e\u0301'), 1);
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
  assert.equal(truncateLeft('/usr/share/doc/file', 8), '…oc/file');
  assert.equal(fit('日本語', 5), '日本…');
  assert.equal(textWidth(fit('日本語', 5)), 5);
  assert.equal(fit('ab', 4), 'ab  ');
});
