/**
 * The full checks in steps (findings/index.ts checkSteps): the explorer runs them a slice at a
 * time between keys once a big image is in. Run in steps, interleaved with other work, they give
 * the same findings as run at once; and their walks over every path do yield.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageModel } from '../../src/engine/image.js';
import { INDEX_STEP, nodeIndex } from '../../src/findings/content.js';
import { checkSteps, earlyFindings, earlySteps, runChecks, sharedWalkSteps } from '../../src/findings/index.js';
import * as f from '../support/fake-secrets.js';
import { loadImage } from '../support/findings-image.js';
import { manyPaths } from '../support/many-paths.js';

const now = new Date('2026-11-28T00:00:00Z');

/** Run `steps` to the end, calling `between` after each step; the result and the steps taken. */
function stepThrough<T>(steps: Generator<void, T, void>, between: () => void = () => {}): { value: T; steps: number } {
  let n = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, steps: n };
    n++;
    between();
  }
}

const ctx = { reference: 'memory', now };

test('the full checks in steps give the findings of the checks at once, and their walks yield', async () => {
  const key = f.rsaPem();
  const atOnce = runChecks(await loadImage(manyPaths(key)), ctx);
  const model = await loadImage(manyPaths(key));
  const stepped = stepThrough(checkSteps(model, ctx));
  assert.deepEqual(stepped.value, atOnce, 'the same findings, ids and order');
  assert.ok(
    atOnce.some((x) => x.ruleId === 'deleted-file' && x.severity === 'critical'),
    'the deleted key is found (the checks did run)',
  );
  // Three walks over thousands of paths each (the shared index over every node, then the paths
  // with a history twice: the efficiency figures, the superseded files), each a step per
  // INDEX_STEP paths.
  const nodes = model.tree.allNodes.length;
  const history = nodeIndex(model.tree).history.length;
  assert.ok(history > 2 * INDEX_STEP, `a history for most paths (${history})`);
  const expected = Math.floor(nodes / INDEX_STEP) + 2 * Math.floor(history / INDEX_STEP);
  assert.equal(stepped.steps, expected, 'a step per INDEX_STEP paths of each walk, no more, no fewer');
});

test('the shared walk run in steps is the index every check then reads (no second walk)', async () => {
  const model = await loadImage(manyPaths(f.rsaPem()));
  const walked = stepThrough(sharedWalkSteps(model.tree));
  assert.equal(walked.steps, Math.floor(model.tree.allNodes.length / INDEX_STEP));
  assert.equal(nodeIndex(model.tree), walked.value, 'kept for the tree as it stands');
  // The checks after it walk only the paths with a history.
  const history = walked.value.history.length;
  assert.equal(stepThrough(checkSteps(model, ctx)).steps, 2 * Math.floor(history / INDEX_STEP));
});

test('other checks run between the steps (the early findings, on their partial index) change nothing', async () => {
  const key = f.rsaPem();
  const atOnce = runChecks(await loadImage(manyPaths(key)), ctx);
  const model: ImageModel = await loadImage(manyPaths(key));
  let early = 0;
  const stepped = stepThrough(checkSteps(model, ctx), () => {
    early += earlyFindings(model, 'memory').length;
  });
  assert.ok(early > 0, 'the early findings ran between the steps');
  assert.deepEqual(stepped.value, atOnce);
});

test('the early findings in steps: the same list as at once, a fold dropped halfway begun again', async () => {
  const key = f.rsaPem();
  const atOnce = earlyFindings(await loadImage(manyPaths(key)), 'memory');
  assert.ok(
    atOnce.some((x) => x.ruleId === 'deleted-file' && x.severity === 'critical'),
    'the deleted key is among the early findings',
  );
  const model = await loadImage(manyPaths(key));
  // A build dropped after a few steps (a newer one took over): its fold of the partial index
  // stopped in the middle of a layer.
  const dropped = earlySteps(model, 'memory');
  for (let i = 0; i < 3; i++) assert.equal(dropped.next().done, false);
  const stepped = stepThrough(earlySteps(model, 'memory'));
  assert.deepEqual(stepped.value, atOnce);
  assert.ok(stepped.steps > 0, 'the fold of the layers went on in steps');
  // Folded now: the next build walks only the paths with a history (the deleted-file check).
  const history = stepThrough(sharedWalkSteps(model.tree)).value.history.length;
  assert.equal(stepThrough(earlySteps(model, 'memory')).steps, Math.floor(history / INDEX_STEP));
});
