/**
 * --timeout and its duration syntax, and --password-stdin's bounded read (src/cli/source-options.ts),
 * with their one-line usage errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { LayerlensError } from '../../src/errors/index.js';
import { parseDuration, readPassword } from '../../src/cli/source-options.js';
import { MAX_TOKEN_LENGTH } from '../../src/sources/registry/limits.js';

test('durations as Go and trivy write them, or bare seconds', () => {
  assert.equal(parseDuration('--timeout', undefined), undefined);
  assert.equal(parseDuration('--timeout', '30'), 30_000);
  assert.equal(parseDuration('--timeout', '30s'), 30_000);
  assert.equal(parseDuration('--timeout', '1.5'), 1500);
  assert.equal(parseDuration('--timeout', '500ms'), 500);
  assert.equal(parseDuration('--timeout', '2m'), 120_000);
  assert.equal(parseDuration('--timeout', '1m30s'), 90_000);
  assert.equal(parseDuration('--timeout', '5m0s'), 300_000);
  assert.equal(parseDuration('--timeout', '1h'), 3_600_000);
  for (const bad of ['', 'soon', '30x', '-5s', 's', '1m 30s'])
    assert.throws(
      () => parseDuration('--timeout', bad),
      (e: Error) =>
        e instanceof LayerlensError && e.code === 'USAGE' && /use a duration such as 30s, 2m or 500ms/.test(e.message),
    );
  assert.throws(() => parseDuration('--timeout', '50ms'), /use a duration from 100ms to 24h/);
  assert.throws(() => parseDuration('--timeout', '25h'), /use a duration from 100ms to 24h/);
});

test('the CLI refuses a bad --timeout with one line and exit 2, before any source is tried', () => {
  for (const args of [
    ['inspect', '--timeout', 'never', 'example.org/app:1'],
    ['registry', 'audit', 'example.org', '--timeout', '0s'],
  ]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^layerlens: --timeout /);
  }
});

test("--password-stdin: the password as piped, one line end dropped; past a token's bound, a usage error", async () => {
  const pw = randomBytes(24).toString('base64url');
  assert.equal(await readPassword(Readable.from([Buffer.from(`${pw}\n`)])), pw);
  assert.equal(await readPassword(Readable.from([Buffer.from(pw.slice(0, 5)), Buffer.from(`${pw.slice(5)}\r\n`)])), pw);
  // Exactly at the bound (with its line end): read.
  const longest = 'x'.repeat(MAX_TOKEN_LENGTH);
  assert.equal(await readPassword(Readable.from([Buffer.from(`${longest}\n`)])), longest);
  const usage = (e: Error) =>
    e instanceof LayerlensError && e.code === 'USAGE' && /^--password-stdin: more than 16 KiB on stdin/.test(e.message);
  await assert.rejects(readPassword(Readable.from([Buffer.from(`${longest}x`)])), usage);
  // An endless source: reading stops at the bound (the generator is not drained).
  let pulled = 0;
  async function* endless() {
    for (;;) {
      pulled++;
      yield Buffer.alloc(4096, 0x61);
    }
  }
  await assert.rejects(readPassword(endless()), usage);
  assert.ok(pulled <= MAX_TOKEN_LENGTH / 4096 + 2, `${pulled} chunks read`);
});

test('the CLI refuses an endless --password-stdin with one line and exit 2', { timeout: 60_000 }, async () => {
  // `yes` never ends: before the bound, layerlens read it until memory ran out.
  const child = spawn(
    'sh',
    [
      '-c',
      'yes | "$0" --import tsx src/cli/main.ts inspect --username u --password-stdin example.org/app:1',
      process.execPath,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(status, 2, err);
  assert.equal(err.trim().split('\n').length, 1, err);
  assert.match(err, /^layerlens: --password-stdin: more than 16 KiB on stdin/);
});
