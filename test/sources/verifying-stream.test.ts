/**
 * The stored-blob check (sources/oci-layout/digest.ts verifyingStream): a sha256 taken on the
 * hashing thread beside the layer's diffID. It passes every byte through unchanged, fails a blob
 * that does not match, and a thread that stops while it holds the blob fails it with one line.
 * (sha384/sha512 digests are hashed on this thread.)
 *
 * The thread is stopped in the last test only: the tests run in order in this file's process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { stopStreamHashForTest, streamHashReady } from '../../src/engine/stream-hash.js';
import { LayerlensError } from '../../src/errors/index.js';
import { verifyingStream } from '../../src/sources/oci-layout/digest.js';

const digest = (alg: string, data: Buffer) => `${alg}:${createHash(alg).update(data).digest('hex')}`;

/** `data` through the check in pieces of up to 70,000 bytes; what came out. */
async function through(data: Buffer, want: string, onPiece?: (n: number) => Promise<void>): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces = function* () {
    for (let at = 0; at < data.length; at += 70_000) yield data.subarray(at, at + 70_000);
  };
  let n = 0;
  await pipeline(
    Readable.from(pieces()),
    verifyingStream(want, 'stored blob'),
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        if (!onPiece) return cb();
        onPiece(n++).then(() => cb(), cb);
      },
    }),
  );
  return Buffer.concat(out);
}

test('a blob that matches its digest passes through unchanged, on the thread and for sha512 alike', async () => {
  assert.equal(await streamHashReady(), true);
  const data = randomBytes(3 * (1 << 20) + 4321);
  assert.deepEqual(await through(data, digest('sha256', data)), data);
  assert.deepEqual(await through(data, digest('sha512', data)), data);
  assert.deepEqual(await through(Buffer.alloc(0), digest('sha256', Buffer.alloc(0))), Buffer.alloc(0));
});

test('a blob that does not match fails with DIGEST_MISMATCH naming both digests', async () => {
  const data = randomBytes(2 * (1 << 20));
  const other = Buffer.from(data);
  other[123_456] ^= 1;
  for (const alg of ['sha256', 'sha512']) {
    await assert.rejects(
      through(other, digest(alg, data)),
      (err: unknown) =>
        err instanceof LayerlensError &&
        err.code === 'DIGEST_MISMATCH' &&
        /^stored blob does not match its digest sha(256|512):[0-9a-f]{12} \(got sha(256|512):[0-9a-f]{12}\)/.test(
          err.message,
        ),
    );
  }
});

test('a blob whose stream is made before the thread has loaded is still hashed on the thread', {
  timeout: 60_000,
}, () => {
  // A fresh process: the stream is made at once, as a load's first layers are, while the thread
  // is still loading. Its first chunk waits for the thread; nothing is hashed here. A wrong digest
  // still fails it.
  const src = (f: string) => JSON.stringify(new URL(f, import.meta.url).href);
  const script = `
    const { verifyingStream } = await import(${src('../../src/sources/oci-layout/digest.ts')});
    const { streamHashStats } = await import(${src('../../src/engine/stream-hash.ts')});
    const { createHash, randomBytes } = await import('node:crypto');
    const { Readable, Writable } = await import('node:stream');
    const { pipeline } = await import('node:stream/promises');
    const data = randomBytes(5 << 20);
    const want = 'sha256:' + createHash('sha256').update(data).digest('hex');
    const run = async (digest) => {
      const check = verifyingStream(digest, 'stored blob');
      let n = 0;
      await pipeline(Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]), check,
        new Writable({ write(c, _e, cb) { n += c.length; cb(); } }));
      return n;
    };
    const n = await run(want);
    const bad = await run(want.slice(0, -1) + (want.endsWith('0') ? '1' : '0')).then(() => 'passed', (e) => e.code);
    console.log(JSON.stringify({ n, here: streamHashStats.hashedHere, bad }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 50_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { n: 5 << 20, here: 0, bad: 'DIGEST_MISMATCH' });
});

test('a thread that stops while it holds the blob fails it with one line', async () => {
  const data = randomBytes(6 * (1 << 20));
  await assert.rejects(
    through(data, digest('sha256', data), async (n) => {
      if (n === 20) await stopStreamHashForTest();
    }),
    (err: unknown) => err instanceof LayerlensError && /the hashing thread stopped/.test(err.message),
  );
  // Later blobs are hashed here, and still checked.
  assert.deepEqual(await through(data, digest('sha256', data)), data);
  const other = Buffer.from(data);
  other[0] ^= 1;
  await assert.rejects(through(other, digest('sha256', data)), /does not match its digest/);
});
