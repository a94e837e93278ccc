/** Assertions on the one-line, user-facing errors (LayerlensError) that bad input must produce. */
import assert from 'node:assert/strict';
import { LayerlensError } from '../../src/errors/index.js';

/** Assert `p` rejects with a one-line LayerlensError with `code` whose message matches `re`. */
export async function rejectsWith(p: Promise<unknown>, code: string, re: RegExp): Promise<LayerlensError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LayerlensError, `not a LayerlensError: ${(err as Error)?.stack}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    assert.ok(!err.message.includes('\n'), `multi-line message: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${code}`);
}
