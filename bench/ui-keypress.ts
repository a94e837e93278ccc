/**
 * Keypress-to-frame cost of the explorer on a 500k-entry tree (a benchmark, not a test): the key
 * through the key table (dispatch) + the whole screen's lines (render-screen) + putting them on
 * the terminal, per key, for navigation, collapse, layer switch and filter. Target: p95 ≤ 16 ms.
 *
 *   node --import tsx bench/ui-keypress.ts [entries]                    the painter (what runs)
 *   node --import tsx bench/ui-keypress.ts --ink-incremental [entries]  Ink 6's renderer instead,
 *       with incrementalRendering, on a fake 180×50 terminal (the measurement behind keeping the
 *       painter: docs/architecture.md, "One render path"; ink and react are dev dependencies
 *       for this alone)
 *   node --import tsx bench/ui-keypress.ts --ink [entries]              Ink's renderToString
 */
// The CLI's V8 settings first, as main.ts applies them (optimizing-compiler budget, heap growth):
// the explorer measured as the CLI runs it.
import '../src/cli/v8-tuning.js';
import React from 'react';
import { Box, Text, render, renderToString } from 'ink';
import { applyEntries, ImageModel } from '../src/engine/image.js';
import type { LayerEntry, LayerItem } from '../src/engine/parse-layer.js';
import { SegmentedList } from '../src/engine/segmented-list.js';
import { mapHistory } from '../src/engine/history.js';
import type { ImageConfig, EntryAttrs } from '../src/engine/types.js';
import { Explorer } from '../src/ui/explorer.js';
import type { KeyEvent } from '../src/ui/input.js';
import { dispatch } from '../src/ui/keys.js';
import { screen } from '../src/ui/render-screen.js';
import { Painter } from '../src/ui/painter.js';
import { PassThrough, Writable } from 'node:stream';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500_000);
const W = 180;
const H = 50;

function file(size: number): EntryAttrs {
  return { type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 0 };
}
const DIR: EntryAttrs = { type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0 };

function build(): ImageModel {
  const t0 = performance.now();
  const model = new ImageModel();
  // Layer 0: N entries: /usr/share/pkgNNNN/{lib,doc}/fileMMM (≈ 1000 packages).
  const l0: LayerEntry[] = [];
  const pkgs = Math.ceil(N / 500);
  for (let p = 0; p < pkgs && l0.length < N; p++) {
    const pkg = `pkg${String(p).padStart(4, '0')}`;
    l0.push({ kind: 'entry', path: `usr/share/${pkg}`, attrs: DIR });
    for (const sub of ['lib', 'doc']) {
      l0.push({ kind: 'entry', path: `usr/share/${pkg}/${sub}`, attrs: DIR });
      for (let f = 0; f < 248 && l0.length < N; f++)
        l0.push({
          kind: 'entry',
          path: `usr/share/${pkg}/${sub}/file${f}.${sub === 'lib' ? 'so' : 'txt'}`,
          attrs: file((p * 31 + f * 17) % 9000),
        });
    }
  }
  // Layer 1: rewrites 10k files; layer 2: deletes 5k; layer 3: adds 20k elsewhere.
  const l1: LayerEntry[] = [];
  for (let i = 0; i < 10_000; i++) l1.push(l0[(i * 37) % l0.length]);
  const l2: LayerEntry[] = [];
  for (let i = 0; i < 5_000; i++) {
    const e = l0[(i * 53 + 7) % l0.length];
    if (e.kind === 'entry' && e.attrs.type === 'file') l2.push({ kind: 'whiteout', parts: e.path.split('/') });
  }
  const l3: LayerEntry[] = [];
  for (let i = 0; i < 20_000; i++)
    l3.push({ kind: 'entry', path: `app/m${Math.floor(i / 100)}/f${i}.js`, attrs: file(i % 4000) });
  const layers = [l0, l1, l2, l3];
  const config: ImageConfig = {
    rootfs: { type: 'layers', diff_ids: layers.map((_, i) => `sha256:${String(i).repeat(64)}`) },
    history: layers.map((_, i) => ({ created_by: `/bin/sh -c step ${i}` })),
    config: { ExposedPorts: { '22/tcp': {}, '8080/tcp': {} } },
  };
  (model as unknown as { meta: unknown }).meta = {
    reference: 'bench',
    source: 'demo',
    config,
    layers: layers.map(() => ({})),
    history: mapHistory(config),
  };
  model.layers = layers.map((l, index) => ({ index, state: 'done', bytesRead: 0, size: l.length * 1000 }));
  layers.forEach((entries, i) => applyEntries(model.tree, i, SegmentedList.of<LayerItem>(entries)));
  model.appliedCount = layers.length;
  model.done = true;
  console.log(
    `tree: ${model.tree.nodeCount.toLocaleString()} paths, built in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  return model;
}

function inkFrame(lines: string[]): string {
  return renderToString(
    React.createElement(
      Box,
      { flexDirection: 'column' },
      lines.map((l, i) => React.createElement(Text, { key: i }, l)),
    ),
    { columns: W },
  );
}

interface Stat {
  name: string;
  samples: number[];
}

// The terminal path: Painter diffs lines and writes escape sequences (to a sink here).
const painter = new Painter(new Writable({ write: (_c, _e, cb) => cb() }));
const viaInk = process.argv.includes('--ink');
/** `--slow`: print each key over 16 ms with where its time went. */
const showSlow = process.argv.includes('--slow');
const viaInkIncremental = process.argv.includes('--ink-incremental');

/**
 * Ink's own renderer on a terminal-like sink: React reconciles one <Text> per line, Ink lays out
 * and writes the frame; `incrementalRendering` rewrites only the lines that changed. The frame is
 * height−1 lines (a full-height frame makes Ink clear the whole screen on every render).
 */
function inkIncremental(): (lines: string[]) => void {
  const out = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  Object.assign(out, { isTTY: true, columns: W, rows: H });
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  Object.assign(input, { isTTY: false, setRawMode: () => {}, ref: () => {}, unref: () => {} });
  const frame = (lines: string[]) =>
    React.createElement(
      Box,
      { flexDirection: 'column' },
      lines.slice(0, H - 1).map((l, i) => React.createElement(Text, { key: i }, l)),
    );
  const inst = render(frame(screen(ex)), {
    stdout: out,
    stdin: input,
    incrementalRendering: true,
    maxFps: 1000, // (the default 30 holds frames back by up to 33 ms: measure the renderer, not the throttle)
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return (lines) => {
    inst.rerender(frame(lines));
  };
}

function measure(ex: Explorer, stat: Stat, input: string, key: Partial<KeyEvent> = {}): void {
  const t0 = performance.now();
  dispatch(ex, { kind: 'key', name: key.name ?? (input === ' ' ? 'space' : input), ...key } as KeyEvent);
  const t1 = performance.now();
  const lines = screen(ex);
  const t2 = performance.now();
  if (viaInkIncremental) inkPaint!(lines);
  else if (viaInk) inkFrame(lines);
  else painter.paint(lines);
  const t3 = performance.now();
  stat.samples.push(t3 - t0);
  if (showSlow && t3 - t0 > 16)
    console.log(
      `  slow: ${stat.name} '${input || key.name}' ${(t3 - t0).toFixed(1)} ms (key ${(t1 - t0).toFixed(1)}, lines ${(t2 - t1).toFixed(1)}, paint ${(t3 - t2).toFixed(1)})`,
    );
  settle();
}

/**
 * A view the key started to build in slices (a big layer's walk: its changes, or a filter's over
 * its paths) built to the end, as the terminal does between keys, its slices timed (`walk`),
 * then its frame.
 */
function settle(): void {
  if (!ex.tree.building) return;
  for (let done = false; !done; ) {
    const s0 = performance.now();
    done = ex.tree.buildStep(5);
    walk.samples.push(performance.now() - s0);
  }
  if (inkPaint) inkPaint(screen(ex));
  else if (viaInk) inkFrame(screen(ex));
  else painter.paint(screen(ex));
}

function report(s: Stat): void {
  const v = s.samples.slice().sort((a, b) => a - b);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  console.log(
    `${s.name.padEnd(28)} n=${String(v.length).padStart(4)}  p50 ${q(0.5).toFixed(2).padStart(6)} ms  p95 ${q(0.95).toFixed(2).padStart(6)} ms  max ${v[v.length - 1].toFixed(2).padStart(7)} ms`,
  );
}

const model = build();
if (process.env.BENCH_GC_FIRST && globalThis.gc) globalThis.gc();
const ex = new Explorer({ model });
// As in the terminal: a filter is applied once typing pauses (timed separately below).
ex.filterDelayMs = 120;
ex.resize(W, H);
ex.refreshFindings();
const inkPaint = viaInkIncremental ? inkIncremental() : undefined;
if (viaInk) inkFrame(screen(ex)); // warm up
painter.paint(screen(ex));
const stats: Stat[] = [];
const stat = (name: string) => {
  const s = { name, samples: [] as number[] };
  stats.push(s);
  return s;
};

// (Created first, filled by settle() and the filter's walks below; reported after the keys.)
const walk: Stat = { name: 'a walk in slices: one slice (a key waits at most this long)', samples: [] };
const nav = stat('navigation (j/k/PgDn/G/g)');
for (let i = 0; i < 300; i++) measure(ex, nav, 'j');
for (let i = 0; i < 50; i++) measure(ex, nav, '', { name: 'pagedown' });
for (let i = 0; i < 100; i++) measure(ex, nav, 'k');
measure(ex, nav, 'G');
for (let i = 0; i < 20; i++) measure(ex, nav, '', { name: 'pageup' });
measure(ex, nav, 'g');

const fold = stat('collapse/expand (h/l/space)');
for (let i = 0; i < 60; i++) {
  measure(ex, fold, 'j');
  fold.samples.pop();
  measure(ex, fold, ' ');
}
measure(ex, fold, '-');
measure(ex, fold, '+');

const layers = stat('layer switch ([ ])');
for (let i = 0; i < 40; i++) measure(ex, layers, i % 8 < 4 ? ']' : '[');

const mode = stat('mode switch (a)');
for (let i = 0; i < 20; i++) measure(ex, mode, 'a');

// Hiding and showing each kind of change (added, modified, removed, unmodified): each key four
// times, so every kind is shown again at the end.
const kinds = stat('kind toggle (1 2 3 4)');
for (let i = 0; i < 16; i++) measure(ex, kinds, String((i % 4) + 1));

const filter = stat('filter keystroke (aggregated)');
ex.selectLayer(0);
measure(ex, filter, '/');
for (const ch of 'file12') measure(ex, filter, ch);
for (let i = 0; i < 6; i++) measure(ex, filter, '', { name: 'backspace' });
for (const ch of '/doc/file1[0-9]\\.txt$/') measure(ex, filter, ch);
measure(ex, filter, '', { name: 'escape' });

// What the pause then costs: one pass over the layer's paths. On a big tree it runs in slices
// (Explorer.applyFilter: back to back, one per turn of the event loop, in the terminal; driven
// here), so a key pressed meanwhile waits at most for the slice under way, then has its frame;
// the filtered frame comes once the whole pass is done.
const apply = stat('filter applied after a pause (the whole walk and its frame)');
for (const f of ['file12', 'pkg0042', '/doc/file1[0-9]\\.txt$/', 'nothing-matches-this']) {
  const t0 = performance.now();
  ex.applyFilter(f);
  walk.samples.push(performance.now() - t0);
  let slices = 1;
  for (let done = false; !done; slices++) {
    const s0 = performance.now();
    done = ex.filterSlice();
    walk.samples.push(performance.now() - s0);
  }
  if (inkPaint) inkPaint(screen(ex));
  else painter.paint(screen(ex));
  if (ex.tree.filterText !== f) throw new Error(`filter ${f} was not applied`);
  apply.samples.push(performance.now() - t0);
  if (showSlow)
    console.log(`  filter ${JSON.stringify(f)} applied: ${(performance.now() - t0).toFixed(1)} ms in ${slices} slices`);
}
// A layer switch with a filter in use: the new layer's view is walked in slices too (the key
// itself draws at once, the rows once the walk is done).
const filteredLayers = stat('layer switch with a filter in use (the key)');
const filteredWalk = stat('layer switch with a filter in use (the whole walk and its frame)');
ex.applyFilter('file12');
while (!ex.filterSlice());
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  measure(ex, filteredLayers, i < 3 ? ']' : '[');
  settle();
  filteredWalk.samples.push(performance.now() - t0);
  if (showSlow) console.log(`  layer ${ex.layer} with the filter: ${(performance.now() - t0).toFixed(1)} ms`);
}
ex.applyFilter('');

const filterChanges = stat('filter keystroke (changes)');
ex.selectLayer(1);
dispatch(ex, { kind: 'key', name: 'a' });
measure(ex, filterChanges, '/');
for (const ch of 'pkg00') measure(ex, filterChanges, ch);
measure(ex, filterChanges, '', { name: 'escape' });

console.log(
  `keypress → frame (model update + screen lines + ${viaInkIncremental ? "Ink's render with incrementalRendering" : viaInk ? "Ink's renderToString" : 'painted diff'}), ${W}×${H} terminal:`,
);
for (const s of stats) report(s);
report(walk);
const all: Stat = {
  name: 'all keys',
  samples: stats.filter((s) => s !== apply && s !== filteredWalk).flatMap((s) => s.samples),
};
report(all);
process.exit(0); // pending filter timers
