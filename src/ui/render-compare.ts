/**
 * The compare view's lines (`layerlens OLD NEW`): the header with both images, the two layer lists
 * side by side with shared layers aligned and marked, the file tree's title, and the side panels
 * of the differences (history lined up, findings, vulnerabilities, packages, image config and
 * sizes). Pure, as render-screen.ts: it reads the explorer's state.
 */
import type { ImageModel } from '../engine/image.js';
import type { ImageComparison, LayerRef, LayerRow } from '../findings/compare/types.js';
import { formatBytes } from '../text/bytes.js';
import { safeText } from '../text/safe-text.js';
import { fit, fitRight, truncate, wrapWidth } from '../text/width.js';
import { layerCommand } from './commands.js';
import type { Explorer } from './explorer.js';
import { SEVERITY_STYLE } from './render-panels.js';
import type { RowNote } from './render-tree.js';
import { fitLine, seg, type Line, type Seg, type Style } from './style.js';

/** The marks of the layer rows: the same symbols and colours as a layer's changes in the tree. */
export const ROW_STYLE: Record<LayerRow['relation'], { mark: string; style: Style; text: string }> = {
  shared: { mark: '=', style: { fg: 'gray' }, text: 'the same layer in both' },
  rebuilt: { mark: '~', style: { fg: 'yellow' }, text: 'the same step, other content' },
  removed: { mark: '-', style: { fg: 'red' }, text: 'only in the old image' },
  added: { mark: '+', style: { fg: 'green' }, text: 'only in the new image' },
};

function loadCell(m: ImageModel, l: LayerRef | null): string {
  if (!l) return '';
  const st = m.layers[l.index];
  if (st?.state === 'failed') return 'failed';
  if (!st || st.state === 'queued') return 'queued';
  if (st.state === 'reading')
    return st.totalBytes ? `${Math.min(100, Math.floor((100 * st.bytesRead) / st.totalBytes))}%` : 'reading';
  return formatBytes(st.size ?? l.size ?? 0);
}

/** The Layers box in the compare view: old and new layer lists side by side, lined up. */
export function compareLayersBody(ex: Explorer, width: number, rows: number): Line[] {
  const c = ex.compare!;
  const head: Seg[] = [
    seg('  old        ', { fg: 'gray', bold: true }),
    seg('new        ', { fg: 'gray', bold: true }),
    seg('Command', { fg: 'gray', bold: true }),
  ];
  const out: Line[] = [fitLine(head, width)];
  if (!c.rows.length) {
    out.push([seg('waiting for both images’ metadata…', { fg: 'gray' })]);
    return out;
  }
  for (let i = ex.layerTop; i < Math.min(c.rows.length, ex.layerTop + rows); i++) {
    const r = c.rows[i];
    const st = ROW_STYLE[r.relation];
    const l = (r.new ?? r.old)!;
    const model = r.new ? c.new : c.old;
    const cmd = safeText(layerCommand(model.meta, l.index, ex.reveal) || l.createdBy || '');
    const parts: Seg[] = [
      seg(st.mark, { ...st.style, bold: true }),
      seg(' '),
      seg(fit(r.old ? `L${r.old.index} ${loadCell(c.old, r.old)}` : '', 10), r.old ? {} : { fg: 'gray' }),
      seg(' '),
      seg(fit(r.new ? `L${r.new.index} ${loadCell(c.new, r.new)}` : '', 10), r.new ? {} : { fg: 'gray' }),
      seg(' '),
      seg(cmd, r.relation === 'shared' ? { fg: 'gray' } : {}),
    ];
    let line = fitLine(parts, width);
    if (i === ex.layer) {
      const bg = ex.focus === 'layers' ? 'selBg' : 'dimBg';
      line = fitLine(
        parts.map((p) => ({ ...p, bg })),
        width,
        { bg },
      );
    }
    out.push(line);
  }
  return out;
}

export function compareLayersInfo(ex: Explorer): string {
  const c = ex.compare!;
  const shared = c.rows.filter((r) => r.relation === 'shared').length;
  return `${shared} shared · ${c.old.layers.length} old · ${c.new.layers.length} new`;
}

/** The header's right side in the compare view: loading both, or what the comparison found. */
export function compareState(ex: Explorer): Seg[] {
  const c = ex.compare!;
  if (c.error) return [seg(`✖ ${truncate(c.error, 80)}`, { fg: 'brightRed', bold: true })];
  if (c.result) {
    const f = c.result.files;
    if (c.result.identical) return [seg('✔ no differences', { fg: 'green' })];
    return [
      seg('✔ ', { fg: 'green' }),
      seg(`+${f.added} `, { fg: 'green' }),
      seg(`~${f.modified} `, { fg: 'yellow' }),
      seg(`-${f.removed} `, { fg: 'red' }),
      seg(`files · ${c.result.findings.new.length} new findings · ${c.result.findings.resolved.length} resolved`),
    ];
  }
  const loaded = (m: ImageModel) => `${m.layers.filter((l) => l.state === 'done').length}/${m.layers.length}`;
  const what = c.comparing ? 'comparing…' : `loading old ${loaded(c.old)} · new ${loaded(c.new)}`;
  return [seg(what, { fg: 'yellow' }), seg(` ${formatBytes(ex.bytesRead())}`, { fg: 'gray' })];
}

/** The header's names: `OLD → NEW`. */
export function compareTitle(ex: Explorer): Seg[] {
  const c = ex.compare!;
  return [
    seg(safeText(c.old.meta?.reference ?? c.oldTitle), { bold: true }),
    seg(' → ', { fg: 'gray' }),
    seg(safeText(c.new.meta?.reference ?? c.newTitle), { bold: true }),
  ];
}

const aspectsCache = new WeakMap<ImageComparison, Map<string, string>>();

/**
 * The compare view's note after a changed name: what differs (`content, mode`), or for a path
 * only one image holds, which (the tree's own note would name the merged tree's layers).
 */
export function compareRowNote(ex: Explorer): RowNote {
  const r = ex.compare?.result;
  let aspects = r ? aspectsCache.get(r) : undefined;
  if (r && !aspects) {
    aspects = new Map(
      r.files.entries.filter((e) => e.change === 'modified').map((e) => [e.path, e.aspects.join(', ')]),
    );
    aspectsCache.set(r, aspects);
  }
  return (row) => {
    if (row.change === 'removed') return { text: '(only in old)', style: { fg: 'red' } };
    if (row.change === 'modified') {
      const what = aspects?.get(row.node.path);
      return what ? { text: `(${what})`, style: { fg: 'yellow' } } : undefined;
    }
    return undefined;
  };
}

/** The file tree's title and info in the compare view. */
export function compareTreeTitle(ex: Explorer): { title: string; info: string; note: string } {
  const c = ex.compare!;
  if (!c.merged) {
    const note = c.error
      ? `no comparison: ${c.error}`
      : c.comparing
        ? 'comparing the two images…'
        : 'reading both images: the comparison shows once both are read';
    return { title: 'Comparison', info: '', note };
  }
  const f = c.result!.files;
  return {
    title: ex.tree.mode === 'changes' ? 'Changes old → new' : 'New filesystem, old’s removed files marked',
    info: `+${f.added} ~${f.modified} -${f.removed}${f.timestampOnly ? ` · ${f.timestampOnly} mtime only` : ''}`,
    note: ex.tree.mode === 'changes' ? 'the two final filesystems are the same' : 'nothing to show',
  };
}

// ---- side panels -----------------------------------------------------------------------------

const wait = (ex: Explorer): Line[] => [
  [seg(ex.compare?.error ? `no comparison: ${ex.compare.error}` : 'once both images are read…', { fg: 'gray' })],
];

/** History: every step of both, lined up (metadata-only steps too). */
export function compareHistoryBody(ex: Explorer, width: number): Line[] {
  const r = ex.compare?.result;
  if (!r) return wait(ex);
  const out: Line[] = [];
  const mark: Record<string, { mark: string; style: Style }> = {
    same: { mark: '=', style: { fg: 'gray' } },
    rebuilt: { mark: '~', style: { fg: 'yellow' } },
    removed: { mark: '-', style: { fg: 'red' } },
    added: { mark: '+', style: { fg: 'green' } },
  };
  for (const h of r.config.history) {
    const s = (h.new ?? h.old)!;
    const m = mark[h.relation];
    out.push(
      fitLine(
        [
          seg(m.mark, { ...m.style, bold: true }),
          seg(' '),
          seg(safeText(s.createdBy ?? '<no command>'), h.relation === 'same' ? { fg: 'gray' } : {}),
        ],
        width,
      ),
    );
  }
  const d = r.layers.divergence;
  out.push([]);
  out.push([
    seg(
      d
        ? r.layers.commonPrefix
          ? `identical up to layer ${r.layers.commonPrefix - 1}; they part at layer ${d.layer}`
          : 'they part at layer 0 (another base)'
        : 'every layer is shared, in order',
      { fg: 'cyan' },
    ),
  ]);
  return out;
}

/** Vulnerabilities NEW fixes and introduces. */
export function compareVulnsBody(ex: Explorer, width: number): Line[] {
  const r = ex.compare?.result;
  if (!r) return wait(ex);
  const v = r.vulnerabilities;
  if (!v.checked) return [[seg('not checked: no vulnerability database (layerlens db update)', { fg: 'gray' })]];
  const out: Line[] = [];
  const list = (title: string, xs: typeof v.fixed, style: Style) => {
    out.push([seg(`${title} (${xs.length})`, { ...style, bold: true })]);
    for (const x of xs) {
      const sev = SEVERITY_STYLE[x.severity];
      out.push(
        fitLine(
          [
            seg(sev.label, sev.style),
            seg(' '),
            seg(fit(safeText(x.id), 16)),
            seg(' '),
            seg(`${safeText(x.package)} ${safeText(x.version)}`),
            seg(x.fixedVersion ? ` → ${safeText(x.fixedVersion)}` : ' (no fix)', { fg: 'gray' }),
          ],
          width,
        ),
      );
    }
    out.push([]);
  };
  list('Introduced by new', v.introduced, { fg: 'brightRed' });
  list('Fixed by new', v.fixed, { fg: 'green' });
  out.push([seg(`${v.unchanged} unchanged`, { fg: 'gray' })]);
  return out;
}

/** Packages added, removed, up- and downgraded. */
export function comparePackagesBody(ex: Explorer, width: number): Line[] {
  const r = ex.compare?.result;
  if (!r) return wait(ex);
  const p = r.packages;
  if (!p.compared) return [[seg('no package inventory in either image', { fg: 'gray' })]];
  const out: Line[] = [];
  const row = (mark: string, style: Style, text: string) =>
    out.push(fitLine([seg(mark, { ...style, bold: true }), seg(' '), seg(text)], width));
  for (const x of p.upgraded) row('↑', { fg: 'green' }, `${safeText(x.name)} ${safeText(x.old)} → ${safeText(x.new)}`);
  for (const x of p.downgraded)
    row('↓', { fg: 'yellow' }, `${safeText(x.name)} ${safeText(x.old)} → ${safeText(x.new)}`);
  for (const x of p.changed) row('~', { fg: 'yellow' }, `${safeText(x.name)} ${safeText(x.old)} → ${safeText(x.new)}`);
  for (const x of p.added) row('+', { fg: 'green' }, `${safeText(x.name)} ${safeText(x.version)} (${x.ecosystem})`);
  for (const x of p.removed) row('-', { fg: 'red' }, `${safeText(x.name)} ${safeText(x.version)} (${x.ecosystem})`);
  if (out.length) out.push([]);
  out.push([seg(`${p.unchanged} unchanged`, { fg: 'gray' })]);
  return out;
}

/** The image config and sizes compared. */
export function compareImageBody(ex: Explorer, width: number): Line[] {
  const r = ex.compare?.result;
  if (!r) return wait(ex);
  const out: Line[] = [];
  const kv = (k: string, v: string) => out.push(fitLine([seg(fit(k, 11), { fg: 'gray' }), seg(v)], width));
  const s = r.sizes;
  kv('size', `${formatBytes(s.old.uncompressed)} → ${formatBytes(s.new.uncompressed)}`);
  if (s.old.compressed !== null && s.new.compressed !== null)
    kv('stored', `${formatBytes(s.old.compressed)} → ${formatBytes(s.new.compressed)}`);
  kv('wasted', `${formatBytes(s.old.wasted)} → ${formatBytes(s.new.wasted)}`);
  kv('shared', `${formatBytes(s.sharedBytes)} in ${r.layers.shared.byDiffId} layers`);
  const c = r.config;
  const show = (v: unknown) => (v === null ? '(none)' : safeText(typeof v === 'string' ? v : JSON.stringify(v)));
  const values: Array<[string, { old: unknown; new: unknown } | null]> = [
    ['USER', c.user],
    ['platform', c.platform],
    ['ENTRYPOINT', c.entrypoint],
    ['CMD', c.cmd],
    ['WORKDIR', c.workingDir],
  ];
  for (const [k, v] of values) if (v) kv(k, `${show(v.old)} → ${show(v.new)}`);
  for (const p of c.exposedPorts.added) kv('EXPOSE', `+ ${safeText(p)}`);
  for (const p of c.exposedPorts.removed) kv('EXPOSE', `- ${safeText(p)}`);
  for (const e of [...c.env.map((x) => ['ENV', x] as const), ...c.labels.map((x) => ['LABEL', x] as const)]) {
    const [k, x] = e;
    const text =
      x.change === 'added'
        ? `+ ${safeText(x.key)}=${safeText(x.new ?? '')}`
        : x.change === 'removed'
          ? `- ${safeText(x.key)}=${safeText(x.old ?? '')}`
          : `~ ${safeText(x.key)}=${safeText(x.old ?? '')} → ${safeText(x.new ?? '')}`;
    kv(k, text);
  }
  for (const n of ex.compare?.notes ?? []) {
    out.push([]);
    for (const l of wrapWidth(safeText(n), Math.max(10, width))) out.push([seg(l, { fg: 'yellow' })]);
  }
  return out;
}

/** The layer row's details (History panel head): both layers' digests and steps. */
export function compareRowDetails(ex: Explorer, width: number): Line[] {
  const c = ex.compare!;
  const r = c.rows[ex.layer];
  if (!r) return [];
  const st = ROW_STYLE[r.relation];
  const out: Line[] = [[seg(`${st.mark} ${st.text}`, { ...st.style, bold: true })]];
  for (const side of ['old', 'new'] as const) {
    const l = r[side];
    if (!l) continue;
    out.push(
      fitLine(
        [seg(fit(side, 4), { fg: 'gray' }), seg(`L${l.index}  `), seg(fitRight(formatBytes(l.size ?? 0), 8))],
        width,
      ),
    );
    if (l.diffId) out.push(fitLine([seg('    diffID ', { fg: 'gray' }), seg(safeText(l.diffId))], width));
  }
  out.push([]);
  return out;
}
