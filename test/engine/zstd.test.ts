/**
 * The zstd decoder makes output only as fast as it is read, with the native binding and with the
 * pure-JS fallback alike: a frame of RLE blocks that inflates 32,000:1 never has more than a few
 * MiB waiting, and comes out byte for byte; frames asking for more than zstd allows are refused.
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { createZstdDecoder, nativeZstdBinding } from '../../src/engine/zstd.js';
import { zstdBomb } from '../support/bombs.js';

const backends: Array<[string, string | undefined]> = [
  ['native', nativeZstdBinding() ? undefined : 'zstd-napi did not build here'],
  ['js', undefined],
];

async function decode(
  blob: Buffer,
  backend: string,
  slow: boolean,
): Promise<{ bytes: number; peak: number; zeros: boolean }> {
  const saved = process.env.LAYERLENS_ZSTD;
  if (backend === 'js') process.env.LAYERLENS_ZSTD = 'js';
  else delete process.env.LAYERLENS_ZSTD;
  const dec = createZstdDecoder();
  if (saved === undefined) delete process.env.LAYERLENS_ZSTD;
  else process.env.LAYERLENS_ZSTD = saved;
  let bytes = 0;
  let peak = 0;
  let zeros = true;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(c: Buffer, _e, cb) {
      // (The first 512 bytes are the tar header; the rest must be zeros.)
      if (c.subarray(Math.max(0, 512 - bytes)).some((b) => b !== 0)) zeros = false;
      bytes += c.length;
      peak = Math.max(peak, dec.readableLength);
      if (slow) setTimeout(cb, 0);
      else cb();
    },
  });
  // The blob in chunks of odd sizes: blocks and headers fall across chunk boundaries.
  const chunks: Buffer[] = [];
  for (let i = 0; i < blob.length; i += 777) chunks.push(blob.subarray(i, i + 777));
  await pipeline(Readable.from(chunks), dec, sink);
  return { bytes, peak, zeros };
}

for (const [backend, skip] of backends) {
  test(`${backend}: a 64 MiB RLE frame comes out whole, never more than 2 MiB of it waiting`, { skip }, async () => {
    const bomb = zstdBomb(64 << 20);
    assert.ok(bomb.blob.length < 4096, `the frame is ${bomb.blob.length} bytes`);
    const r = await decode(bomb.blob, backend, true);
    assert.equal(r.bytes, bomb.size);
    assert.ok(r.zeros);
    assert.ok(r.peak <= 2 << 20, `${r.peak} bytes waited unread`);
  });

  test(`${backend}: a frame asking for a 1 GiB window is refused; so is a cut frame`, { skip }, async () => {
    await assert.rejects(decode(zstdBomb(1 << 20, { windowLog: 30 }).blob, backend, false), /window|memory/i);
    const whole = zstdBomb(1 << 20).blob;
    await assert.rejects(decode(whole.subarray(0, whole.length - 3), backend, false), /end|truncat|frame/i);
  });
}

test('js: a reserved block type and a block over 128 KiB are refused before fzstd sees them', async () => {
  const frame = (block: number[]) => Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38, ...block]);
  await assert.rejects(decode(frame([0x07, 0, 0, 0]), 'js', false), /reserved block type/);
  const size = (256 << 10) << 3; // a raw block of 256 KiB
  await assert.rejects(decode(frame([size & 0xff, (size >> 8) & 0xff, size >> 16]), 'js', false), /128 KiB/);
});
