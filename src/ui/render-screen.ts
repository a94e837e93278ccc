/**
 * The whole screen as lines: header, Layers, the side panel, the file tree, the status bar, and
 * the overlays (viewer, help, prompts), in the rectangles layout.ts gives. Pure: session.ts paints
 * these lines (painter.ts) and tests read the same lines.
 */
import { formatBytes, formatDuration } from '../text/bytes.js';
import { safeText } from '../text/safe-text.js';
import { fit, textWidth, truncate, truncateLeft, wrapWidth } from '../text/width.js';
import { bindingLabel } from './binding.js';
import type { Explorer } from './explorer.js';
import { bar } from './format.js';
import { HELP_SECTIONS, KEY_TABLE, statusHints } from './keys.js';
import { helpRect, type Layout } from './layout.js';
import { LEGEND } from './legend.js';
import { panelById, sideTabs } from './panels.js';
import { efficiencyFooter, layersBody, layersInfo, loadFailure } from './render-panels.js';
import { treeBody } from './render-tree.js';
import { ROW_CHANGES, type RowChange } from './tree-view.js';
import {
  compareLayersBody,
  compareLayersInfo,
  compareRowNote,
  compareState as compareStateSegs,
  compareTitle,
  compareTreeTitle,
} from './render-compare.js';
import { box, fitLine, lineWidth, seg, spliceLine, toAnsi, type Line, type Seg, type Style } from './style.js';
import { hexLine, hexMask } from './viewer.js';

function platformText(ex: Explorer): string {
  const p = ex.model.meta?.platform;
  return p ? `${p.os}/${p.architecture}${p.variant ? '/' + p.variant : ''}` : '';
}

/** The image's name: the metadata's, else what the source read of it so far, else what was asked. */
export function imageName(ex: Explorer): string {
  return ex.model.meta?.reference ?? ex.model.sourceProgress?.name ?? ex.title ?? '';
}

function progressSegs(ex: Explorer): Seg[] {
  const m = ex.model;
  const src = m.sourceProgress;
  const read = ex.bytesRead();
  const layerTotal = m.layers.reduce((s, l) => s + (l.totalBytes ?? 0), 0);
  const complete = m.layers.length > 0 && m.layers.every((l) => l.totalBytes !== undefined);
  const total = src?.totalBytes ?? (complete ? layerTotal : undefined);
  const estimate = src?.totalBytes !== undefined && src.totalIsEstimate;
  const rate = ex.rate();
  const out: Seg[] = [];
  const yellow = { fg: 'yellow' as const };
  if (m.meta) {
    const done = m.layers.filter((l) => l.state === 'done').length;
    out.push(seg(`loading ${done}/${m.layers.length} `, yellow));
  } else out.push(seg(read > 0 ? 'reading ' : 'reading metadata… ', yellow));
  if (read === 0 && src?.phase) {
    // Nothing arrives yet (the daemon prepares its export): say what we wait for, and how long.
    const waited = Math.floor((Date.now() - ex.startedAt) / 1000);
    out.push(seg(`${src.phase}${waited > 0 ? ` (${waited}s)` : ''}…`, yellow));
    return out;
  }
  if (total && total > 0) {
    const frac = Math.min(estimate ? 0.99 : 1, read / total);
    out.push(
      seg(bar(frac, 10), yellow),
      seg(
        ` ${estimate ? '~' : ''}${Math.floor(frac * 100)}% ${formatBytes(read)}/${estimate ? '~' : ''}${formatBytes(total)}`,
        yellow,
      ),
    );
  } else if (read > 0 || m.meta) out.push(seg(formatBytes(read), yellow));
  if (rate > 0) out.push(seg(` ${formatBytes(rate)}/s`, { fg: 'gray' }));
  if (rate > 0 && total && total > read)
    out.push(seg(` ETA ${estimate ? '~' : ''}${formatDuration((total - read) / rate)}`, { fg: 'gray' }));
  return out;
}

function compareHeader(ex: Explorer, W: number): Line {
  const left: Seg[] = [seg(' layerlens ', { fg: 'black', bg: 'cyan', bold: true }), seg(' '), ...compareTitle(ex)];
  const right: Seg[] = [...compareStateSegs(ex), seg(' ')];
  const lw = Math.max(12, W - lineWidth(right) - 1);
  return fitLine([...fitLine(left, lw), seg(' '), ...right], W);
}

function header(ex: Explorer, W: number): Line {
  if (ex.compare) return compareHeader(ex, W);
  const m = ex.model;
  const meta = m.meta;
  const left: Seg[] = [seg(' layerlens ', { fg: 'black', bg: 'cyan', bold: true }), seg(' ')];
  left.push(seg(safeText(imageName(ex)), { bold: true }));
  if (meta?.digest)
    left.push(seg('  ' + safeText(meta.digest.replace(/^(sha256:)?([0-9a-f]{12}).*$/, '$1$2')), { fg: 'gray' }));
  const plat = platformText(ex);
  if (plat) left.push(seg('  ' + safeText(plat), { fg: 'gray' }));
  const right: Seg[] = [];
  if (m.error) {
    // What is still trustworthy must fit: the error's text is cut for it (the tree shows it whole).
    const trusted = loadFailure(ex)?.trusted ?? '';
    const room = Math.max(20, W - 30 - textWidth(trusted) - 4);
    right.push(seg('✖ ' + truncate(safeText(m.error.message), room), { fg: 'brightRed', bold: true }));
    if (trusted) right.push(seg(`  ${trusted}`, { fg: 'yellow' }));
  } else if (m.done) {
    const size = m.layers.reduce((s, l) => s + (l.size ?? 0), 0);
    right.push(seg(`✔ ${m.layers.length} layers · ${formatBytes(size)}`, { fg: 'green' }));
  } else right.push(...progressSegs(ex));
  right.push(seg(' '));
  const rw = lineWidth(right);
  // The state on the right wins over a long name on the left (the name is cut first).
  const lw = Math.max(12, W - rw - 1);
  return fitLine([...fitLine(left, lw), seg(' '), ...right], W);
}

function statusBar(ex: Explorer, W: number): Line {
  const p = ex.prompt;
  if (p) return fitLine(promptLine(ex), W, {});
  if (ex.message) {
    const style =
      ex.message.kind === 'error'
        ? { fg: 'brightRed' as const, bold: true }
        : ex.message.kind === 'ok'
          ? { fg: 'green' as const, bold: true }
          : { fg: 'brightWhite' as const };
    return fitLine([seg(' '), seg(ex.message.text, style)], W);
  }
  const { items, pinned } = statusHints(ex);
  const cell = ([k, d]: [string, string]): Seg[] => [
    seg(k, { fg: 'cyan', bold: true }),
    seg(` ${d}  `, { fg: 'gray' }),
  ];
  const width = (h: [string, string]) => textWidth(`${h[0]} ${h[1]}  `);
  // Help and quit are always there, at the right end; the others fill the room left of them.
  const tail = pinned.flatMap(cell);
  let room = W - 1 - pinned.reduce((s, h) => s + width(h), 0);
  const parts: Seg[] = [seg(' ')];
  for (const h of items) {
    if (width(h) > room) break;
    parts.push(...cell(h));
    room -= width(h);
  }
  parts.push(seg(' '.repeat(Math.max(0, room))));
  return fitLine([...parts, ...tail], W);
}

function promptLine(ex: Explorer): Seg[] {
  const p = ex.prompt!;
  const field = (label: string, value: string): Seg[] => [
    seg(label, { bold: true }),
    seg(safeText(value), { fg: 'brightWhite', underline: true }),
    seg('▏', { fg: 'cyan' }),
    seg('  Enter write · Esc cancel', { fg: 'gray' }),
  ];
  switch (p.kind) {
    case 'extract-path':
      return field(
        ` Extract ${safeText(p.path)} (${p.side ? `the ${p.side} image's ` : ''}layer ${p.layer}) to: `,
        p.value,
      );
    case 'extract-side':
      return [
        seg(' Both images hold this file, differently. Extract the ', { bold: true }),
        seg('o', { fg: 'cyan', bold: true }),
        seg('ld or the '),
        seg('n', { fg: 'cyan', bold: true }),
        seg('ew version?'),
        seg('   Esc cancel', { fg: 'gray' }),
      ];
    case 'export-path':
      return field(` Export ${ex.findings.length} findings as ${p.format} to: `, p.value);
    case 'extract-overwrite':
    case 'export-overwrite':
      return [
        seg(` ${safeText(p.target)} exists. Overwrite? `, { fg: 'brightYellow', bold: true }),
        seg('y', { bold: true }),
        seg('/'),
        seg('N', { bold: true }),
      ];
    case 'export-format':
      return [
        seg(' Export findings as: ', { bold: true }),
        seg('j', { fg: 'cyan', bold: true }),
        seg('son  '),
        seg('s', { fg: 'cyan', bold: true }),
        seg('arif  '),
        seg('m', { fg: 'cyan', bold: true }),
        seg('arkdown'),
        seg('   Esc cancel', { fg: 'gray' }),
      ];
  }
}

function filterLine(ex: Explorer, width: number): Line {
  const t = ex.tree;
  const text = ex.filterEditing ? ex.filterDraft : (ex.filterPending ?? t.filterText);
  const parts: Seg[] = [seg('/ ', { fg: 'cyan', bold: true }), seg(safeText(text), { fg: 'brightWhite' })];
  if (ex.filterEditing) parts.push(seg('▏', { fg: 'cyan' }));
  // (A big tree's filter is applied in slices: the rows below are still the last filter's.)
  if (ex.filterPending !== null && text === ex.filterPending) parts.push(seg('  filtering…', { fg: 'yellow' }));
  else if (t.filterError && text === t.filterText)
    parts.push(seg('  ' + safeText(t.filterError), { fg: 'brightRed', bold: true }));
  else if (ex.filterEditing) parts.push(seg('  Enter keep · Esc clear', { fg: 'gray' }));
  else parts.push(seg(t.filterIsRegex ? '  regex' : '  text', { fg: 'gray' }), seg(' · Esc clears', { fg: 'gray' }));
  return fitLine(parts, width);
}

/**
 * Why the tree shows no row. What the user chose (a filter, hidden kinds) is said before what the
 * image is: "changes no files" or "the two final filesystems are the same" is false when the
 * changes are there but filtered out or hidden.
 */
function treeNote(
  ex: Explorer,
  compare: ReturnType<typeof compareTreeTitle> | undefined,
  hidden: readonly RowChange[],
): string {
  const t = ex.tree;
  if (ex.compare && !ex.compare.merged) return compare!.note;
  const st = ex.model.layers[ex.layer];
  if (!ex.compare && !t.layerReady) {
    if (st?.state === 'failed') return `layer ${ex.layer} failed: ${safeText(st.error ?? '')}`;
    const f = loadFailure(ex);
    if (f) return `layer ${ex.layer} was not read: ${f.failedText}. ${f.trusted}`;
    return st?.state === 'reading' ? `layer ${ex.layer} is loading…` : `layer ${ex.layer} is queued…`;
  }
  if (t.building) return t.filtering ? 'filtering…' : 'sorting out what the layer changed…';
  if (t.filterText && !t.filterError) return `no path${hidden.length ? ' of the kinds shown' : ''} matches the filter`;
  if (t.mode === 'changes') {
    const s = ex.compare ? ex.compare.result?.files : ex.layerStats(ex.layer);
    if (hidden.length && s && s.added + s.modified + s.removed > 0)
      return `every change ${ex.compare ? 'between the two' : 'of this layer'} is of a kind hidden (${hidden.join(', ')})`;
  } else if (hidden.length) return `no path of the kinds shown (hiding ${hidden.join(', ')})`;
  if (compare) return compare.note;
  return t.mode === 'changes' ? 'this layer changes no files' : 'nothing to show';
}

function treePanel(ex: Explorer, width: number, height: number): Line[] {
  const t = ex.tree;
  const inner = width - 2;
  const compare = ex.compare ? compareTreeTitle(ex) : undefined;
  const hidden = ROW_CHANGES.filter((k) => !t.kinds[k]);
  const note = treeNote(ex, compare, hidden);
  const body = treeBody(t, inner, ex.focus === 'tree', note, ex.compare ? compareRowNote(ex) : undefined);
  if (ex.filterLineShown) {
    while (body.length < height - 3) body.push([]);
    body.length = Math.max(0, height - 3);
    body.push(filterLine(ex, inner));
  }
  let info = '';
  if (compare) info = compare.info;
  else if (t.layerReady) {
    const s = ex.layerStats(ex.layer)!;
    info = `+${s.added} ~${s.modified} -${s.removed}`;
  }
  if (hidden.length) info += ` · hiding ${hidden.join(',')}`;
  if (t.sort === 'size') info += ' · by size';
  const title = compare?.title ?? `${t.mode === 'changes' ? 'Changes in' : 'Filesystem at'} layer ${ex.layer}`;
  return box(body, { title, info, focused: ex.focus === 'tree', width, height });
}

function sidePanel(ex: Explorer, width: number, height: number): Line[] {
  const panel = panelById(ex.side, ex);
  const focused = ex.focus === 'side';
  const rows = Math.max(0, height - 2);
  const titleLine: Line = [];
  for (const tab of sideTabs(ex)) {
    if (titleLine.length) titleLine.push(seg(' '));
    titleLine.push(
      seg(tab.label, tab.id === ex.side ? { fg: focused ? 'brightCyan' : 'white', bold: true } : { fg: 'gray' }),
    );
  }
  return box(panel.body(ex, width - 2, rows), {
    title: panel.tab,
    titleLine,
    info: panel.info?.(ex),
    focused,
    width,
    height,
  });
}

function viewerPanel(ex: Explorer, width: number, height: number): Line[] {
  const v = ex.viewer!;
  const inner = width - 2;
  const rows = Math.max(0, height - 2);
  const body: Line[] = [];
  let info = `layer ${v.layer}`;
  if (v.loading) body.push([seg(`reading ${safeText(v.path)} from layer ${v.layer}…`, { fg: 'gray' })]);
  else if (v.error) body.push([seg(v.error, { fg: 'brightRed', bold: true })]);
  else if (v.doc) {
    const d = v.doc;
    info = `${d.title ?? `layer ${d.layer}`}${d.note ? ' · ' + d.note : ''} · ${formatBytes(d.size)}${d.truncated ? ' (first ' + formatBytes(d.data.length) + ')' : ''} · ${v.hex ? 'hex' : 'text'}`;
    if (v.hex) {
      const mask = ex.reveal ? undefined : hexMask(d);
      if (mask?.count) info += ` · ${mask.count} masked (r reveals)`;
      else if (ex.reveal && hexMask(d).count) info += ' · secrets shown (r masks)';
      const n = Math.ceil(d.data.length / 16);
      for (let i = v.scroll; i < Math.min(n, v.scroll + rows); i++) {
        const l = hexLine(d.data, i, mask?.bytes);
        body.push([seg(l.slice(0, 10), { fg: 'gray' }), seg(l.slice(10), l.includes('•') ? { fg: 'brightRed' } : {})]);
      }
    } else {
      const lines = ex.viewerLines();
      if (v.masked) info += ex.reveal ? ' · secrets shown (r masks)' : ` · ${v.masked} masked (r reveals)`;
      const gw = String(lines.length).length;
      for (let i = v.scroll; i < Math.min(lines.length, v.scroll + rows); i++) {
        const text = Array.from(lines[i]).slice(v.hscroll).join('');
        const masked = !ex.reveal && text.includes('…(');
        // A diff's lines: removed red, added green (its mark is the line's first character).
        const mark = d.diff ? lines[i][0] : '';
        const style: Style = masked
          ? { fg: 'brightRed' }
          : mark === '-'
            ? { fg: 'red' }
            : mark === '+'
              ? { fg: 'green' }
              : {};
        body.push([seg(String(i + 1).padStart(gw) + ' │ ', { fg: 'gray' }), seg(text, style)]);
      }
      if (lines.length === 0) body.push([seg('(empty file)', { fg: 'gray' })]);
    }
  }
  return box(body, {
    title: `View ${truncateLeft(safeText(v.path), Math.max(10, Math.floor(inner / 2)))}`,
    info,
    focused: true,
    width,
    height,
  });
}

/** Every line of the help overlay at `width` cells: the key table by context, then the legend. */
export function helpBody(width: number): Line[] {
  const body: Line[] = [];
  const kw = Math.min(20, Math.max(10, Math.floor(width / 4)));
  const textW = Math.max(10, width - kw - 3);
  const item = (label: Seg, text: string, style: Seg['fg'] = undefined) => {
    const lines = wrapWidth(text, textW);
    lines.forEach((l, i) =>
      body.push([i === 0 ? label : seg(' '.repeat(kw + 2)), seg(' '), seg(l, style ? { fg: style } : {})]),
    );
  };
  for (const { context, title } of HELP_SECTIONS) {
    const entries = KEY_TABLE.filter((b) => b.when[0] === context && b.help);
    if (!entries.length) continue;
    body.push([seg(title, { fg: 'brightCyan', bold: true })]);
    for (const b of entries) item(seg('  ' + fit(bindingLabel(b), kw), { fg: 'cyan', bold: true }), b.help!);
    body.push([]);
  }
  for (const group of LEGEND) {
    body.push([seg(group.title, { fg: 'brightCyan', bold: true })]);
    for (const e of group.items) item(seg('  ' + fit(e.mark, kw), e.style), e.text);
    body.push([]);
  }
  return body;
}

function helpOverlay(ex: Explorer, width: number, height: number): Line[] {
  const body = helpBody(width - 2);
  const rows = Math.max(0, height - 2);
  ex.helpScroll = Math.max(0, Math.min(ex.helpScroll, body.length - rows));
  const more =
    body.length > rows ? ` ${ex.helpScroll + 1}-${Math.min(body.length, ex.helpScroll + rows)}/${body.length}` : '';
  return box(body.slice(ex.helpScroll), {
    title: 'Keys',
    info: `↑↓ PgUp PgDn scroll · Esc closes${more}`,
    focused: true,
    width,
    height,
  });
}

function bodyLines(ex: Explorer, L: Layout): Line[] {
  if (ex.viewer) return viewerPanel(ex, L.width, L.body.height);
  const layersBox = box(
    ex.compare
      ? compareLayersBody(ex, L.layers.width - 2, L.layerRows)
      : layersBody(ex, L.layers.width - 2, L.layerRows),
    {
      title: ex.compare ? 'Layers old | new' : 'Layers',
      info: ex.compare ? compareLayersInfo(ex) : layersInfo(ex),
      footer: ex.compare ? undefined : efficiencyFooter(ex),
      focused: ex.focus === 'layers',
      width: L.layers.width,
      height: L.layers.height,
    },
  );
  if (L.wide) {
    const left = [...layersBox, ...sidePanel(ex, L.side.width, L.side.height)];
    const right = treePanel(ex, L.tree.width, L.tree.height);
    const out: Line[] = [];
    for (let i = 0; i < L.body.height; i++)
      out.push([...(left[i] ?? fitLine([], L.layers.width)), ...(right[i] ?? fitLine([], L.tree.width))]);
    return out;
  }
  return [
    ...layersBox,
    ...(L.side.height ? sidePanel(ex, L.side.width, L.side.height) : treePanel(ex, L.tree.width, L.tree.height)),
  ];
}

/** The screen as styled lines: exactly `height` lines of exactly `width` cells. */
export function screenLines(ex: Explorer): Line[] {
  const L = ex.layout();
  const { width: W, height: H } = L;
  if (L.tooSmall) {
    const msg = `terminal too small (${W}×${H}); layerlens needs at least 40×10 — q quits`;
    return [
      fitLine([seg(msg, { fg: 'yellow' })], W),
      ...Array.from({ length: Math.max(0, H - 1) }, () => fitLine([], W)),
    ];
  }
  const body = bodyLines(ex, L);
  if (ex.help) {
    const r = helpRect(L);
    const overlay = helpOverlay(ex, r.width, r.height);
    overlay.forEach((l, i) => {
      const row = r.y - L.body.y + i;
      body[row] = spliceLine(body[row] ?? [], r.x, l, W);
    });
  }
  const out: Line[] = [header(ex, W), ...body.slice(0, L.body.height)];
  while (out.length < H - 1) out.push(fitLine([], W));
  out.push(statusBar(ex, W));
  return out.slice(0, H);
}

/** The screen as terminal lines (SGR colours only): what the painter writes. */
export function screen(ex: Explorer): string[] {
  return screenLines(ex).map(toAnsi);
}
