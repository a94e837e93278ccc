/**
 * The one render path as production runs it: a Session reads input bytes and paints line diffs
 * on a terminal; here the terminal is a virtual one (test/support/vt.ts) that applies what was
 * written, so the tests read the screen a user would see.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { before, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { demoImage } from '../../src/sources/demo/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { Explorer } from '../../src/ui/explorer.js';
import { screenLines } from '../../src/ui/render-screen.js';
import { findingsDelay, Session } from '../../src/ui/session.js';
import { plain } from '../../src/ui/style.js';
import { HOSTILE_LAYERS, loadedDemo, loadedImage } from '../support/ui.js';
import { untilShown, VirtualTerminal } from '../support/vt.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

const until = untilShown;
let model: ImageModel;
before(async () => {
  ({ model } = await loadedDemo());
});

function start(m: ImageModel, columns = 120, rows = 30) {
  const term = new VirtualTerminal(columns, rows);
  const input = new PassThrough();
  const ex = new Explorer({ model: m });
  const session = new Session({ explorer: ex, input, output: term, frameMs: 5, findingsMs: 5 });
  session.start();
  return { term, input, ex, session, expected: () => screenLines(ex).map(plain) };
}

test('the terminal shows exactly the frame the renderer makes, and keys redraw at once', async () => {
  const { term, input, ex, session, expected } = start(model);
  assert.deepEqual(term.screen(), expected());
  assert.deepEqual(term.unknown, [], 'only sequences a terminal understands');
  input.write('jj');
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin/awk', 'two keys in one read are two commands');
  assert.deepEqual(term.screen(), expected());
  input.write('\x1b[B'); // ↓
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin/basename');
  assert.deepEqual(term.screen(), expected());
  session.stop();
});

test('only changed lines are repainted; Ctrl+L repaints everything', async () => {
  const { term, input, session } = start(model);
  term.raw = '';
  input.write('j');
  await tick();
  const rows = (term.raw.match(/\x1b\[\d+;1H/g) ?? []).length;
  assert.ok(rows > 0 && rows <= 4, `a cursor move repaints the lines that changed (${rows})`);
  term.raw = '';
  input.write('\x0c');
  await tick();
  assert.match(term.raw, /\x1b\[2J/, 'the screen is cleared');
  assert.equal((term.raw.match(/\x1b\[\d+;1H/g) ?? []).length, 30, 'every line is painted again');
  session.stop();
});

test('a resize repaints at the new size', async () => {
  const { term, ex, session, expected } = start(model);
  term.resize(80, 24);
  await tick();
  assert.equal(ex.width, 80);
  assert.deepEqual(term.screen(), expected());
  for (const l of term.screen()) assert.equal([...l].filter((c) => c !== '').length, 80);
  session.stop();
});

test('q resolves done; mouse reports act as clicks', async () => {
  const { input, ex, session } = start(model);
  input.write('\x1b[<0;5;7M\x1b[<0;5;7m');
  await tick();
  assert.equal(ex.focus, 'layers');
  assert.equal(ex.layer, 3, 'the click on the fourth layer row selected it');
  input.write('q');
  await session.done;
  assert.equal(ex.quit, true);
  session.stop();
});

test('layers stream in: the first frame before any layer, progress, findings while loading, the full list at the end', async () => {
  const d = await demoImage();
  const m = new ImageModel();
  const reader = memoryReader(d.meta, d.blobs);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let early = 0;
  const load = m.load({
    ...reader,
    async *blobs() {
      const it = reader.blobs();
      let i = 0;
      for await (const b of it) {
        if (i++ === 5) await gate; // five layers in, then hold
        yield b;
      }
    },
  });
  const term = new VirtualTerminal(160, 45);
  const ex = new Explorer({
    model: m,
    early: () => {
      early++;
      return [];
    },
    findings: () => [],
  });
  const session = new Session({ explorer: ex, input: new PassThrough(), output: term, frameMs: 5, findingsMs: 5 });
  session.start();
  let s = await until(term, /loading 5\/8/);
  assert.match(s, /queued/);
  assert.match(s, /RUN apt-get update/, 'commands are there before the layers');
  assert.ok(early > 0, 'the early findings ran while loading');
  release();
  await load;
  s = await until(term, /✔ 8 layers/);
  s = await until(term, /efficiency \d+\.\d%/);
  assert.equal(ex.findingsFinal, true);
  session.stop();
});

test('hostile names reach the terminal escaped: nothing but the painter’s own sequences', async () => {
  const m = await loadedImage(HOSTILE_LAYERS);
  const { term, ex, session } = start(m);
  ex.tree.expandAll();
  session.paint();
  assert.deepEqual(term.unknown, []);
  assert.ok(term.text().includes('esc-title-\\e]0;PWNED\\x07'));
  assert.doesNotMatch(term.raw, /\x1b\]/, 'no OSC sequence was written');
  session.stop();
});

test('while layers arrive the findings are recomputed at most every findingsMs, or ten times their last cost', () => {
  assert.equal(findingsDelay(300, 0), 300);
  assert.equal(findingsDelay(300, 12), 300);
  // At two million paths the early findings took ~0.45 s: the next wait 4.5 s, not 0.3.
  assert.equal(findingsDelay(300, 450), 4500);
});
