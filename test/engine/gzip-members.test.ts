/**
 * The engine's gzip decoder (src/engine/gzip-members.ts: member headers and trailers read in JS,
 * deflate data inflated by zlib without the CRC-32) against zlib's own Gunzip, on data written by
 * zlib and by GNU gzip, fed whole and in pieces of every size.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { GzipMembers } from '../../src/engine/gzip-members.js';

/** Decode `data` fed in pieces of `sizes()` bytes. */
function decode(data: Buffer, sizes: () => number = () => data.length): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const d = new GzipMembers();
    const out: Buffer[] = [];
    d.on('data', (c: Buffer) => out.push(c));
    d.on('end', () => resolve(Buffer.concat(out)));
    d.on('error', reject);
    let off = 0;
    const next = () => {
      while (off < data.length) {
        const n = Math.max(1, Math.min(sizes(), data.length - off));
        const ok = d.write(data.subarray(off, off + n));
        off += n;
        if (!ok) return void d.once('drain', next);
      }
      d.end();
    };
    next();
  });
}

const text = (n: number) =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => `line ${i} ${i % 7 ? 'abc' : randomBytes(6).toString('hex')}\n`).join(''),
  );

test('one member, several members and many tiny members (as eStargz writes) decode as gunzip does', async () => {
  const a = text(20_000);
  const b = randomBytes(300_000);
  const cases = [
    zlib.gzipSync(a),
    Buffer.concat([
      zlib.gzipSync(a),
      zlib.gzipSync(b),
      zlib.gzipSync(Buffer.alloc(0)),
      zlib.gzipSync(a.subarray(0, 10)),
    ]),
    Buffer.concat(Array.from({ length: 300 }, (_, i) => zlib.gzipSync(a.subarray(i * 50, i * 50 + randomInt(0, 200))))),
  ];
  for (const gz of cases) {
    const want = zlib.gunzipSync(gz);
    assert.ok(want.length > 0);
    assert.deepEqual(await decode(gz), want);
    // Pieces of every size, from single bytes up: headers, data and trailers cut anywhere.
    assert.deepEqual(await decode(gz, () => randomInt(1, 9)), want);
    assert.deepEqual(await decode(gz, () => randomInt(1, 70_000)), want);
  }
});

test('files compressed by GNU gzip (name in the header, -9, concatenated with cat) decode as gunzip does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-gzip-'));
  try {
    const f1 = join(dir, 'layer-part-one.tar');
    const f2 = join(dir, 'second.bin');
    writeFileSync(f1, text(30_000));
    writeFileSync(f2, randomBytes(100_000));
    const named = execFileSync('gzip', ['-c', f1], { maxBuffer: 1 << 26 }); // FNAME set
    assert.equal(named[3] & 8, 8, 'GNU gzip stored the file name');
    const best = execFileSync('gzip', ['-9', '-n', '-c', f2], { maxBuffer: 1 << 26 });
    for (const gz of [named, best, Buffer.concat([named, best])]) {
      assert.deepEqual(await decode(gz, () => randomInt(1, 5000)), zlib.gunzipSync(gz));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('header fields (extra, name, comment, header CRC) are skipped; zero padding after the last member is ignored, other bytes are not', async () => {
  const body = text(5000);
  const raw = zlib.deflateRawSync(body);
  const extra = Buffer.from([4, 0, 0x41, 0x42, 0x43, 0x44]); // XLEN 4 + data
  const header = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3]),
    extra,
    Buffer.from('name.tar\0comment here\0'),
    Buffer.from([0x12, 0x34]),
  ]);
  // The CRC-32 field is left 0: it is not checked (the layer's sha256 diffID covers every byte).
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(body.length, 4);
  const gz = Buffer.concat([header, raw, trailer]);
  assert.deepEqual(await decode(gz, () => randomInt(1, 4)), body);
  // A tar padded with zeros after the gzip data, as some writers leave it: after one member, and
  // after several (from the second member on, zlib's Gunzip decodes the rest).
  assert.deepEqual(
    await decode(Buffer.concat([zlib.gzipSync(body), Buffer.alloc(1024)]), () => randomInt(1, 3000)),
    body,
  );
  const several = Buffer.concat([zlib.gzipSync(body), zlib.gzipSync(body), zlib.gzipSync(body)]);
  assert.deepEqual(
    await decode(Buffer.concat([several, Buffer.alloc(1024)]), () => randomInt(1, 3000)),
    Buffer.concat([body, body, body]),
  );
  // Other bytes after a member are an error, after one member or several, as with Gunzip.
  const junk = Buffer.from('trailing bytes that are not gzip');
  for (const gz of [zlib.gzipSync(body), several]) {
    assert.throws(() => zlib.gunzipSync(Buffer.concat([gz, junk])), /incorrect header check/);
    await assert.rejects(
      decode(Buffer.concat([gz, junk]), () => randomInt(1, 3000)),
      /incorrect header check/,
    );
  }
});

test('truncated input, a wrong length in the trailer, a bad header and corrupt data are errors', async () => {
  const body = text(20_000);
  const gz = zlib.gzipSync(body);
  // Cut inside the header, inside the data, inside the trailer, and right before the trailer.
  for (const cut of [5, 11, 200, gz.length - 20, gz.length - 8, gz.length - 3]) {
    await assert.rejects(
      decode(gz.subarray(0, cut), () => randomInt(1, 500)),
      /unexpected end of file/,
      `cut at ${cut}`,
    );
  }
  // Cut inside a later member (decoded by Gunzip).
  const two = Buffer.concat([gz, gz]);
  await assert.rejects(
    decode(two.subarray(0, gz.length + 300), () => randomInt(1, 500)),
    /unexpected end of file/,
  );
  const badLength = Buffer.from(gz);
  badLength.writeUInt32LE(body.length + 1, gz.length - 4);
  await assert.rejects(decode(badLength), /incorrect length check/);
  await assert.rejects(decode(Buffer.from('this is not gzip data at all')), /incorrect header check/);
  const badMethod = Buffer.from(gz);
  badMethod[2] = 7;
  await assert.rejects(decode(badMethod), /unknown compression method/);
  const corrupt = Buffer.from(gz);
  corrupt.fill(0xff, 30, 60);
  await assert.rejects(decode(corrupt));
});

test('a small input that inflates to a lot is not inflated faster than it is read (one member and several)', async () => {
  const zeros = zlib.gzipSync(Buffer.alloc(64 << 20)); // 64 MiB of zeros: ~64 KB compressed
  for (const gz of [zeros, Buffer.concat([zlib.gzipSync(Buffer.from('x')), zeros])]) {
    const d = new GzipMembers();
    d.end(gz);
    // A slow reader: 1 MiB per tick. What waits in the stream stays bounded meanwhile.
    let read = 0;
    let most = 0;
    await new Promise<void>((resolve, reject) => {
      d.on('error', reject);
      d.on('end', () => resolve());
      const step = () => {
        most = Math.max(most, d.readableLength);
        const c = d.read(1 << 20) as Buffer | null;
        if (c) read += c.length;
        if (!d.readableEnded) setTimeout(step, 0);
      };
      d.once('readable', step);
    });
    assert.equal(read, gz === zeros ? 64 << 20 : (64 << 20) + 1);
    assert.ok(most <= 8 << 20, `${most} bytes waited in the stream`);
  }
});
