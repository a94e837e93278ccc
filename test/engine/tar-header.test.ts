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
import { TarReader } from '../../src/engine/tar-reader.js';
import { gnuLong, header, symlink, tar } from '../support/tar-craft.js';

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

// Generated headers decoded by the decoder and by definitions written out here the plain way
// (Go's archive/tar reading), at every alignment: the decoder's fast paths (one forward pass
// over an octal field, a name scanned four bytes at a time, the checksum of an unaligned block
// summed from words) must agree with them on every odd input.

/** A seeded generator (the same headers every run). */
function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return (s >> 8) % n;
  };
}

/** The checksum written into `block` as six octal digits, a NUL and a space (as writers do). */
function resum(block: Buffer): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

/** An octal field as Go reads it, written the plain way: trim spaces and NULs, cut at a NUL, digits. */
function goOctal(field: Buffer): number | null {
  let s = field.toString('latin1');
  s = s.replace(/^[ \0]+/, '').replace(/[ \0]+$/, '');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (!/^[0-7]*$/.test(s)) return null;
  return s === '' ? 0 : Number.parseInt(s, 8);
}

/** Bytes an octal field is made of here: digits, the two terminators, and bytes that are neither. */
const FIELD_BYTES = [0x30, 0x31, 0x34, 0x37, 0x37, 0x30, 0x20, 0x20, 0x00, 0x00, 0x38, 0x39, 0x2b, 0x2d, 0x78, 0x09];

function oddField(r: (n: number) => number, len: number): Buffer {
  const f = Buffer.alloc(len);
  switch (r(4)) {
    case 0: // a number with spaces and NULs around it
      f.write(' '.repeat(r(3)) + (r(1 << 20) >>> 0).toString(8), 0, 'latin1');
      for (let i = f.indexOf(0); i >= 0 && i < len; i++) f[i] = r(2) ? 0x20 : 0;
      break;
    case 1: // zero-padded as writers pad them (whole words of digits), then any of those bytes
      f.write(
        (r(1 << 30) >>> 0)
          .toString(8)
          .padStart(len - 1 - r(4), '0')
          .slice(-(len - 1)),
        0,
        'latin1',
      );
      for (let i = f.indexOf(0); i >= 0 && i < len; i++) f[i] = FIELD_BYTES[r(FIELD_BYTES.length)];
      break;
    default: // anything made of those bytes
      for (let i = 0; i < len; i++) f[i] = FIELD_BYTES[r(FIELD_BYTES.length)];
  }
  return f;
}

const NUMERIC_FIELDS = [
  { field: 'mode', at: 100, len: 8, key: 'mode' },
  { field: 'uid', at: 108, len: 8, key: 'uid' },
  { field: 'gid', at: 116, len: 8, key: 'gid' },
  { field: 'size', at: 124, len: 12, key: 'size' },
  { field: 'mtime', at: 136, len: 12, key: 'mtime' },
  { field: 'device major', at: 329, len: 8, key: 'devmajor' },
  { field: 'device minor', at: 337, len: 8, key: 'devminor' },
] as const;

test('numeric fields: the one-pass, word-at-a-time octal reading agrees with Go’s trim, cut and digits on generated fields', () => {
  const r = rng(16);
  let valid = 0;
  let invalid = 0;
  for (const f of NUMERIC_FIELDS)
    for (let i = 0; i < 600; i++) {
      const field = oddField(r, f.len);
      const block = header({ name: 'usr/lib/x.py', typeflag: '0' });
      field.copy(block, f.at);
      resum(block);
      const want = goOctal(field);
      const d = new TarHeaderDecoder();
      const shift = r(8);
      const what = `${f.field} ${JSON.stringify(field.toString('latin1'))} shift ${shift}`;
      if (want === null) {
        invalid++;
        assert.throws(() => d.decode(shifted(block, shift)), new RegExp(`${f.field} field is not a number`), what);
      } else {
        valid++;
        assert.equal(d.decode(shifted(block, shift)), 'entry', what);
        assert.equal(d.header[f.key], want, what);
        if (f.key === 'size') assert.equal(d.size, want, what);
      }
    }
  // Both outcomes were met often (else the generator tests one side only).
  assert.ok(valid > 500 && invalid > 500, `${valid} valid, ${invalid} invalid`);
});

test('the checksum field: accepted exactly when Go’s reading of it is the block’s sum, at every alignment', () => {
  const r = rng(148);
  let accepted = 0;
  for (let i = 0; i < 1500; i++) {
    const block = header({ name: Buffer.from(Array.from({ length: 1 + r(99) }, () => 1 + r(255))) });
    // Bytes of every value in the fields the decoder does not read (the sum's lanes fill up).
    for (let k = 0; k < 20; k++) block[345 + r(155)] = r(256);
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    const field = Buffer.alloc(8);
    const digits = (sum + (r(4) === 0 ? r(3) - 1 : 0)).toString(8);
    field.write(' '.repeat(r(2)) + digits.padStart(r(2) ? 6 : digits.length, '0'), 0, 'latin1');
    for (let k = field.indexOf(0); k >= 0 && k < 8; k++) field[k] = r(3) === 0 ? 0x20 : r(8) === 0 ? 0x31 : 0;
    if (r(10) === 0) field[r(8)] = FIELD_BYTES[r(FIELD_BYTES.length)];
    field.copy(block, 148);
    let signed = 8 * 0x20;
    for (let k = 0; k < 512; k++) if (k < 148 || k >= 156) signed += block[k] > 127 ? block[k] - 256 : block[k];
    const stored = goOctal(field);
    const ok = stored === sum || stored === signed;
    for (const shift of [0, 1, 2, 3]) {
      const what = `field ${JSON.stringify(field.toString('latin1'))} sum ${sum} shift ${shift}`;
      const d = new TarHeaderDecoder();
      if (ok) assert.equal(d.decode(shifted(block, shift)), 'entry', what);
      else assert.throws(() => d.decode(shifted(block, shift)), /bad header checksum/, what);
    }
    if (ok) accepted++;
  }
  assert.ok(accepted > 300 && accepted < 1400, `${accepted} of 1500 accepted`);
});

/** Bytes a name is made of here: ASCII, `/`, NUL, backslash, UTF-8 and bytes that are not. */
const NAME_BYTES = [0x61, 0x62, 0x2f, 0x2e, 0x5f, 0x00, 0x5c, 0x7f, 0x80, 0xc3, 0xa9, 0xff, 0x20, 0x01];

function oddName(r: (n: number) => number, max: number): Buffer {
  const n = r(max + 1);
  const b = Buffer.alloc(n);
  // Mostly plain bytes, so that the first odd one falls anywhere in a long name.
  const odd = r(3);
  for (let i = 0; i < n; i++) b[i] = r(odd === 0 ? 2 : 24) === 0 ? NAME_BYTES[r(NAME_BYTES.length)] : 0x61 + r(26);
  return b;
}

/** The bytes of a NUL-terminated field up to its NUL, as a name. */
function fieldName(b: Buffer): string {
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('latin1');
}

test('names: scanned four bytes at a time, they agree with a byte-by-byte reading at every alignment', () => {
  const r = rng(100);
  for (let i = 0; i < 3000; i++) {
    const name = oddName(r, 100);
    const prefix = r(3) === 0 ? oddName(r, 155) : undefined;
    const linkname = oddName(r, 100);
    const block = header({ name, prefix, linkname, typeflag: '2' });
    let raw = fieldName(name);
    const pre = prefix === undefined ? '' : fieldName(prefix);
    if (pre !== '') raw = `${pre}/${raw}`;
    const link = fieldName(linkname);
    for (const shift of [0, 1, 2, 3, 5]) {
      const d = new TarHeaderDecoder();
      assert.equal(d.decode(shifted(block, shift)), 'entry');
      const what = `${JSON.stringify(raw)} shift ${shift}`;
      assert.equal(d.header.name, decodeName(raw), what);
      assert.equal(d.header.nameBytes, raw.length, what);
      assert.equal(d.header.linkname, decodeName(link), what);
      assert.equal(d.header.linkBytes, link.length, what);
    }
  }
});

test('GNU long names and links read from the chunk the headers lie in, at every alignment', () => {
  // Records read from a cut of the chunk the headers lie in, and the header fields of a chunk
  // that held records before: odd bytes and lengths, the NUL anywhere or nowhere.
  const r = rng(27);
  for (let i = 0; i < 400; i++) {
    const long = oddName(r, 400);
    const link = oddName(r, 300);
    const archive = tar([gnuLong(long), gnuLong(link, 'K'), symlink('short', 'ignored')]);
    for (const shift of [0, 1, 2, 3]) {
      const names: Array<[string, string]> = [];
      const reader = new TarReader(
        (h) => {
          names.push([h.name, h.linkname]);
          return undefined;
        },
        () => {},
      );
      reader.write(shifted(archive, shift));
      reader.end();
      const want = decodeName(fieldName(long));
      assert.deepEqual(names, [[want, decodeName(fieldName(link))]], `${JSON.stringify(want)} shift ${shift}`);
    }
  }
});
