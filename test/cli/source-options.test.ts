/** --timeout and its duration syntax (src/cli/source-options.ts), and its one-line usage errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { LayerlensError } from '../../src/errors/index.js';
import { parseDuration } from '../../src/cli/source-options.js';

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
