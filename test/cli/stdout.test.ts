/** Long outputs written in pieces (cli/stdout.ts writePieces): memory does not grow with the output. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { writePieces } from '../../src/cli/stdout.js';

/**
 * A stream that writes synchronously, as Node's stdout does for a file or /dev/null: each write
 * is taken at once and its callback runs on the next tick. The writer must let those ticks run
 * before it goes on; a loop that went on on microtasks alone kept every chunk written (and its
 * callback) until the end, ~300 MB more for `inspect --json > file` of a million files.
 */
test('writePieces lets each synchronous write finish before it writes the next batch', async () => {
  let written = 0;
  let finished = 0;
  let behindMost = 0;
  const sink = new Writable({
    highWaterMark: 1 << 30, // never full: every write returns true, as a file's does
    write(_chunk: Buffer, _enc, cb) {
      written++;
      cb();
    },
  });
  const origWrite = sink.write.bind(sink);
  sink.write = ((chunk: string, cb?: (e?: Error | null) => void) => {
    behindMost = Math.max(behindMost, written - finished);
    return origWrite(chunk, (e?: Error | null) => {
      finished++;
      cb?.(e);
    });
  }) as typeof sink.write;
  function* pieces() {
    for (let i = 0; i < 2000; i++) yield 'x'.repeat(1000); // ~30 batches of 64 KiB
  }
  await writePieces(pieces(), sink);
  assert.ok(written >= 30, `batches written: ${written}`);
  // Each batch's callback has run before the next batch is written.
  assert.equal(behindMost, 0, `writes whose callback had not run when the next was made: ${behindMost}`);
});
