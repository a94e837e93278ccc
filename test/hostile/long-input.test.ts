/**
 * An input of any length (a 100,000-character reference, as a script may pass one) is one line
 * that ends in its reason: the error line quoted it whole, and a line longer than a pipe holds
 * was cut at 64 KiB when the CLI exited (no reason, no line end, for a CI log to show).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertOneLineError, runCli } from '../support/hostile-cli.js';

const LONG = 'a'.repeat(100_000);

for (const command of ['inspect', 'scan']) {
  test(`${command} of a 100,000-character reference: one short line, its reason at the end`, async () => {
    const r = await runCli([command, LONG]);
    const line = assertOneLineError(r, command);
    assert.match(
      line,
      /^layerlens: invalid reference "a+ … \(\d+ characters left out\) … a+": reference must not be longer than 2048 characters$/,
    );
    assert.ok(line.length < 10_000, `${line.length} characters`);
  });
}
