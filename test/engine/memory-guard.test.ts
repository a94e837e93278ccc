/** The heap bound between the slices of work done after a load (engine/steps.ts inSlices). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resetLimits } from '../../src/engine/limits.js';
import { watchHeap } from '../../src/engine/memory-guard.js';
import { inSlices } from '../../src/engine/steps.js';

test('work in slices stops with the heap error once the heap is past its bound, naming the work', async () => {
  let steps = 0;
  function* work(): Generator<void, number, void> {
    for (let i = 0; i < 100; i++) {
      steps++;
      yield;
    }
    return steps;
  }
  // Under a bound it cannot exceed, the work runs to its end …
  process.env.LAYERLENS_MAX_HEAP_BYTES = '64G';
  resetLimits();
  let unwatch = watchHeap();
  try {
    assert.equal(await inSlices(work(), { sliceMs: 0, where: 'running the checks' }), 100);
  } finally {
    unwatch();
  }
  // … past one (this process's heap is far over a megabyte), it stops before another step.
  process.env.LAYERLENS_MAX_HEAP_BYTES = '1M';
  resetLimits();
  steps = 0;
  unwatch = watchHeap();
  try {
    await assert.rejects(inSlices(work(), { sliceMs: 0, where: 'running the checks' }), (err: Error) =>
      /^running the checks: the image needs more memory than allowed \(\d+ MB in use, limit 1 MB\): to read it, raise LAYERLENS_MAX_HEAP_BYTES/.test(
        err.message,
      ),
    );
    assert.equal(steps, 0);
  } finally {
    unwatch();
    delete process.env.LAYERLENS_MAX_HEAP_BYTES;
    resetLimits();
  }
});
