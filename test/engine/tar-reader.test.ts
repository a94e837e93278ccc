/**
 * The tar reader's content delivery: a sink with `whole` gets a file that lies in one input chunk
 * as one range of that chunk (no slice made), and `write` gets the pieces of a file that
 * straddles chunks; either way the bytes are the file's bytes, in order.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { buildTar } from '../../src/engine/build-tar.js';
import { TarReader, type EntrySink } from '../../src/engine/tar-reader.js';

interface Seen {
  wholes: number;
  writes: number;
  bytes: Buffer;
}

/** Feed `tar` in chunks of `step` bytes; collect each file's bytes and how they came. */
function read(tar: Buffer, step: number, withWhole: boolean): Map<string, Seen> {
  const seen = new Map<string, Seen>();
  const reader = new TarReader(
    (h) => {
      const s: Seen = { wholes: 0, writes: 0, bytes: Buffer.alloc(0) };
      seen.set(h.name, s);
      const sink: EntrySink = {
        write(chunk) {
          s.writes++;
          s.bytes = Buffer.concat([s.bytes, chunk]);
        },
      };
      if (withWhole) {
        sink.whole = (buf, start, end) => {
          s.wholes++;
          // A copy: the range is only valid during the call.
          s.bytes = Buffer.concat([s.bytes, Buffer.from(buf.subarray(start, end))]);
        };
      }
      return sink;
    },
    () => {},
  );
  for (let o = 0; o < tar.length; o += step) reader.write(tar.subarray(o, o + step));
  reader.end();
  return seen;
}

test('a file in one chunk comes whole as a range; one across chunks comes in writes; the bytes are the same', async () => {
  const files = [
    { name: 'a/small.txt', content: randomBytes(700) },
    { name: 'a/medium.bin', content: randomBytes(40_000) },
    { name: 'a/one-block.txt', content: randomBytes(512) },
    { name: 'a/big.bin', content: randomBytes(300_000) },
  ];
  const tar = await buildTar(files);
  // One chunk: every file comes whole, once, and never through write.
  const one = read(tar, tar.length, true);
  for (const f of files) {
    const s = one.get(f.name)!;
    assert.deepEqual([s.wholes, s.writes], [1, 0], f.name);
    assert.ok(s.bytes.equals(f.content), f.name);
  }
  // 4 KiB chunks: the small file still lies in one chunk; the big ones straddle chunks and
  // come in writes, never as a partial `whole`.
  const small = read(tar, 4096, true);
  for (const f of files) {
    const s = small.get(f.name)!;
    assert.ok(s.bytes.equals(f.content), f.name);
    if (f.content.length > 4096) assert.deepEqual([s.wholes, s.writes > 1], [0, true], f.name);
    assert.ok(s.wholes + s.writes >= 1 && (s.wholes === 0 || s.writes === 0), `${f.name}: whole and writes mixed`);
  }
  // A sink without `whole` gets the same bytes through write.
  const plain = read(tar, tar.length, false);
  for (const f of files) assert.ok(plain.get(f.name)!.bytes.equals(f.content), f.name);
});

test("at an entry's header, entryChunk names the chunk that holds its whole data, and only then", async () => {
  const files = [
    { name: 'a/small.txt', content: randomBytes(700) },
    { name: 'a/one-block.txt', content: randomBytes(512) },
    { name: 'a/tiny.txt', content: randomBytes(3) },
    { name: 'a/medium.bin', content: randomBytes(9_000) },
    { name: 'a/empty', content: Buffer.alloc(0) },
    { name: 'a/last.txt', content: randomBytes(1_500) },
  ];
  const tar = await buildTar(files);
  // Chunk sizes that cut headers in two (1000, 700: not multiples of 512) as well as data, and
  // one (512) where every header ends a chunk: the data then starts in the next one.
  for (const step of [tar.length, 4096, 1000, 700, 512]) {
    let atHeader = 0;
    let wholeFromIt = 0;
    const reader: TarReader = new TarReader(
      (h) => {
        const f = files.find((x) => x.name === h.name)!;
        const chunk = reader.entryChunk;
        const at = reader.entryDataOffset;
        if (chunk) {
          atHeader++;
          assert.ok(chunk.subarray(at, at + reader.entryDataLength).equals(f.content), `${step}: ${f.name}`);
        }
        // Said whole at its header: then delivered whole, from that chunk and place.
        return {
          write() {
            assert.ok(!chunk, `${step}: ${f.name} came in pieces after entryChunk said it was whole`);
          },
          whole(buf, start, end) {
            assert.equal(end - start, f.content.length);
            if (!chunk) return; // (whole in the next chunk: its header ended the one before)
            wholeFromIt++;
            assert.ok(chunk === buf && at === start, `${step}: ${f.name}`);
          },
        };
      },
      () => {},
    );
    for (let o = 0; o < tar.length; o += step) reader.write(tar.subarray(o, o + step));
    reader.end();
    // (An empty file lies whole in any chunk, and has no data to deliver.)
    assert.equal(atHeader, wholeFromIt + 1, `${step}`);
    if (step === tar.length) assert.equal(wholeFromIt, files.length - 1);
    else if (step === 512) assert.equal(wholeFromIt, 0);
    else assert.ok(wholeFromIt > 0 && wholeFromIt < files.length - 1, `${step}: ${wholeFromIt} whole`);
  }
});
