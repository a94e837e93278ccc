/**
 * The whole screen as lines: header, layers, side panel, file tree, status bar, and the overlays
 * (viewer, help, prompts). Pure: the Ink component only prints these lines.
 */
import type { Explorer } from './explorer.js';
import { bar, formatBytes, formatDuration } from './format.js';
import { HELP } from './help.js';
import {
  findingsBody,
  findingsInfo,
  historyBody,
  imageBody,
  layersBody,
  layersInfo,
  portsBody,
} from './render-panels.js';
import { treeBody } from './render-tree.js';
import { fit, safeText, textWidth, truncateLeft } from './sanitize.js';
import { box, fitLine, lineWidth, seg, spliceLine, toAnsi, type Line, type Seg } from './style.js';
import { hexLine } from './viewer.js';

function header(ex: Explorer, W: number): Line {
  const m = ex.model;
  const meta = m.meta;
  const left: Seg[] = [seg(' layerlens ', { fg: 'black', bg: 'cyan', bold: true }), seg(' ')];
  const ref = meta?.reference ?? ex.title ?? '';
  left.push(seg(safeText(ref), { bold: true }));
  if (meta?.digest)
    left.push(seg('  ' + safeText(meta.digest.replace(/^(sha256:)?([0-9a-f]{12}).*$/, '$1$2')), { fg: 'gray' }));
  if (meta?.platform)
    left.push(
      seg(
        '  ' +
          safeText(
            `${meta.platform.os}/${meta.platform.architecture}${meta.platform.variant ? '/' + meta.platform.variant : ''}`,
          ),
        { fg: 'gray' },
      ),
    );
  const right: Seg[] = [];
  if (m.error) right.push(seg('✖ ' + safeText(m.error.message), { fg: 'brightRed', bold: true }));
  else if (m.done) {
    const size = m.layers.reduce((s, l) => s + (l.size ?? 0), 0);
    right.push(seg(`✔ ${m.layers.length} layers · ${formatBytes(size)}`, { fg: 'green' }));
  } else {
    const total = m.layers.reduce((s, l) => s + (l.totalBytes ?? 0), 0);
    const read = m.layers.reduce((s, l) => s + (l.bytesRead || 0), 0);
    const done = m.layers.filter((l) => l.state === 'done').length;
    const samples = ex.samples;
    let rate = 0;
    if (samples.length >= 2) {
      const a = samples[0];
      const b = samples[samples.length - 1];
      rate = b.t > a.t ? ((b.bytes - a.bytes) * 1000) / (b.t - a.t) : 0;
    }
    const frac = total ? read / total : 0;
    right.push(seg(meta ? `loading ${done}/${m.layers.length} ` : 'reading metadata… ', { fg: 'yellow' }));
    if (meta) {
      right.push(
        seg(bar(frac, 10), { fg: 'yellow' }),
        seg(` ${Math.floor(frac * 100)}% ${formatBytes(read)}`, { fg: 'yellow' }),
      );
      if (rate > 0) right.push(seg(` ${formatBytes(rate)}/s`, { fg: 'gray' }));
      if (rate > 0 && total > read) right.push(seg(` ETA ${formatDuration((total - read) / rate)}`, { fg: 'gray' }));
    }
  }
  right.push(seg(' '));
  const rw = lineWidth(right);
  const lw = Math.max(0, W - rw - 1);
  return fitLine([...fitLine(left, lw), seg(' '), ...right], W);
}

interface Hint {
  k: string;
  d: string;
}

function hints(ex: Explorer): Hint[] {
  if (ex.help)
    return [
      { k: '↑↓', d: 'scroll' },
      { k: 'esc', d: 'close' },
    ];
  if (ex.viewer)
    return [
      { k: '↑↓ PgUp PgDn', d: 'scroll' },
      { k: '←→', d: 'sideways' },
      { k: 'r', d: ex.reveal ? 'mask secrets' : 'reveal secrets' },
      { k: 'b', d: 'hex/text' },
      { k: 'x', d: 'extract' },
      { k: 'esc', d: 'close' },
    ];
  const common: Hint[] = [
    { k: 'tab', d: 'focus' },
    { k: 'n', d: 'next finding' },
    { k: '?', d: 'help' },
    { k: 'q', d: 'quit' },
  ];
  if (ex.focus === 'layers')
    return [
      { k: '↑↓', d: 'layer' },
      { k: 'enter', d: 'tree' },
      { k: 'a', d: ex.tree.mode === 'changes' ? 'all files' : 'changes' },
      { k: 'c/p/f/i', d: 'panels' },
      ...common,
    ];
  if (ex.focus === 'side')
    return ex.side === 'findings'
      ? [
          { k: '↑↓', d: 'select' },
          { k: 'enter', d: 'go to' },
          { k: 'e', d: 'export' },
          { k: 'c/p/f/i', d: 'panels' },
          ...common,
        ]
      : [
          { k: '↑↓', d: 'scroll' },
          { k: 'r', d: ex.reveal ? 'mask' : 'reveal' },
          { k: 'c/p/f/i', d: 'panels' },
          ...common,
        ];
  return [
    { k: '↑↓', d: 'move' },
    { k: '←→', d: 'fold' },
    { k: 'v', d: 'view' },
    { k: 'x', d: 'extract' },
    { k: 'a', d: ex.tree.mode === 'changes' ? 'all files' : 'changes' },
    { k: '/', d: 'filter' },
    { k: '[ ]', d: 'layer' },
    { k: '1-4', d: 'kinds' },
    { k: 's', d: 'sort' },
    ...common,
  ];
}

function statusBar(ex: Explorer, W: number): Line {
  const p = ex.prompt;
  if (p) {
    const parts: Seg[] = [];
    switch (p.kind) {
      case 'extract-path':
        parts.push(
          seg(` Extract ${safeText(p.path)} (layer ${p.layer}) to: `, { bold: true }),
          seg(safeText(p.value), { fg: 'brightWhite', underline: true }),
          seg('▏', { fg: 'cyan' }),
          seg('  enter write · esc cancel', { fg: 'gray' }),
        );
        break;
      case 'export-path':
        parts.push(
          seg(` Export ${ex.findings.length} findings as ${p.format} to: `, { bold: true }),
          seg(safeText(p.value), { fg: 'brightWhite', underline: true }),
          seg('▏', { fg: 'cyan' }),
          seg('  enter write · esc cancel', { fg: 'gray' }),
        );
        break;
      case 'extract-overwrite':
      case 'export-overwrite':
        parts.push(
          seg(` ${safeText(p.target)} exists. Overwrite? `, { fg: 'brightYellow', bold: true }),
          seg('y', { bold: true }),
          seg('/'),
          seg('N', { bold: true }),
        );
        break;
      case 'export-format':
        parts.push(
          seg(' Export findings as: ', { bold: true }),
          seg('j', { fg: 'cyan', bold: true }),
          seg('son  '),
          seg('s', { fg: 'cyan', bold: true }),
          seg('arif  '),
          seg('m', { fg: 'cyan', bold: true }),
          seg('arkdown', {}),
          seg('   esc cancel', { fg: 'gray' }),
        );
        break;
    }
    return fitLine(parts, W, {});
  }
  if (ex.message) {
    const style =
      ex.message.kind === 'error'
        ? { fg: 'brightRed' as const, bold: true }
        : ex.message.kind === 'ok'
          ? { fg: 'green' as const, bold: true }
          : { fg: 'brightWhite' as const };
    return fitLine([seg(' '), seg(ex.message.text, style)], W);
  }
  const parts: Seg[] = [seg(' ')];
  let w = 1;
  for (const h of hints(ex)) {
    const item = `${h.k} ${h.d}  `;
    if (w + textWidth(item) > W) break;
    parts.push(seg(h.k, { fg: 'cyan', bold: true }), seg(` ${h.d}  `, { fg: 'gray' }));
    w += textWidth(item);
  }
  return fitLine(parts, W);
}

function filterLine(ex: Explorer, width: number): Line {
  const t = ex.tree;
  const text = ex.filterEditing ? ex.filterDraft : t.filterText;
  const parts: Seg[] = [seg('/ ', { fg: 'cyan', bold: true }), seg(safeText(text), { fg: 'brightWhite' })];
  if (ex.filterEditing) parts.push(seg('▏', { fg: 'cyan' }));
  if (t.filterError) parts.push(seg('  ' + safeText(t.filterError), { fg: 'brightRed', bold: true }));
  else if (ex.filterEditing) parts.push(seg('  enter keep · esc clear', { fg: 'gray' }));
  else
    parts.push(
      seg(/^\/.+\/[a-z]*$/s.test(text) ? '  regex' : '  substring', { fg: 'gray' }),
      seg(' · esc clears', { fg: 'gray' }),
    );
  return fitLine(parts, width);
}

function treePanel(ex: Explorer, width: number, height: number): Line[] {
  const t = ex.tree;
  const inner = width - 2;
  const st = ex.model.layers[ex.layer];
  let note = 'nothing to show';
  if (!t.layerReady)
    note =
      st?.state === 'failed'
        ? `layer ${ex.layer} failed: ${safeText(st.error ?? '')}`
        : st?.state === 'reading'
          ? `layer ${ex.layer} is loading…`
          : `layer ${ex.layer} is queued…`;
  else if (t.filterText && !t.filterError) note = 'no path matches the filter';
  else if (t.mode === 'changes') note = 'this layer changes no files';
  const body = treeBody(t, inner, ex.focus === 'tree', note);
  const showFilter = ex.filterEditing || t.filterText !== '';
  if (showFilter) {
    while (body.length < height - 3) body.push([]);
    body.length = height - 3;
    body.push(filterLine(ex, inner));
  }
  const kinds = (['added', 'modified', 'removed', 'unmodified'] as const).filter((k) => !t.kinds[k]);
  let info = '';
  if (t.layerReady) {
    const s = ex.layerStats(ex.layer)!;
    info = `+${s.added} ~${s.modified} -${s.removed}`;
  }
  if (kinds.length) info += ` · hiding ${kinds.join(',')}`;
  if (t.sort === 'size') info += ' · by size';
  const title = `${t.mode === 'changes' ? 'Changes in' : 'Filesystem at'} layer ${ex.layer}`;
  return box(body, { title, info, focused: ex.focus === 'tree', width, height });
}

function sidePanel(ex: Explorer, width: number, height: number): Line[] {
  const inner = width - 2;
  const rows = Math.max(0, height - 2);
  const titles = { history: 'History', ports: 'Ports', findings: 'Findings', image: 'Image' } as const;
  const tabs = (['history', 'ports', 'findings', 'image'] as const)
    .map((p) =>
      p === ex.side ? `[${titles[p]}]` : titles[p][0].toLowerCase() === 'h' ? 'c' : titles[p][0].toLowerCase(),
    )
    .join(' ');
  let body: Line[];
  let info = tabs;
  switch (ex.side) {
    case 'history':
      body = historyBody(ex, inner);
      break;
    case 'ports':
      body = portsBody(ex, inner);
      break;
    case 'findings':
      body = findingsBody(ex, inner, rows);
      info = findingsInfo(ex);
      break;
    case 'image':
      body = imageBody(ex, inner);
      break;
  }
  const title = ex.side === 'history' ? `History · layer ${ex.layer}` : titles[ex.side];
  return box(body, { title, info, focused: ex.focus === 'side', width, height });
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
    info = `layer ${d.layer}${d.note ? ' · ' + d.note : ''} · ${formatBytes(d.size)}${d.truncated ? ' (first ' + formatBytes(d.data.length) + ')' : ''} · ${v.hex ? 'hex' : 'text'}`;
    if (v.hex) {
      const n = Math.ceil(d.data.length / 16);
      for (let i = v.scroll; i < Math.min(n, v.scroll + rows); i++)
        body.push([seg(hexLine(d.data, i).slice(0, 10), { fg: 'gray' }), seg(hexLine(d.data, i).slice(10))]);
    } else {
      const lines = ex.viewerLines();
      if (v.masked) info += ex.reveal ? ' · secrets shown (r masks)' : ` · ${v.masked} masked (r reveals)`;
      const gw = String(lines.length).length;
      for (let i = v.scroll; i < Math.min(lines.length, v.scroll + rows); i++) {
        const text = Array.from(lines[i]).slice(v.hscroll).join('');
        const masked = !ex.reveal && (text.includes('…(') || text.includes('(private key, masked)'));
        body.push([
          seg(String(i + 1).padStart(gw) + ' │ ', { fg: 'gray' }),
          seg(text, masked ? { fg: 'brightRed' } : {}),
        ]);
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

function helpLines(ex: Explorer, width: number, height: number): Line[] {
  const body: Line[] = [];
  const kw = 20;
  for (const [group, items] of HELP) {
    body.push([seg(group, { fg: 'brightCyan', bold: true })]);
    for (const [k, d] of items) body.push([seg('  ' + fit(k, kw), { fg: 'cyan', bold: true }), seg(d)]);
    body.push([]);
  }
  const rows = Math.max(0, height - 2);
  const scroll = Math.max(0, Math.min(ex.helpScroll, body.length - rows));
  ex.helpScroll = scroll;
  return box(body.slice(scroll), { title: 'Keys', info: '↑↓ scroll · esc/?/q close', focused: true, width, height });
}

/** The screen as styled lines: exactly layout().H lines of exactly width cells. */
export function screenLines(ex: Explorer): Line[] {
  const L = ex.layout();
  const { W, H } = L;
  if (W < 40 || H < 10) {
    const msg = `terminal too small (${W}×${H + 1}); need at least 40×11 — q quits`;
    return [
      fitLine([seg(msg, { fg: 'yellow' })], W),
      ...Array.from({ length: Math.max(0, H - 1) }, () => fitLine([], W)),
    ];
  }
  const out: Line[] = [header(ex, W)];
  let body: Line[];
  if (ex.viewer) body = viewerPanel(ex, W, L.body);
  else if (L.wide) {
    const layersRows = Math.max(1, L.layersH - 3);
    const left = [
      ...box(layersBody(ex, L.leftW - 2, layersRows), {
        title: 'Layers',
        info: layersInfo(ex),
        focused: ex.focus === 'layers',
        width: L.leftW,
        height: L.layersH,
      }),
      ...sidePanel(ex, L.leftW, L.sideH),
    ];
    const right = treePanel(ex, L.rightW, L.treeH);
    body = [];
    for (let i = 0; i < L.body; i++)
      body.push([...(left[i] ?? fitLine([], L.leftW)), ...(right[i] ?? fitLine([], L.rightW))]);
  } else {
    const layersRows = Math.max(1, L.layersH - 3);
    body = [
      ...box(layersBody(ex, W - 2, layersRows), {
        title: 'Layers',
        info: layersInfo(ex),
        focused: ex.focus === 'layers',
        width: W,
        height: L.layersH,
      }),
      ...(ex.focus === 'side' ? sidePanel(ex, W, L.sideH) : treePanel(ex, W, L.treeH)),
    ];
  }
  if (ex.help) {
    const hw = Math.min(W - 4, 96);
    const hh = Math.min(L.body, 44);
    const col = Math.floor((W - hw) / 2);
    const rowStart = Math.max(0, Math.floor((L.body - hh) / 2));
    const overlay = helpLines(ex, hw, hh);
    overlay.forEach((l, i) => {
      body[rowStart + i] = spliceLine(body[rowStart + i] ?? [], col, l, W);
    });
  }
  out.push(...body.slice(0, L.body));
  while (out.length < H - 1) out.push(fitLine([], W));
  out.push(statusBar(ex, W));
  return out.slice(0, H);
}

/** The screen as terminal lines (SGR colours only). */
export function screen(ex: Explorer): string[] {
  return screenLines(ex).map(toAnsi);
}
