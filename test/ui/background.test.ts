/** Work run in slices between turns of the event loop (ui/background.ts inSlices). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inSlices } from '../../src/engine/steps.js';

function* counted(n: number, log: string[]): Generator<void, number, void> {
  for (let i = 0; i < n; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return n * 10;
}

test('inSlices resolves with the result, and other callbacks run between its slices', async () => {
  const log: string[] = [];
  // Another task of the event loop, as a key or a frame would be.
  let ticks = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    ticks++;
    log.push('tick');
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await inSlices(counted(5, log), { sliceMs: 0 }); // a slice of one step each
  running = false;
  assert.equal(value, 50);
  assert.ok(ticks >= 5, `the other task ran between the slices (${ticks} times)`);
  // No two steps in a row: a tick between every two.
  for (let i = 1; i < log.length; i++)
    assert.ok(!(log[i].startsWith('step') && log[i - 1].startsWith('step')), log.join(', '));
});

test('inSlices runs nothing in the turn it is called in, and rejects with what the work throws', async () => {
  const log: string[] = [];
  const p = inSlices(counted(2, log));
  assert.deepEqual(log, [], 'the first slice waits for the next turn');
  assert.equal(await p, 20);
  function* failing(): Generator<void, number, void> {
    yield;
    throw new Error('a check failed');
  }
  await assert.rejects(inSlices(failing()), /a check failed/);
});
