/** Shared setup for explorer tests: the demo image loaded, an Explorer on it, plain-text screens, keys. */
import { ImageModel } from '../../src/engine/image.js';
import { memoryReader } from '../../src/sources/memory.js';
import { demoImage, type DemoSecrets } from '../../src/sources/demo/index.js';
import type { ImageReader } from '../../src/engine/types.js';
import { compareImages, inventoryRecords } from '../../src/findings/compare/index.js';
import { loadForComparison } from '../../src/findings/compare/load.js';
import {
  createContentInspector,
  earlyFindings,
  packageInventory,
  runChecks,
  sortFindings,
} from '../../src/findings/index.js';
import { finishCompare } from '../../src/ui/compare.js';
import type { Finding } from '../../src/findings/types.js';
import { Explorer } from '../../src/ui/explorer.js';
import { parseInput } from '../../src/ui/input.js';
import { dispatch } from '../../src/ui/keys.js';
import { handleMouse } from '../../src/ui/mouse.js';
import { screenLines } from '../../src/ui/render-screen.js';
import { plain } from '../../src/ui/style.js';
import { memoryImage, type LayerInput } from './image.js';

export async function loadedDemo(): Promise<{ model: ImageModel; secrets: DemoSecrets }> {
  const d = await demoImage();
  const model = new ImageModel();
  await model.load(memoryReader(d.meta, d.blobs));
  return { model, secrets: d.secrets };
}

export async function loadedImage(layers: LayerInput[]): Promise<ImageModel> {
  const { meta, blobs } = await memoryImage(layers);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs));
  return model;
}

/**
 * An Explorer on `model` wired as the CLI wires it: the early findings while loading, the full
 * checks once loaded (`full: false` keeps the early ones), findings in the one order.
 */
export function explorerOn(
  model: ImageModel,
  opts: { width?: number; height?: number; cwd?: string; full?: boolean } = {},
): Explorer {
  const reference = () => model.meta?.reference ?? 'test';
  const ex = new Explorer({
    model,
    cwd: opts.cwd,
    early: (m) => earlyFindings(m, reference()),
    findings: opts.full === false ? undefined : (): Finding[] => runChecks(model, { reference: reference() }),
    sort: sortFindings,
  });
  ex.resize(opts.width ?? 160, opts.height ?? 45);
  ex.sync();
  return ex;
}

/**
 * The compare view (`layerlens OLD NEW`) on two images loaded together as the CLI loads them
 * (layers both hold parsed once, content digests), each side's checks and packages, the
 * comparison done: returns the explorer and the two models (old, new).
 */
export async function compareExplorerOn(
  readers: [ImageReader, ImageReader],
  opts: { cwd?: string; titles?: [string, string] } = {},
): Promise<{ ex: Explorer; models: ImageModel[] }> {
  const { models, done } = await loadForComparison(readers, {
    inspector: () => createContentInspector(),
    contentDigests: true,
  });
  await done;
  const side = (m: ImageModel) => ({
    model: m,
    findings: runChecks(m, { reference: 'memory' }),
    packages: inventoryRecords(packageInventory(m)),
  });
  const [oldTitle, newTitle] = opts.titles ?? ['old', 'new'];
  const ex = new Explorer({
    model: models[1],
    sort: sortFindings,
    cwd: opts.cwd,
    compare: {
      old: models[0],
      new: models[1],
      oldTitle,
      newTitle,
      compare: async () => compareImages(side(models[0]), side(models[1])),
    },
  });
  ex.resize(160, 45);
  ex.sync();
  finishCompare(ex);
  await ex.idle();
  return { ex, models };
}

export function text(ex: Explorer): string {
  return screenLines(ex).map(plain).join('\n');
}

/**
 * Type as a terminal sends it: each character is a key ("\r" Enter, "\x1b" alone Esc, "\t" Tab),
 * escape sequences are keys too ("\x1b[B" is ↓, "\x1b[<0;10;5M" a click).
 */
export function type(ex: Explorer, keys: string): void {
  for (const ev of parseInput(keys)) {
    if (ev.kind === 'key') dispatch(ex, ev);
    else handleMouse(ex, ev);
  }
}

/** Named keys, one event each: press(ex, 'down', 'enter', 'C-r'). */
export function press(ex: Explorer, ...names: string[]): void {
  for (const n of names) {
    const m = /^((?:[CMS]-)*)(.+)$/.exec(n)!;
    dispatch(ex, {
      kind: 'key',
      name: m[2],
      ctrl: m[1].includes('C-') || undefined,
      meta: m[1].includes('M-') || undefined,
      shift: m[1].includes('S-') || undefined,
    });
  }
}

/** A left click at the cell (x, y), 0-based, as an SGR mouse report. */
export function click(ex: Explorer, x: number, y: number): void {
  type(ex, `\x1b[<0;${x + 1};${y + 1}M\x1b[<0;${x + 1};${y + 1}m`);
}

/** A wheel step (down: +1) at the cell (x, y). */
export function wheel(ex: Explorer, x: number, y: number, down: boolean): void {
  type(ex, `\x1b[<${down ? 65 : 64};${x + 1};${y + 1}M`);
}

/** Hostile names, as in the integration fixture, built in-process. */
export const HOSTILE_LAYERS: LayerInput[] = [
  {
    entries: [
      { name: 'hostile/', type: 'directory' },
      { name: 'hostile/esc-title-\x1b]0;PWNED\x07', content: 'a' },
      { name: 'hostile/clear-\x1b[2J\x1b[H-screen', content: 'b' },
      { name: 'hostile/invoice-\u202efdp.exe', content: 'c' },
      { name: 'hostile/new\nline', content: 'd' },
      { name: 'hostile/red-\x1b[31m-dir/', type: 'directory' },
      { name: 'hostile/red-\x1b[31m-dir/inner', content: 'inner\n' },
      { name: 'hostile/link-to-esc', type: 'symlink', linkname: 'target-\x1b]0;PWNED\x07' },
      { name: 'hostile/content.txt', content: 'line one\n\x1b]0;PWNED-BY-CONTENT\x07\x1b[2J\u202eevil\n' },
    ],
    createdBy: '/bin/sh -c #(nop)  LABEL x=\x1b]0;PWNED-BY-HISTORY\x07',
  },
];

/** Only SGR colour codes may appear in rendered output. */
export function nonSgrEscapes(s: string): string[] {
  const out: string[] = [];
  const re = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m[0] === '\x1b' && /^\x1b\[[0-9;]*m/.test(s.slice(m.index))) continue;
    out.push(JSON.stringify(s.slice(m.index, m.index + 8)));
  }
  return out;
}
