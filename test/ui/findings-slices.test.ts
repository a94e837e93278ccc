/**
 * The explorer's findings made in slices between keys (explorer.ts startEarly, cli/explore.ts): the
 * early findings of a big image are made a slice per turn of the event loop, and the full checks'
 * list, once there, is never replaced by early findings that finish after it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Steps } from '../../src/engine/steps.js';
import { earlyFindings, earlySteps, type Finding, runChecks } from '../../src/findings/index.js';
import { computeEfficiency, keptEfficiency } from '../../src/findings/efficiency.js';
import { formatPercent } from '../../src/text/bytes.js';
import { Explorer } from '../../src/ui/explorer.js';
import { efficiencyFooter } from '../../src/ui/render-panels.js';
import { screen } from '../../src/ui/render-screen.js';
import * as f from '../support/fake-secrets.js';
import { loadImage } from '../support/findings-image.js';
import { manyPaths } from '../support/many-paths.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Turns of the event loop until `done` (at most `max`); how many it took. */
async function turnsUntil(done: () => boolean, max = 10_000): Promise<number> {
  let n = 0;
  while (!done()) {
    assert.ok(++n <= max, 'the work never finished');
    await turn();
  }
  return n;
}

const ids = (fs: readonly Finding[]) => fs.map((x) => x.id);

test('the early findings are made after the explorer opens, between turns of the event loop, as made at once', async () => {
  const key = f.rsaPem();
  const expected = earlyFindings(await loadImage(manyPaths(key)), 'test');
  const model = await loadImage(manyPaths(key));
  const ex = new Explorer({ model, early: (m) => earlySteps(m, 'test') });
  assert.deepEqual(ex.findings, [], 'nothing is walked in the turn the explorer opens in');
  const turns = await turnsUntil(() => ex.findings.length > 0);
  assert.ok(turns >= 1);
  assert.deepEqual(ids(ex.findings), ids(expected));
  assert.ok(ex.lastEarlyMs > 0, 'the time they took is kept (the session spaces the next by it)');
  assert.equal(ex.findingsFinal, false);
});

test("early findings that finish after the full checks do not replace the full checks' list", async () => {
  const model = await loadImage(manyPaths(f.rsaPem()));
  const full = runChecks(model, { reference: 'test' });
  let releaseFull!: (l: Finding[]) => void;
  let releaseEarly = false;
  // Early findings that take until the test says so (a slice of yields per turn until then).
  function* slowEarly(): Steps<Finding[]> {
    while (!releaseEarly) yield;
    return earlyFindings(model, 'test');
  }
  // Loaded already: the full checks start at once; the early findings are listed until they end.
  const ex = new Explorer({
    model,
    early: () => slowEarly(),
    findings: () => new Promise<Finding[]>((r) => (releaseFull = r)),
    sort: (fs) => fs,
  });
  assert.equal(ex.findingsPending, true);
  await turn();
  releaseFull(full);
  await turnsUntil(() => ex.findingsFinal);
  assert.deepEqual(ids(ex.findings), ids(full));
  releaseEarly = true;
  await turnsUntil(() => ex.lastEarlyMs > 0);
  assert.equal(ex.findingsFinal, true);
  assert.deepEqual(ids(ex.findings), ids(full), 'the full list stands');
});

test('while the full checks run, early findings that end first are listed, then replaced by the full list', async () => {
  const model = await loadImage(manyPaths(f.rsaPem()));
  const full = runChecks(model, { reference: 'test' });
  const early = earlyFindings(model, 'test');
  assert.notDeepEqual(ids(early), ids(full), 'the two lists differ (the full checks find more)');
  let releaseFull!: (l: Finding[]) => void;
  const ex = new Explorer({
    model,
    early: (m) => earlySteps(m, 'test'),
    findings: () => new Promise<Finding[]>((r) => (releaseFull = r)),
    sort: (fs) => fs,
  });
  await turnsUntil(() => ex.findings.length > 0);
  assert.deepEqual(ids(ex.findings), ids(early));
  assert.equal(ex.findingsFinal, false);
  releaseFull(full);
  await turnsUntil(() => ex.findingsFinal);
  assert.deepEqual(ids(ex.findings), ids(full));
});

test('while the full checks run, a frame shows the efficiency they make and never walks the tree for it', async () => {
  const model = await loadImage(manyPaths(f.rsaPem()));
  const ex = new Explorer({ model, findings: () => new Promise<Finding[]>(() => {}) });
  ex.resize(160, 30);
  assert.equal(ex.findingsPending, true);
  const footer = () => (efficiencyFooter(ex) ?? []).map((s) => s.t).join('');
  assert.match(footer(), /efficiency: the checks are running…/);
  screen(ex); // a whole frame, the image details panel included
  assert.equal(keptEfficiency(model), undefined, 'the frame computed nothing');
  // What the checks make is shown at the next frame.
  const report = computeEfficiency(model);
  assert.match(footer(), new RegExp(`efficiency ${formatPercent(report.score).replace('.', '\\.')}`));
  // Without full checks wired (or once they failed), the frame computes it, as before.
  const alone = new Explorer({ model: await loadImage(manyPaths(f.rsaPem())) });
  assert.match((efficiencyFooter(alone) ?? []).map((s) => s.t).join(''), /^ efficiency \d/);
});
