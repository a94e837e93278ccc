/**
 * The layer-hashing worker (src/sources/file-hash-worker.ts, its thread file-hash-thread.ts):
 * digests of file ranges, the one-line errors of a file that is missing or ends early, and the
 * fall-back to this thread when the worker stops with requests in flight.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LayerlensError } from '../../src/errors/index.js';
import { hashFileRange, stopHashWorkerForTest } from '../../src/sources/file-hash-worker.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'layerlens-hash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = randomBytes(3 << 20);
const file = path.join(dir, 'layers.bin');
writeFileSync(file, data);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('ranges of a file hashed on the worker', { timeout: 30_000 }, async () => {
  assert.equal(await hashFileRange(file, 0, -1), sha(data));
  assert.equal(await hashFileRange(file, 1000, 2_000_000), sha(data.subarray(1000, 2_001_000)));
  assert.equal(await hashFileRange(file, 0, 0), sha(Buffer.alloc(0)));
});

test('a missing file and a range past the end: one line naming the file', { timeout: 30_000 }, async () => {
  await assert.rejects(hashFileRange(path.join(dir, 'gone'), 0, -1)!, (e: Error) => {
    assert.ok(e instanceof LayerlensError);
    assert.equal(e.code, 'IO');
    assert.equal(e.message, `${path.join(dir, 'gone')}: no such file or directory`);
    return true;
  });
  await assert.rejects(hashFileRange(file, data.length - 10, 100)!, (e: Error) => {
    assert.ok(e instanceof LayerlensError);
    assert.equal(e.code, 'TRUNCATED');
    assert.equal(e.message, `${file}: the file ended 90 bytes early`);
    return true;
  });
});

test('the worker stops with requests in flight: they are hashed on this thread, new ones are left to the caller', {
  timeout: 30_000,
}, async () => {
  const big = path.join(dir, 'big.bin');
  const bytes = randomBytes(64 << 20);
  writeFileSync(big, bytes);
  const inFlight = [hashFileRange(big, 0, -1)!, hashFileRange(big, 5, 1 << 20)!];
  await stopHashWorkerForTest();
  assert.deepEqual(await Promise.all(inFlight), [sha(bytes), sha(bytes.subarray(5, 5 + (1 << 20)))]);
  assert.equal(hashFileRange(big, 0, -1), undefined, 'no worker any more: the caller hashes the stream itself');
});
