/**
 * The explorer's compare view (`layerlens OLD NEW`) at work: once both images are read, their
 * comparison (findings/compare) and their final filesystems merged into one tree (NEW written
 * over OLD as a layer: merged-tree.ts), which the file tree shows with the same marks and colours
 * as a layer's changes; the viewer shows a changed file as a diff of its two versions, and
 * extract writes either. The state is compare-state.ts; render-compare.ts draws it.
 */
import type { ImageModel } from '../engine/image.js';
import { locateContent, readLayerFile } from '../engine/layer-file.js';
import type { TreeNode } from '../engine/tree.js';
import type { Version } from '../engine/types.js';
import { align } from '../findings/compare/align.js';
import { COMPARING } from '../findings/compare/index.js';
import { digestHex, digestOf } from '../findings/compare/digest.js';
import { mergedOrigin, mergedTreeSteps, type MergedOrigin } from '../findings/compare/merged-tree.js';
import { safeText } from '../text/safe-text.js';
import { inSlices } from '../engine/steps.js';
import { bothDone, type CompareState, refreshRows, type Side } from './compare-state.js';
import type { Explorer, ViewerState } from './explorer.js';
import { makeDoc } from './viewer.js';

/**
 * The comparison, once both images are read: computed (asynchronously: the findings and the
 * vulnerability database), then the merged tree is built and the explorer switches its file tree
 * to it. Called again after it started does nothing.
 */
export function finishCompare(ex: Explorer): void {
  const c = ex.compare;
  if (!c || c.comparing || c.result || c.error || !bothDone(c)) return;
  const failed = c.old.error
    ? `old image: ${c.old.error.message}`
    : c.new.error
      ? `new image: ${c.new.error.message}`
      : '';
  if (failed) {
    c.error = safeText(failed);
    return;
  }
  c.comparing = true;
  ex.track(
    (async () => {
      try {
        const result = await c.compare();
        // Two images of a million paths each: seconds of work, in slices between keys.
        const merged = await inSlices(mergedTreeSteps(c.old, c.new), { where: COMPARING });
        c.comparing = false;
        c.result = result;
        c.merged = merged;
        refreshRows(c);
        ex.showComparison(merged);
        const f = result.files;
        ex.setMessage(
          result.identical
            ? 'compared: no differences'
            : `compared: +${f.added} ~${f.modified} -${f.removed} files, ${result.findings.new.length} new findings, ${result.findings.resolved.length} resolved`,
          'ok',
        );
      } catch (err) {
        c.comparing = false;
        c.error = safeText(err instanceof Error ? err.message : String(err));
        ex.setMessage(`comparison failed: ${c.error}`, 'error');
      }
    })(),
  );
}

/** What the merged tree holds for a path: its version in OLD (layer 0) and in NEW (layer 1, or gone). */
export interface MergedVersions {
  path: string;
  old?: Version;
  new?: Version;
}

export function mergedVersions(node: TreeNode): MergedVersions {
  const o = node.liveAt(0);
  const n = node.liveAt(1);
  return { path: node.path, old: o, new: n };
}

/** Where a merged version's bytes are read: its image and that image's layer. */
function source(c: CompareState, v: Version | undefined): { model: ImageModel; origin: MergedOrigin } | undefined {
  const origin = mergedOrigin(v);
  return origin ? { model: origin.side === 'old' ? c.old : c.new, origin } : undefined;
}

/**
 * `v` in the compare view: a file both images hold with other content opens as a diff of the two
 * versions (text) or says how they differ (binary); any other file opens as the image holding it
 * has it. Directories and links say what they are, as in the one-image view.
 */
export function openCompareViewer(ex: Explorer): void {
  const c = ex.compare;
  const node = ex.tree.cursor;
  if (!c?.merged || !node) {
    ex.setMessage(c?.merged ? 'nothing selected' : 'the comparison is not ready yet');
    return;
  }
  const m = mergedVersions(node);
  const shown = m.new ?? m.old!;
  const p = safeText(m.path);
  if (shown.type === 'dir') {
    ex.setMessage(`${p} is a directory: → or Enter opens it, ← closes it`);
    return;
  }
  if (shown.type === 'symlink' || shown.type === 'hardlink') {
    const was =
      m.old && m.new && m.old.linkTarget !== m.new.linkTarget ? ` (was → ${safeText(m.old.linkTarget ?? '?')})` : '';
    ex.setMessage(
      `${p} is a ${shown.type === 'symlink' ? 'symlink' : 'hard link'} to ${safeText(shown.linkTarget ?? '?')}${was}`,
    );
    return;
  }
  if (shown.type !== 'file') {
    ex.setMessage(`${p} is a ${shown.special ?? shown.type}: no content to show`);
    return;
  }
  const changed = m.old && m.new && mergedOrigin(m.new)?.side === 'new';
  if (changed && m.old!.type === 'file') openDiff(ex, c, m);
  else {
    const side = m.new ? (mergedOrigin(m.new)?.side ?? 'old') : 'old';
    const note = !m.old ? 'only in new' : !m.new ? 'only in old: removed in new' : 'the same in both images';
    openOne(ex, c, m.path, shown, side, note);
  }
}

function openOne(ex: Explorer, c: CompareState, path: string, v: Version, side: Side, note: string): void {
  const src = source(c, v)!;
  const loc = locateContent(src.model, path, src.origin.layer);
  if (!loc) {
    ex.setMessage(`${safeText(path)}: not found in the ${side} image`, 'error');
    return;
  }
  const state: ViewerState = { path, layer: loc.layer, loading: true, hex: false, scroll: 0, hscroll: 0 };
  ex.viewer = state;
  ex.track(
    readLayerFile(src.model, loc.layer, loc.path, undefined, loc.version.entry).then(
      (r) => {
        state.loading = false;
        state.doc = makeDoc(path, loc.layer, r.data, r.size, r.truncated, note);
        state.doc.title = `${side} L${loc.layer}`;
        state.hex = state.doc.binary;
      },
      (err: unknown) => {
        state.loading = false;
        state.error = safeText(err instanceof Error ? err.message : String(err));
      },
    ),
  );
}

/** Lines that change between the two, as a unified diff of the whole file (secrets masked by the viewer). */
export function lineDiff(oldText: string, newText: string): string[] {
  const split = (t: string) => {
    const l = t.split(/\r?\n/);
    if (l.length > 1 && l[l.length - 1] === '') l.pop();
    return l;
  };
  const a = split(oldText);
  const b = split(newText);
  return align(a.length, b.length, (i, j) => (a[i] === b[j] ? 1 : 0)).map((p) =>
    p.a === null ? `+ ${b[p.b]}` : p.b === null ? `- ${a[p.a]}` : `  ${a[p.a]}`,
  );
}

function openDiff(ex: Explorer, c: CompareState, m: MergedVersions): void {
  const o = source(c, m.old)!;
  const n = source(c, m.new)!;
  const lo = locateContent(o.model, m.path, o.origin.layer);
  const ln = locateContent(n.model, m.path, n.origin.layer);
  if (!lo || !ln) {
    ex.setMessage(`${safeText(m.path)}: not found in both images`, 'error');
    return;
  }
  const state: ViewerState = { path: m.path, layer: ln.layer, loading: true, hex: false, scroll: 0, hscroll: 0 };
  ex.viewer = state;
  ex.track(
    Promise.all([
      readLayerFile(o.model, lo.layer, lo.path, undefined, lo.version.entry),
      readLayerFile(n.model, ln.layer, ln.path, undefined, ln.version.entry),
    ]).then(
      ([ro, rn]) => {
        state.loading = false;
        const a = makeDoc(m.path, lo.layer, ro.data, ro.size, ro.truncated);
        const b = makeDoc(m.path, ln.layer, rn.data, rn.size, rn.truncated);
        const title = `old L${lo.layer} → new L${ln.layer}`;
        if (a.binary || b.binary) {
          const digest = (v: Version | undefined) => {
            const d = digestOf(v);
            return d ? digestHex(d) : 'not hashed';
          };
          const text = [
            'Binary content differs:',
            `  old ${digest(m.old)} (${ro.size} bytes, layer ${lo.layer})`,
            `  new ${digest(m.new)} (${rn.size} bytes, layer ${ln.layer})`,
            '',
            'x extracts either version.',
          ].join('\n');
          state.doc = makeDoc(m.path, ln.layer, Buffer.from(text), text.length, false, 'binary');
        } else {
          const lines = lineDiff(a.text, b.text);
          const text = lines.join('\n');
          const cut = ro.truncated || rn.truncated ? ' (the first bytes of each)' : '';
          state.doc = makeDoc(m.path, ln.layer, Buffer.from(text), rn.size, false, `diff${cut}`);
          state.doc.diff = true;
        }
        state.doc.title = title;
      },
      (err: unknown) => {
        state.loading = false;
        state.error = safeText(err instanceof Error ? err.message : String(err));
      },
    ),
  );
}

/** The versions `x` can extract at the cursor: a modified file offers both. */
export function extractSides(ex: Explorer): Array<{ side: Side; layer: number; path: string }> {
  const c = ex.compare;
  const node = ex.viewer ? ex.tree.tree.lookupPath(ex.viewer.path) : ex.tree.cursor;
  if (!c?.merged || !node) return [];
  const m = mergedVersions(node);
  const out: Array<{ side: Side; layer: number; path: string }> = [];
  for (const v of [m.old, m.new]) {
    const src = source(c, v);
    if (!src || out.some((o) => o.side === src.origin.side)) continue;
    const loc = locateContent(src.model, m.path, src.origin.layer);
    if (loc && loc.version.type === 'file') out.push({ side: src.origin.side, layer: loc.layer, path: loc.path });
  }
  return out;
}
