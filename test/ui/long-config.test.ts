/**
 * A config of 40,000 history entries and 40,000 ENV lines (1.6 MiB of JSON, far under the 16 MiB
 * a config may be): the History and Image panels made every line again on every frame, each
 * value's secrets looked for, and each key took 0.2–0.8 s. Their lines are now kept while the
 * metadata, the layer, reveal and the width stay: a frame costs what the screen shows. The kept
 * lines follow `r` (masked, then revealed) and a resize.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageConfig } from '../../src/engine/types.js';
import { memoryReader } from '../../src/sources/memory.js';
import { screenLines } from '../../src/ui/render-screen.js';
import { plain } from '../../src/ui/style.js';
import { alnum } from '../support/fake-secrets.js';
import { explorerOn, press, text, type } from '../support/ui.js';
import { metaOfConfig } from '../support/oci-layout.js';

const N = 40_000;
const token = `ghp_${alnum(36)}`;

async function longConfig(): Promise<ImageModel> {
  const tar = await buildTar([{ name: 'a.txt', content: 'a\n' }]);
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: Array.from({ length: N }, (_, i) => ({
      created_by: `RUN step-${i} ${'x'.repeat(40)}`,
      ...(i < N - 1 ? { empty_layer: true } : {}),
    })),
    config: { Env: [`GITHUB_TOKEN=${token}`, ...Array.from({ length: N }, (_, i) => `KEY_${i}=value-${i}`)] },
  };
  const meta = metaOfConfig(config, [tar], 'long', 'demo');
  const model = new ImageModel();
  await model.load(memoryReader(meta, [tar]));
  return model;
}

test('40,000 history entries and ENV lines: scrolling the panels costs a frame, not the whole list again', async () => {
  const ex = explorerOn(await longConfig(), { width: 160, height: 45 });
  for (const panel of ['c', 'i']) {
    type(ex, panel);
    type(ex, 'r'); // (reveal on: the panel's lines are made again, once)
    let t0 = performance.now();
    screenLines(ex);
    const made = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < 30; i++) {
      press(ex, 'pagedown');
      screenLines(ex);
    }
    const frame = (performance.now() - t0) / 30;
    // (Each frame made every line again: as long as the first one. Kept lines: a small part of it.)
    assert.ok(frame < made / 4, `${panel}: the first frame ${Math.round(made)} ms, then ${Math.round(frame)} ms each`);
    type(ex, 'r');
  }
  type(ex, 'c');
  press(ex, 'end');
  assert.match(text(ex), /step-39999/);
});

test('the kept lines follow reveal and the width', async () => {
  const ex = explorerOn(await longConfig(), { width: 160, height: 45 });
  type(ex, 'i');
  const env = () =>
    screenLines(ex)
      .map(plain)
      .find((l) => l.includes('GITHUB_TOKEN='));
  assert.match(env() ?? '', /GITHUB_TOKEN=ghp_…\(40 chars\)/);
  assert.ok(!text(ex).includes(token));
  type(ex, 'r');
  assert.ok(env()?.includes(token), env());
  type(ex, 'r');
  assert.ok(!text(ex).includes(token));
  ex.resize(100, 30);
  for (const l of screenLines(ex).map(plain)) assert.equal([...l].length, 100, l);
});

test('a history comment of megabytes: the History panel shows it without running out of stack', async () => {
  // (Its wrapped lines were spread into one push(): 16 MiB at 60 columns is ~270,000 arguments,
  // past what a call takes, and the explorer ended with "nested too deeply".)
  const tar = await buildTar([{ name: 'a.txt', content: 'a\n' }]);
  const comment = 'word '.repeat((16 * 1024 * 1024) / 5);
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created_by: 'RUN true', comment }],
  };
  const meta = metaOfConfig(config, [tar], 'comment', 'demo');
  const model = new ImageModel();
  await model.load(memoryReader(meta, [tar]));
  const ex = explorerOn(model, { width: 60, height: 30 });
  type(ex, 'c');
  const shown = text(ex);
  assert.match(shown, /RUN true/);
  assert.match(shown, /# word word/);
});
