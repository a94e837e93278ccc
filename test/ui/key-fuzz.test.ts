/**
 * Random keys (seeded, so a failure replays) on the explorer in the states users meet: the demo,
 * hostile names, an image that failed to load, one with no metadata yet, a path 1,500 directories
 * deep, and the compare view. Whatever the keys do: no key throws, every frame is exactly the
 * terminal at whatever size it was resized to, nothing but colour codes reaches it, and nothing
 * is written to disk (extract and export prompts get random text and Enter too).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { demoImage } from '../../src/sources/demo/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import type { Explorer } from '../../src/ui/explorer.js';
import type { KeyEvent } from '../../src/ui/input.js';
import { dispatch } from '../../src/ui/keys.js';
import { screenLines } from '../../src/ui/render-screen.js';
import { plain } from '../../src/ui/style.js';
import { memoryImage } from '../support/image.js';
import {
  compareExplorerOn,
  explorerOn,
  HOSTILE_LAYERS,
  loadedDemo,
  loadedImage,
  nonSgrEscapes,
} from '../support/ui.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'layerlens-key-fuzz-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const NAMED = [
  'tab',
  'enter',
  'escape',
  'backspace',
  'up',
  'down',
  'left',
  'right',
  'pageup',
  'pagedown',
  'home',
  'end',
  'space',
  'delete',
];
// Every letter and sign the key table binds, and text for the prompts (a path, a filter).
const CHARS = [...'[]nNa/1234s-+=re<>kjhlgGvxcpfuidbmyY?.é\\*()'];

function keys(seed: number): () => KeyEvent {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  return () => {
    const r = rnd(20);
    if (r < 8) return { kind: 'key', name: NAMED[rnd(NAMED.length)], shift: rnd(6) === 0 };
    if (r === 8) return { kind: 'key', name: ['l', 'f', 'a', 'space'][rnd(4)], ctrl: true };
    if (r === 9) return { kind: 'key', name: 'resize', shift: rnd(2) === 0 };
    return { kind: 'key', name: CHARS[rnd(CHARS.length)] };
  };
}

const SIZES: Array<[number, number]> = [
  [160, 45],
  [20, 5],
  [40, 10],
  [80, 24],
  [200, 45],
  [120, 12],
];

/** Press `n` random keys; returns how many distinct states (focus, side panel, mode, overlays) were seen. */
async function fuzz(name: string, ex: Explorer, seed: number, n: number): Promise<number> {
  const next = keys(seed);
  let [w, h] = SIZES[0];
  ex.resize(w, h);
  const states = new Set<string>();
  for (let i = 0; i < n; i++) {
    const k = next();
    const at = `${name}, seed ${seed}, key ${i} ${JSON.stringify(k)}`;
    if (k.name === 'resize') {
      [w, h] = SIZES[(i * 7 + seed) % SIZES.length];
      ex.resize(w, h);
    } else assert.doesNotThrow(() => dispatch(ex, k), at);
    ex.quit = false; // (q and Ctrl+C quit: the keys go on)
    if (i % 10 === 0) await new Promise((r) => setImmediate(r)); // async work (viewer reads, checks) lands
    const lines = screenLines(ex).map(plain);
    assert.equal(lines.length, h, `${at}: the frame's height`);
    for (const l of lines) assert.equal([...l].length, w, `${at}: a line's width`);
    assert.deepEqual(
      lines.flatMap((l) => nonSgrEscapes(l)),
      [],
      `${at}: only colour codes`,
    );
    states.add(`${ex.focus} ${ex.side} ${ex.tree.mode} ${!!ex.viewer} ${!!ex.prompt} ${ex.help}`);
  }
  return states.size;
}

test('random keys on the demo, hostile names, a failed image, no metadata and a deep path', async () => {
  const { model } = await loadedDemo();
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'a.txt', content: 'one\n' }] },
    { entries: [{ name: 'b.txt', content: 'two\n' }] },
  ]);
  const tampered = blobs.map((b) => Buffer.from(b));
  tampered[1][600] ^= 0x20;
  const failed = new ImageModel();
  await assert.rejects(failed.load(memoryReader(meta, tampered)));
  const deep = Array.from({ length: 1500 }, () => 'd').join('/');
  const deepModel = await loadedImage([
    { entries: [{ name: `${deep}/leaf`, content: 'x' }] },
    {
      entries: [
        { name: `${deep}/leaf`, content: 'yy' },
        { name: 'e/f/g', content: 'z' },
      ],
    },
  ]);
  const cases: Array<[string, ImageModel, number]> = [
    ['demo', model, 3000],
    ['hostile names', await loadedImage(HOSTILE_LAYERS), 2000],
    ['failed image', failed, 1500],
    ['no metadata yet', new ImageModel(), 600],
    ['deep path', deepModel, 1200],
  ];
  for (const [name, m, n] of cases) {
    const states = await fuzz(name, explorerOn(m, { cwd }), name.length * 31, n);
    assert.ok(states >= 10, `${name}: the keys reached only ${states} states`);
  }
  assert.deepEqual(readdirSync(cwd), [], 'nothing written');
});

test('random keys on the compare view', async () => {
  const demo = await demoImage();
  const hostile = await memoryImage(HOSTILE_LAYERS);
  const { ex } = await compareExplorerOn(
    [memoryReader(demo.meta, demo.blobs), memoryReader(hostile.meta, hostile.blobs)],
    { cwd, titles: ['demo', 'hostile'] },
  );
  const states = await fuzz('compare', ex, 7, 3000);
  assert.ok(states >= 10, `the keys reached only ${states} states`);
  assert.deepEqual(readdirSync(cwd), [], 'nothing written');
});
