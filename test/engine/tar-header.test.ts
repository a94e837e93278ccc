/**
 * The header decoder's fast paths against their definitions: the checksum summed from 32-bit
 * words must agree with a byte-by-byte sum wherever the block lies in memory, and a name decoded
 * without its second pass must be the name decodeName gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TarHeaderDecoder } from '../../src/engine/tar-header.js';
import { decodeName } from '../../src/engine/paths.js';
import { header } from '../support/tar-craft.js';

/** `block` copied into fresh memory at byte offset `shift` (so the block's alignment is `shift`). */
function shifted(block: Buffer, shift: number): Buffer {
  const mem = Buffer.alloc(block.length + 8);
  block.copy(mem, shift);
  return mem.subarray(shift, shift + block.length);
}

test('a header checksum is accepted at every alignment, and a change to any byte outside the field is caught', () => {
  // Random bytes in the fields a checksum covers but the decoder does not read as numbers.
  const h = header({ name: 'usr/lib/python3/site-packages/m1.py', size: 30, linkname: randomBytes(60) });
  for (const shift of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const d = new TarHeaderDecoder();
    assert.equal(d.decode(shifted(h, shift)), 'entry', `shift ${shift}`);
    assert.equal(d.header.name, 'usr/lib/python3/site-packages/m1.py');
    // One byte changed by +1 anywhere but the checksum field itself: the sum no longer matches.
    for (const at of [0, 1, 99, 147, 156, 157, 300, 345, 507, 508, 511]) {
      const bad = Buffer.from(h);
      bad[at] = (bad[at] + 1) & 0xff;
      assert.throws(
        () => new TarHeaderDecoder().decode(shifted(bad, shift)),
        /bad header checksum/,
        `byte ${at} changed, shift ${shift}`,
      );
    }
  }
});

test('a checksum summed from bytes of every value (the lanes of the word sum never carry into each other)', () => {
  // All 0xff outside the numeric fields: the largest sum a header can have.
  const h = header({
    name: Buffer.alloc(100, 0xff),
    prefix: Buffer.alloc(155, 0xff),
    linkname: Buffer.alloc(100, 0xff),
  });
  h.fill(0xff, 500, 512);
  let sum = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  for (const shift of [0, 4, 2]) assert.equal(new TarHeaderDecoder().decode(shifted(h, shift)), 'entry');
  // A writer that summed signed bytes (a few bytes above 0x7f): accepted too, as Go accepts it.
  const s = header({ name: Buffer.from([0x61, 0xe9, 0xff, 0x80]) });
  let signed = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) signed += s[i] > 127 ? s[i] - 256 : s[i];
  s.write(signed.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  for (const shift of [0, 1, 4]) assert.equal(new TarHeaderDecoder().decode(shifted(s, shift)), 'entry');
});

test('names: the decoded name equals decodeName of its bytes, from the name field, the prefix, or both', () => {
  const bytes = [
    Buffer.from('plain/ascii-name.py'),
    Buffer.from('caf\u00e9/na\u00efve', 'utf8'),
    Buffer.from([0x66, 0xff, 0xfe]), // not UTF-8
    Buffer.from('back\\slash'),
    Buffer.from([0x7f, 0x41]),
  ];
  for (const name of bytes)
    for (const prefix of [undefined, ...bytes]) {
      const d = new TarHeaderDecoder();
      assert.equal(d.decode(header({ name, prefix })), 'entry');
      const raw = prefix === undefined ? name : Buffer.concat([prefix, Buffer.from('/'), name]);
      assert.equal(d.header.name, decodeName(raw.toString('latin1')), `${raw.toString('latin1')}`);
    }
});

test('GNU and ustar magic: device numbers read from both, not from v7', () => {
  for (const format of ['ustar', 'gnu', 'v7'] as const) {
    const d = new TarHeaderDecoder();
    assert.equal(d.decode(header({ name: 'dev/sda', typeflag: '4', devmajor: 8, devminor: 1, format })), 'entry');
    assert.deepEqual([d.header.devmajor, d.header.devminor], format === 'v7' ? [0, 0] : [8, 1], format);
  }
});
