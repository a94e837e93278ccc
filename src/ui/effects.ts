/**
 * The explorer's asynchronous work: reading a file from a layer for the viewer, extracting a file
 * and exporting the findings. Each starts from the state, runs through `Explorer.track` (which
 * redraws when it settles) and reports back as state: the viewer's document, a message, or a
 * prompt (the target exists: overwrite?). Failures are one plain line.
 */
import path from 'node:path';
import { locateContent, readLayerFile } from '../engine/layer-file.js';
import { LayerlensError } from '../errors/index.js';
import { formatBytes } from '../text/bytes.js';
import { safeText } from '../text/safe-text.js';
import { extractSides, openCompareViewer } from './compare.js';
import type { Side } from './compare-state.js';
import type { Explorer, ViewerState } from './explorer.js';
import { EXPORT_EXT, type ExportFormat, writeReport } from './export.js';
import { extractFile, resolveTarget, safeFileName } from './extract.js';
import { makeDoc } from './viewer.js';
import { sameVersion } from '../engine/version-store.js';

function failure(err: unknown): string {
  return safeText(err instanceof Error ? err.message : String(err));
}

/** Where a symlink points, as an absolute in-image path (targets resolve within the image). */
export function linkDestination(linkPath: string, target: string): string {
  return path.posix.resolve(path.posix.dirname(linkPath), target);
}

/** `v` / Enter on a tree row: a file opens in the viewer; anything else says what it is. */
export function openViewer(ex: Explorer): void {
  if (ex.compare) {
    openCompareViewer(ex);
    return;
  }
  const node = ex.tree.cursor;
  if (!node) {
    ex.setMessage('nothing selected');
    return;
  }
  const p = node.path;
  const loc = locateContent(ex.model, p, ex.layer);
  if (!loc) {
    ex.setMessage(`${safeText(p)}: nothing to show in layer ${ex.layer}`, 'error');
    return;
  }
  const v = loc.version;
  if (v.type === 'dir') {
    ex.setMessage(`${safeText(p)} is a directory: → or Enter opens it, ← closes it`);
    return;
  }
  if (v.type === 'symlink') {
    const dest = linkDestination(p, v.linkTarget ?? '');
    const there = ex.model.tree.lookupPath(dest)?.liveAt(ex.layer);
    if (there && ex.tree.reveal(dest, ex.layer)) {
      ex.setMessage(`${safeText(p)} → ${safeText(v.linkTarget ?? '')}: moved to ${safeText(dest)} (v views it)`);
    } else {
      ex.setMessage(
        `${safeText(p)} is a symlink to ${safeText(v.linkTarget ?? '?')}, which is not in layer ${ex.layer}`,
      );
    }
    return;
  }
  if (v.type === 'hardlink') {
    ex.setMessage(
      `${safeText(p)} is a hard link to ${safeText(v.linkTarget ?? '?')}: v on that path shows the content`,
    );
    return;
  }
  if (v.type !== 'file') {
    ex.setMessage(`${safeText(p)} is a ${v.special ?? v.type}: no content to show`);
    return;
  }
  const later = laterNote(ex, p, loc.layer);
  const state: ViewerState = { path: p, layer: loc.layer, loading: true, hex: false, scroll: 0, hscroll: 0 };
  ex.viewer = state;
  ex.track(
    readLayerFile(ex.model, loc.layer, loc.path, undefined, loc.version.entry).then(
      (r) => {
        state.loading = false;
        state.doc = makeDoc(p, loc.layer, r.data, r.size, r.truncated, later);
        state.hex = state.doc.binary;
      },
      (err: unknown) => {
        state.loading = false;
        state.error = failure(err);
      },
    ),
  );
}

/** "deleted in layer 4" / "overwritten in layer 6" for a version a later layer hides. */
function laterNote(ex: Explorer, p: string, layer: number): string | undefined {
  const node = ex.model.tree.lookupPath(p);
  const v = node?.versionIn(layer) ?? node?.versionAt(layer);
  if (!node || !v) return undefined;
  const vs = node.versions;
  const next = vs[vs.findIndex((x) => sameVersion(x, v)) + 1];
  if (!next) return undefined;
  return `${next.change === 'removed' ? 'deleted' : 'overwritten'} in layer ${next.layer}`;
}

/** `x`: ask where to write the selected (or viewed) file (in the compare view: which version first, when both differ). */
export function startExtract(ex: Explorer): void {
  if (ex.compare) {
    const sides = extractSides(ex);
    if (!sides.length) ex.setMessage('only regular files can be extracted', 'error');
    else if (sides.length === 1) chooseExtractSide(ex, sides[0]);
    else ex.prompt = { kind: 'extract-side', sides };
    return;
  }
  const viewing = ex.viewer;
  const node = viewing ? ex.model.tree.lookupPath(viewing.path) : ex.tree.cursor;
  if (!node) {
    ex.setMessage('nothing selected');
    return;
  }
  const p = node.path;
  const loc = locateContent(ex.model, p, viewing ? viewing.layer : ex.layer);
  if (!loc || loc.version.type !== 'file') {
    const what = loc
      ? loc.version.type === 'other'
        ? (loc.version.special ?? 'special file')
        : loc.version.type
      : 'not in this layer';
    ex.setMessage(`${safeText(p)}: only regular files can be extracted (this is ${loc ? `a ${what}` : what})`, 'error');
    return;
  }
  ex.prompt = { kind: 'extract-path', value: safeFileName(p), path: loc.path, layer: loc.layer };
}

/** The compare view: extract this version (of the old or the new image): ask where to write it. */
export function chooseExtractSide(ex: Explorer, s: { side: Side; layer: number; path: string }): void {
  ex.prompt = {
    kind: 'extract-path',
    value: s.side === 'old' ? `${safeFileName(s.path)}.old` : safeFileName(s.path),
    path: s.path,
    layer: s.layer,
    side: s.side,
  };
}

/** Enter in the extract prompt: resolve the typed path and write. */
export function confirmExtract(ex: Explorer, typed: string, inImage: string, layer: number, side?: Side): void {
  ex.track(
    resolveTarget(typed, inImage, ex.cwd).then((t) => runExtract(ex, t, inImage, layer, false, side), onFail(ex)),
  );
}

export function runExtract(
  ex: Explorer,
  target: string,
  inImage: string,
  layer: number,
  overwrite: boolean,
  side?: Side,
): void {
  const model = side && ex.compare ? ex.compare[side] : ex.model;
  const from = side ? `the ${side} image's layer ${layer}` : `layer ${layer}`;
  ex.track(
    extractFile(model, layer, inImage, target, overwrite).then(
      (n) =>
        ex.setMessage(
          `extracted ${safeText(inImage)} from ${from} to ${safeText(target)} (${formatBytes(n)}, mode 600)`,
          'ok',
        ),
      (err: unknown) => {
        if (err instanceof LayerlensError && err.code === 'EXISTS')
          ex.prompt = { kind: 'extract-overwrite', target, path: inImage, layer, side };
        else onFail(ex)(err);
      },
    ),
  );
}

/** `e` then a format letter: the default file name for it. */
export function chooseExportFormat(ex: Explorer, format: ExportFormat): void {
  ex.prompt = { kind: 'export-path', value: `layerlens-findings.${EXPORT_EXT[format]}`, format };
}

/** Enter in the export prompt. */
export function confirmExport(ex: Explorer, typed: string, format: ExportFormat): void {
  ex.track(
    resolveTarget(typed, `layerlens-findings.${EXPORT_EXT[format]}`, ex.cwd).then(
      (t) => runExport(ex, format, t, false),
      onFail(ex),
    ),
  );
}

export function runExport(ex: Explorer, format: ExportFormat, target: string, overwrite: boolean): void {
  const findings = ex.findings;
  ex.track(
    writeReport(format, { meta: ex.model.meta, findings }, target, overwrite).then(
      (n) =>
        ex.setMessage(
          `wrote ${findings.length} findings as ${format} to ${safeText(target)} (${formatBytes(n)})${ex.findingsFinal ? '' : ' — the image was still loading: the list may grow'}`,
          'ok',
        ),
      (err: unknown) => {
        if (err instanceof LayerlensError && err.code === 'EXISTS')
          ex.prompt = { kind: 'export-overwrite', target, format };
        else onFail(ex)(err);
      },
    ),
  );
}

function onFail(ex: Explorer): (err: unknown) => void {
  return (err) => ex.setMessage(failure(err), 'error');
}
