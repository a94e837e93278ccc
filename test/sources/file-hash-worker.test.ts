/** The layer-hashing worker's per-range digests (the content digests of an uncompressed layer in a file). */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LayerlensError } from '../../src/errors/index.js';
import { hashFileRanges } from '../../src/sources/file-hash-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-ranges-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the sha256 of each range, in order; past the end of the file, a TRUNCATED error naming it', async () => {
  const f = join(dir, 'blob.bin');
  const data = randomBytes(3 << 20);
  writeFileSync(f, data);
  // Offsets from 1000: two small ranges, one larger than the worker's 1 MiB buffer, an empty one.
  const ranges = [0, 100, 200, 3000, 5000, (1 << 20) + 77, 9000, 0];
  const out = await hashFileRanges(f, 1000, ranges);
  assert.ok(out);
  assert.equal(out.length, 32 * 4);
  for (let i = 0; i < 4; i++) {
    const [o, l] = [1000 + ranges[2 * i], ranges[2 * i + 1]];
    assert.deepEqual(
      out.subarray(32 * i, 32 * i + 32),
      createHash('sha256')
        .update(data.subarray(o, o + l))
        .digest(),
      `range ${i}`,
    );
  }
  truncateSync(f, 2000);
  await assert.rejects(hashFileRanges(f, 1000, [0, 100, 200, 3000])!, (err: unknown) => {
    assert.ok(err instanceof LayerlensError);
    assert.equal(err.code, 'TRUNCATED');
    assert.ok(err.message.startsWith(f), err.message);
    return true;
  });
});
