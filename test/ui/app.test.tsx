/** The Ink component over the Explorer, driven through ink-testing-library's stdin. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { render } from 'ink-testing-library';
import { ImageModel } from '../../src/engine/image.js';
import { memoryReader } from '../../src/sources/memory.js';
import { demoImage } from '../../src/sources/demo/index.js';
import { App } from '../../src/ui/app.js';
import { Explorer } from '../../src/ui/explorer.js';
import { stripAnsi } from '../../src/ui/style.js';
import { memoryImage } from '../support/image.js';
import { HOSTILE_LAYERS, loadedDemo, nonSgrEscapes } from '../support/ui.js';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
let model: ImageModel;

before(async () => {
  ({ model } = await loadedDemo());
});

function mount(m: ImageModel, rows = 30) {
  const ex = new Explorer({ model: m });
  ex.resize(100, rows); // ink-testing-library: columns 100, rows undefined
  const r = render(<App explorer={ex} frameMs={5} />);
  return { ex, ...r, frame: () => stripAnsi(r.lastFrame() ?? '') };
}

test('renders the frame, moves with j/k and arrows, quits with q', async () => {
  const { ex, stdin, frame, unmount } = mount(model);
  await tick();
  assert.equal(frame().split('\n').length, 29, 'frame is rows-1 lines');
  assert.match(frame(), /Layers/);
  assert.equal(ex.tree.cursor?.path, '/bin');
  stdin.write('j');
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin/ash');
  stdin.write('\x1b[B'); // down arrow
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin/awk');
  stdin.write('k');
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin/ash');
  stdin.write('g');
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin');
  stdin.write('q');
  await tick();
  assert.equal(ex.quit, true);
  unmount();
});

test('keys arriving in one chunk are separate commands; tab moves focus', async () => {
  const { ex, stdin, frame, unmount } = mount(model);
  await tick();
  stdin.write(']]]');
  await tick();
  assert.equal(ex.layer, 3);
  assert.match(frame(), /Filesystem at layer 3/);
  stdin.write('\t');
  await tick();
  assert.equal(ex.focus, 'side');
  stdin.write('\x1b[Z'); // shift-tab
  await tick();
  assert.equal(ex.focus, 'tree');
  unmount();
});

test('help overlay, filter typing with backspace, collapse with h/l', async () => {
  const { ex, stdin, frame, unmount } = mount(model, 40);
  await tick();
  stdin.write('?');
  await tick();
  assert.match(frame(), /Keys/);
  assert.match(frame(), /extract the file to a path you confirm/);
  stdin.write('\x1b');
  await tick(60);
  assert.equal(ex.help, false);
  stdin.write('/');
  await tick();
  stdin.write('passwdX');
  await tick();
  stdin.write('\x7f'); // backspace
  await tick();
  assert.equal(ex.filterDraft, 'passwd');
  assert.match(frame(), /\/ passwd▏/);
  assert.match(frame(), /passwd/);
  assert.doesNotMatch(frame(), /busybox/);
  stdin.write('\r');
  await tick();
  assert.equal(ex.filterEditing, false);
  assert.equal(ex.tree.filterText, 'passwd');
  stdin.write('\x1b');
  await tick(60);
  assert.equal(ex.tree.filterText, '');
  assert.equal(ex.tree.cursor?.path, '/etc/passwd', 'the cursor stays on the match when the filter goes');
  stdin.write('g');
  await tick();
  stdin.write('h');
  await tick();
  assert.equal(ex.tree.cursor?.path, '/bin');
  assert.equal(ex.tree.rows().find((r) => r.node.path === '/bin')?.expanded, false);
  assert.doesNotMatch(frame(), /busybox/);
  stdin.write('l');
  await tick();
  assert.equal(ex.tree.rows().find((r) => r.node.path === '/bin')?.expanded, true);
  assert.match(frame(), /busybox/);
  unmount();
});

test('resize events re-layout the frame', async () => {
  const { ex, stdout, frame, unmount } = mount(model);
  await tick();
  Object.defineProperty(stdout, 'columns', { value: 100, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: 20, configurable: true });
  (stdout as unknown as { emit: (e: string) => void }).emit('resize');
  await tick();
  assert.equal(ex.height, 20);
  assert.equal(frame().split('\n').length, 19);
  unmount();
});

test('layers stream in: queued/reading first, the tree fills in as layers arrive', async () => {
  const d = await demoImage();
  const m = new ImageModel();
  const reader = memoryReader(d.meta, d.blobs);
  // Hold the blobs back until the first frame is drawn.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = {
    ...reader,
    async *blobs() {
      await gate;
      yield* reader.blobs();
    },
  };
  const load = m.load(slow);
  const { frame, unmount } = mount(m);
  await tick(30);
  let f = frame();
  assert.match(f, /loading 0\/8/);
  assert.match(f, /queued/);
  assert.match(f, /RUN apt-get update/, 'commands are there before any layer content');
  assert.match(f, /layer 0 is (queued|loading)/);
  release();
  await load;
  await tick(60);
  f = frame();
  assert.match(f, /✔ 8 layers/);
  assert.match(f, /bin/);
  unmount();
});

test('hostile names never reach the frame raw', async () => {
  const { meta, blobs } = await memoryImage(HOSTILE_LAYERS);
  const m = new ImageModel();
  await m.load(memoryReader(meta, blobs));
  const { ex, lastFrame, unmount } = mount(m);
  ex.tree.expandAll();
  await tick();
  const raw = lastFrame() ?? '';
  assert.deepEqual(nonSgrEscapes(raw), []);
  assert.ok(stripAnsi(raw).includes('esc-title-\\e]0;PWNED\\x07'));
  unmount();
});
