/** The Layers box and the side panels' bodies (History, Ports, Findings, Image) as styled lines. */
import { parseBuildArgs } from '../findings/config.js';
import { computeEfficiency, type EfficiencyReport, keptEfficiency } from '../findings/efficiency.js';
import { PUBLISH_ALL_NOTE } from '../findings/ports.js';
import { redactConfigStrings, redactEnv, redactValue } from '../findings/redact.js';
import type { Severity } from '../findings/types.js';
import { SEVERITIES, severityRank } from '../findings/types.js';
import { vulnerableLayers } from '../findings/vulnerabilities/groups.js';
import { secretScanCoverage } from '../report/table.js';
import { formatBytes, formatPercent } from '../text/bytes.js';
import { safeText } from '../text/safe-text.js';
import { fit, fitRight, wrapWidth } from '../text/width.js';
import { commandFull, commentInstead, historyAround, layerCommand, shownEntry } from './commands.js';
import type { Explorer } from './explorer.js';
import { bar } from './format.js';
import { perList } from './per-list.js';
import { fitLine, seg, type Line, type Seg, type Style } from './style.js';

export const SEVERITY_STYLE: Record<Severity, { label: string; style: Style }> = {
  critical: { label: 'CRIT', style: { fg: 'brightWhite', bg: 'red', bold: true } },
  high: { label: 'HIGH', style: { fg: 'brightRed', bold: true } },
  medium: { label: 'MED ', style: { fg: 'yellow', bold: true } },
  low: { label: 'LOW ', style: { fg: 'cyan' } },
  // A vulnerability no advisory rated: its own colour, never mistaken for low.
  unknown: { label: 'UNKN', style: { fg: 'magenta', bold: true } },
  info: { label: 'INFO', style: { fg: 'gray' } },
};

/** The Layers box's marker for a layer whose worst finding has severity `s`. */
export function severityMark(s: Severity): { mark: string; style: Style } {
  const st = SEVERITY_STYLE[s].style;
  // (A background colour would fill the cell: the critical mark is bright red and bold instead.)
  return { mark: '●', style: st.bg ? { fg: 'brightRed', bold: true } : st };
}

/** The marker of a layer that deletes or overwrites lower files (and has no finding). */
export const HIDES_MARK = { mark: '✗', style: { fg: 'brightMagenta' } as Style };

/** The second marker: the layer brought in packages with known vulnerabilities (its colour: the worst). */
export const VULN_MARK = '◆';

/**
 * Per layer, the worst severity of the findings it brought in or removed a file of, and of the
 * vulnerabilities its packages brought (once per list: per-list.ts).
 */
const layerMarks = perList((findings) => {
  const worst = new Map<number, Severity>();
  const mark = (i: number | null, s: Severity) => {
    if (i === null) return;
    const w = worst.get(i);
    if (!w || severityRank(s) > severityRank(w)) worst.set(i, s);
  };
  for (const f of findings) {
    // Info findings (sizes, notes) do not mark a layer: the marks are for what needs a look.
    if (f.severity === 'info') continue;
    mark(f.layerIndex, f.severity);
    mark(f.deletedInLayerIndex, f.severity);
  }
  return { worst, vulnerable: vulnerableLayers(findings) };
});

function selectStyle(line: Seg[], width: number, selected: boolean, focused: boolean): Line {
  if (!selected) return fitLine(line, width);
  const bg = focused ? 'selBg' : 'dimBg';
  return fitLine(
    line.map((s) => ({ ...s, bg })),
    width,
    { bg },
  );
}

function wrapped(text: string, width: number, style: Style, indent = ''): Line[] {
  return wrapWidth(text, Math.max(1, width - indent.length)).map((l) => [seg(indent), seg(l, style)]);
}

// ---- loading state ---------------------------------------------------------------------------

export interface LoadFailure {
  /** "layer 3 failed (digest mismatch)" */
  failedText: string;
  /** "Layers 0–2 are verified and shown." */
  trusted: string;
  /** Layers never read because the load stopped. */
  unread: Set<number>;
}

/** After a failed load: which layer failed, which are trustworthy, which were never read. */
export function loadFailure(ex: Explorer): LoadFailure | undefined {
  const m = ex.model;
  if (!m.error) return undefined;
  const failed = m.layers.find((l) => l.state === 'failed');
  const applied = m.tree.layerCount;
  const unread = new Set<number>();
  for (let i = applied; i < ex.layerCount; i++) if (m.layers[i]?.state !== 'failed') unread.add(i);
  const failedText = failed ? `layer ${failed.index} failed` : 'the image could not be read to the end';
  const trusted =
    applied === 0
      ? 'No layer was verified.'
      : applied === 1
        ? 'Layer 0 is verified and shown.'
        : `Layers 0–${applied - 1} are verified and shown.`;
  return { failedText, trusted, unread };
}

// ---- layers ----------------------------------------------------------------------------------

function stateCell(ex: Explorer, i: number, max: number, failure: LoadFailure | undefined): Seg[] {
  const st = ex.model.layers[i];
  if (st?.state === 'failed') return [seg(fitRight('failed', 8), { fg: 'red', bold: true }), seg(' '.repeat(7))];
  if (failure?.unread.has(i)) return [seg(fitRight('not read', 8), { fg: 'red' }), seg(' '.repeat(7))];
  if (!st || st.state === 'queued') return [seg(fitRight('queued', 8), { fg: 'gray' }), seg(' '.repeat(7))];
  if (st.state === 'reading') {
    const pct = st.totalBytes ? Math.min(100, Math.floor((100 * st.bytesRead) / st.totalBytes)) : undefined;
    return [
      seg(fitRight(pct !== undefined ? `${pct}%` : formatBytes(st.bytesRead), 8), { fg: 'yellow' }),
      seg(' '),
      seg(bar((pct ?? 0) / 100, 5), { fg: 'yellow' }),
      seg(' '),
    ];
  }
  const size = st.size ?? 0;
  return [seg(fitRight(formatBytes(size), 8)), seg(' '), seg(bar(size / max, 5), { fg: 'cyan' }), seg(' ')];
}

export function layersBody(ex: Explorer, width: number, rows: number): Line[] {
  const m = ex.model;
  const n = ex.layerCount;
  const out: Line[] = [
    fitLine(
      [
        seg('  # ', { fg: 'gray', bold: true }),
        seg(fitRight('Size', 8) + ' ', { fg: 'gray', bold: true }),
        seg('        Command', { fg: 'gray', bold: true }),
      ],
      width,
    ),
  ];
  let max = 1;
  for (const l of m.layers) max = Math.max(max, l.size ?? l.totalBytes ?? 0);
  const failure = loadFailure(ex);
  const { worst: worstIn, vulnerable } = layerMarks(ex.findings);
  for (let i = ex.layerTop; i < Math.min(n, ex.layerTop + rows); i++) {
    const parts: Seg[] = [seg(fitRight(String(i), 3) + ' ', { fg: 'gray' }), ...stateCell(ex, i, max, failure)];
    const w = worstIn.get(i);
    if (w) {
      const mk = severityMark(w);
      parts.push(seg(mk.mark, mk.style));
    } else if (ex.layerHides(i)) parts.push(seg(HIDES_MARK.mark, HIDES_MARK.style));
    else parts.push(seg(' '));
    const v = vulnerable.get(i);
    parts.push(v ? seg(VULN_MARK, severityMark(v).style) : seg(' '), seg(' '));
    const cmd = safeText(layerCommand(m.meta, i, ex.reveal));
    const sp = cmd.indexOf(' ');
    if (sp > 0 && /^[A-Z]+$/.test(cmd.slice(0, sp)))
      parts.push(seg(cmd.slice(0, sp), { bold: true }), seg(cmd.slice(sp)));
    else parts.push(seg(cmd));
    out.push(selectStyle(parts, width, i === ex.layer, ex.focus === 'layers'));
  }
  if (n === 0) out.push([seg(m.error ? 'no layers' : 'waiting for the image metadata…', { fg: 'gray' })]);
  return out;
}

export function layersInfo(ex: Explorer): string {
  const m = ex.model;
  const done = m.layers.filter((l) => l.state === 'done').length;
  return m.done ? `${ex.layerCount} layers` : `${done}/${ex.layerCount} loaded`;
}

/** The image's efficiency (the efficiency check's own figures), once every layer is in. */
export function efficiencyOf(ex: Explorer): EfficiencyReport | undefined {
  const m = ex.model;
  if (!m.done) return undefined;
  // While the full checks run (in slices between keys), the report they make: a frame does not
  // walk the tree itself (at two million paths ~0.25 s). Kept per tree by findings/efficiency.ts.
  return keptEfficiency(m) ?? (ex.findingsPending ? undefined : computeEfficiency(m));
}

/**
 * The image's efficiency, always in view in the Layers box's bottom border, as dive's Image
 * Details pane has it: efficiency score, wasted bytes, wasted share of the user layers.
 */
export function efficiencyFooter(ex: Explorer): Line | undefined {
  const r = efficiencyOf(ex);
  if (!r)
    return ex.model.error
      ? undefined
      : [
          seg(ex.model.done ? ' efficiency: the checks are running… ' : ' efficiency: once every layer is in ', {
            fg: 'gray',
          }),
        ];
  const warn = r.score < 0.9 || r.userWastedPercent > 0.1;
  return [
    seg(' efficiency ', { fg: 'gray' }),
    seg(formatPercent(r.score), { fg: warn ? 'yellow' : 'green', bold: true }),
    seg(' · wasted ', { fg: 'gray' }),
    seg(formatBytes(r.wastedBytes), { fg: r.wastedBytes ? 'yellow' : 'gray' }),
    seg(' · user wasted ', { fg: 'gray' }),
    seg(formatPercent(r.userWastedPercent), { fg: warn ? 'yellow' : 'gray' }),
    seg(' ', { fg: 'gray' }),
  ];
}

// ---- history ---------------------------------------------------------------------------------

export function historyBody(ex: Explorer, width: number): Line[] {
  const meta = ex.model.meta;
  const out: Line[] = [];
  if (!meta) return [[seg('waiting for the image metadata…', { fg: 'gray' })]];
  const d = meta.layers[ex.layer];
  const st = ex.model.layers[ex.layer];
  const kv = (k: string, v: string) => out.push([seg(fit(k, 9), { fg: 'gray' }), seg(v)]);
  if (d?.digest) kv('digest', safeText(d.digest));
  const diffId = d?.diffId ?? st?.diffId;
  if (diffId && diffId !== d?.digest) kv('diffID', safeText(diffId));
  const sizes = [
    st?.size !== undefined ? `${formatBytes(st.size)} uncompressed` : undefined,
    (d?.compressedSize ?? st?.compressedSize) !== undefined && st?.compression !== 'tar'
      ? `${formatBytes(d?.compressedSize ?? st?.compressedSize)} stored${st?.compression ? ` (${st.compression})` : ''}`
      : undefined,
  ].filter(Boolean);
  if (sizes.length) kv('size', sizes.join(' · '));
  if (out.length) out.push([]);
  // (Concatenated, not spread: the entries may be more than a call takes arguments.)
  return out.concat(
    kept(historyLines, meta, `${ex.layer}|${ex.reveal}|${width}`, () => historyEntryLines(ex, meta, width)),
  );
}

/**
 * Lines that change only with the image's metadata and a few settings (`key`), made once per
 * metadata object and kept while `key` stays. A config may hold hundreds of thousands of history
 * entries or ENV and LABEL lines (16 MiB of JSON): made again on every frame, with each value's
 * secrets looked for, a key took most of a second at 40,000 and a frame grew with the image.
 */
function kept(
  cache: WeakMap<object, { key: string; lines: Line[] }>,
  owner: object,
  key: string,
  make: () => Line[],
): Line[] {
  const c = cache.get(owner);
  if (c?.key === key) return c.lines;
  const lines = make();
  cache.set(owner, { key, lines });
  return lines;
}
const historyLines = new WeakMap<object, { key: string; lines: Line[] }>();
const configLines = new WeakMap<object, { key: string; lines: Line[] }>();

/** The history entries around the selected layer, its own in full. */
function historyEntryLines(ex: Explorer, meta: NonNullable<Explorer['model']['meta']>, width: number): Line[] {
  const out: Line[] = [];
  const range = historyAround(meta.history, ex.layer);
  if (!range) {
    out.push([seg(`no history entry for layer ${ex.layer}`, { fg: 'gray' })]);
    return out;
  }
  for (let i = range.start; i <= range.end; i++) {
    const raw = meta.history[i];
    const h = shownEntry(raw, ex.reveal);
    const own = i === range.own;
    const when = h.created ? h.created.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '') : '';
    if (own) {
      out.push([
        seg(`▶ layer ${ex.layer}`, { fg: 'brightCyan', bold: true }),
        seg(when ? `  ${when}` : '', { fg: 'gray' }),
      ]);
      const full = commandFull(h)
        .split('\n')
        .map((l) => safeText(l.replace(/\t/g, '  ')))
        .join('\n');
      for (const l of wrapped(full, width, { bold: true }, '  ')) out.push(l);
      const { args } = parseBuildArgs((raw.createdBy ?? '').replace(/ # buildkit$/, '').replace(/^RUN /, ''));
      if (args.length) {
        out.push([seg('  ⚠ build args recorded in history (anyone can read them):', { fg: 'brightRed', bold: true })]);
        for (const a of args) {
          const shown = redactValue(a.key, a.value, ex.reveal);
          out.push([
            seg(`    |${args.length} `, { fg: 'gray' }),
            seg(safeText(a.key), { fg: 'yellow', bold: true }),
            seg('='),
            seg(safeText(shown.text), shown.masked ? { fg: 'brightRed' } : {}),
          ]);
        }
      }
      // (Not again when it is shown in place of an empty command.)
      // (A loop, not push(...): a comment of megabytes wraps to more lines than a call has arguments.)
      if (h.comment && !commentInstead(h))
        for (const l of wrapped(safeText(h.comment), width, { fg: 'gray' }, '  # ')) out.push(l);
    } else {
      const cmd = commandFull(h).split('\n').map(safeText).join(' ⏎ ');
      const kw = cmd.split(' ')[0];
      const risky = /^(ENV|ARG|EXPOSE|USER)$/.test(kw);
      out.push([
        seg('  '),
        seg(kw, { fg: risky ? 'yellow' : 'cyan', bold: true }),
        seg(cmd.slice(kw.length), { fg: 'white' }),
      ]);
    }
  }
  return out;
}

// ---- ports -----------------------------------------------------------------------------------

/** The port check's findings by port (once per list: per-list.ts). */
const portFindings = perList((findings) =>
  findings
    .filter((f) => f.category === 'port')
    .sort((a, b) => Number(a.properties?.port ?? 0) - Number(b.properties?.port ?? 0)),
);

/** The Ports panel: the port check's findings (one per EXPOSEd port), as the check rates them. */
export function portsBody(ex: Explorer, width: number): Line[] {
  if (!ex.model.meta) return [[seg('waiting for the image metadata…', { fg: 'gray' })]];
  const ports = portFindings(ex.findings);
  if (!ports.length) return [[seg('no EXPOSEd ports', { fg: 'gray' })]];
  const out: Line[] = [fitLine([seg(fit('Port', 12) + fit('Sev', 5) + 'Service', { fg: 'gray', bold: true })], width)];
  for (const f of ports) {
    const s = SEVERITY_STYLE[f.severity];
    out.push([
      seg(fit(safeText(f.key ?? ''), 12), { bold: true }),
      seg(s.label, s.style),
      seg(' '),
      seg(safeText(String(f.properties?.service ?? '')), { bold: true }),
    ]);
    const why = String(f.properties?.why ?? '');
    const panels = Array.isArray(f.properties?.panels)
      ? ` Served here: ${(f.properties.panels as string[]).join(', ')}.`
      : '';
    for (const l of wrapped(safeText(why + panels), width, { fg: 'gray' }, ' '.repeat(17))) out.push(l);
  }
  out.push([]);
  for (const l of wrapped(PUBLISH_ALL_NOTE, width, { fg: 'yellow' })) out.push(l);
  return out;
}

// ---- findings --------------------------------------------------------------------------------

/** Rows of the findings list (the rest of the panel shows the selected finding). */
export function findingsListRows(rows: number): number {
  const detail = Math.min(8, Math.max(0, rows - 6));
  return Math.max(1, rows - detail - (detail ? 1 : 0));
}

/** Index of the first finding on screen: the selection kept near the middle. */
export function findingsListTop(ex: Explorer, rows: number): number {
  const list = findingsListRows(rows);
  return Math.max(0, Math.min(ex.findingIndex - Math.floor(list / 2), ex.findings.length - list));
}

/** An empty list says which: none, none yet, or none in the part of the image that was read. */
function noFindings(ex: Explorer): string {
  if (ex.findingsFinal) return 'no findings';
  if (ex.loadFailed)
    return 'no findings in what was read: the image was not read completely, so its files were not all checked';
  return ex.findingsPending ? 'no findings yet (the checks are running…)' : 'no findings yet (still loading)';
}

export function findingsBody(ex: Explorer, width: number, rows: number): Line[] {
  const fs = ex.findings;
  if (!fs.length) return [[seg(noFindings(ex), { fg: 'gray' })]];
  const listRows = findingsListRows(rows);
  const detailRows = rows - listRows - 1;
  const top = findingsListTop(ex, rows);
  const out: Line[] = [];
  for (let i = top; i < Math.min(fs.length, top + listRows); i++) {
    const f = fs[i];
    const s = SEVERITY_STYLE[f.severity];
    const where = f.layerIndex !== null ? `L${f.layerIndex}` : '  ';
    out.push(
      selectStyle(
        [seg(s.label, s.style), seg(' '), seg(fit(where, 4), { fg: 'gray' }), seg(safeText(f.title))],
        width,
        i === ex.findingIndex,
        ex.focus === 'side',
      ),
    );
  }
  if (detailRows > 0) {
    while (out.length < listRows) out.push([]);
    out.push([seg('─'.repeat(width), { fg: 'gray' })]);
    const f = fs[ex.findingIndex];
    const d: Line[] = [];
    // (Loops, not push(...): a message of megabytes wraps to more lines than a call has arguments.)
    for (const l of wrapped(safeText(f.message), width, {})) d.push(l);
    if (f.evidence) d.push([seg('evidence: ', { fg: 'gray' }), seg(safeText(f.evidence), { fg: 'yellow' })]);
    if (f.remediation) for (const l of wrapped('fix: ' + safeText(f.remediation), width, { fg: 'green' })) d.push(l);
    d.push([seg(`${safeText(f.ruleId)}${f.path ? ' · Enter: go to file' : ''}`, { fg: 'gray' })]);
    for (const l of d.slice(0, detailRows)) out.push(l);
  }
  return out;
}

export function findingsInfo(ex: Explorer): string {
  return severityCounts(ex.findings) + (ex.findingsFinal ? '' : ' (loading)');
}

/** The rules the findings are of (once per list: per-list.ts). */
const ruleIds = perList((findings) => new Set(findings.map((f) => f.ruleId)));

/** The findings' counts by severity (once per list: per-list.ts). */
const severityCounts = perList((findings) => {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return (
    SEVERITIES.filter((s) => counts.get(s))
      .map((s) => `${counts.get(s)} ${s}`)
      .join(' · ') || '0'
  );
});

// ---- image -----------------------------------------------------------------------------------

const DAY = 86_400_000;

/** What the secret scan read, files read only in part in yellow; undefined when no checks are wired. */
function secretScanLine(ex: Explorer): { text: string; style: Style } | undefined {
  if (!ex.secretScan) return undefined;
  if (!ex.findingsFinal)
    return {
      text: ex.model.error ? 'not complete: the image did not load' : 'counted once every layer is in',
      style: { fg: 'gray' },
    };
  const s = ex.secretScan();
  if (!s) return undefined;
  return {
    text: secretScanCoverage(s, 'layerlens scan --secret-scan-limit'),
    style: s.truncated ? { fg: 'yellow' } : {},
  };
}

/**
 * The vulnerability database the image was checked against, from the check's own findings: each
 * archive the image needed with its date and age (yellow when the check found it stale), or that
 * there is none and how to get one.
 */
function vulnDbLines(ex: Explorer, now = Date.now()): Array<{ text: string; style: Style }> {
  if (!ex.findingsFinal)
    return [
      {
        text: ex.model.error ? 'not used: the image did not load' : 'used once every layer is in',
        style: { fg: 'gray' },
      },
    ];
  const vf = (id: string) => ex.findings.find((f) => f.category === 'vulnerability' && f.ruleId === id);
  if (vf('vulnerability-db-missing'))
    return [{ text: 'none: packages not checked (layerlens db update gets one)', style: { fg: 'yellow' } }];
  const summary = vf('vulnerability-summary');
  const db = summary?.properties?.database as { description?: string; fetched?: Record<string, string> } | undefined;
  if (!db) return [{ text: 'not used', style: { fg: 'gray' } }];
  const stale = !!vf('vulnerability-db-stale');
  const out = Object.entries(db.fetched ?? {}).map(([eco, iso]): { text: string; style: Style } => {
    const days = Math.max(0, Math.floor((now - Date.parse(iso)) / DAY));
    return {
      text: `${safeText(eco)} advisories of ${iso.slice(0, 10)} (${days === 0 ? 'today' : days === 1 ? '1 day old' : `${days} days old`})`,
      style: stale ? { fg: 'yellow' as const, bold: true } : {},
    };
  });
  out.push({ text: safeText(db.description ?? ''), style: { fg: 'gray' } });
  if (stale)
    out.push({ text: 'stale: run layerlens db update before trusting a clean result', style: { fg: 'yellow' } });
  return out;
}

export function imageBody(ex: Explorer, width: number): Line[] {
  const m = ex.model;
  const meta = m.meta;
  if (!meta) return [[seg(m.error ? safeText(m.error.message) : 'waiting for the image metadata…', { fg: 'gray' })]];
  const c = meta.config.config ?? {};
  const out: Line[] = [];
  const kv = (k: string, v: string, style: Style = {}) => {
    const lines = wrapWidth(v, Math.max(1, width - 12));
    lines.forEach((l, i) => out.push([seg(fit(i === 0 ? k : '', 12), { fg: 'gray' }), seg(l, style)]));
  };
  kv('Reference', safeText(meta.reference), { bold: true });
  if (meta.digest) kv('Digest', safeText(meta.digest));
  if (meta.configDigest && meta.configDigest !== meta.digest) kv('Config', safeText(meta.configDigest));
  if (meta.platform)
    kv(
      'Platform',
      safeText([meta.platform.os, meta.platform.architecture, meta.platform.variant].filter(Boolean).join('/')),
    );
  if (meta.config.created) kv('Created', safeText(meta.config.created));
  kv('Source', meta.source);
  const size = m.layers.reduce((s, l) => s + (l.size ?? 0), 0);
  const comp = meta.layers.reduce((s, l) => s + (l.compressedSize ?? 0), 0);
  kv(
    'Layers',
    `${meta.layers.length} · ${formatBytes(size)} uncompressed${comp ? ` · ${formatBytes(comp)} stored` : ''}${m.done ? '' : ' (loading)'}`,
  );
  const eff = efficiencyOf(ex);
  if (eff) {
    kv('Efficiency', `${formatPercent(eff.score)} (dive: ${formatPercent(eff.dive.score)})`, { bold: true });
    kv(
      'Wasted',
      `${formatBytes(eff.wastedBytes)} still shipped: ${formatBytes(eff.byCause.deleted)} deleted, ${formatBytes(eff.byCause.overwritten)} overwritten, ${formatBytes(eff.byCause['metadata-only'])} copied for a chmod/chown (dive counts every copy: ${formatBytes(eff.dive.wastedBytes)})`,
      eff.wastedBytes ? { fg: 'yellow' } : { fg: 'gray' },
    );
    kv(
      'User wasted',
      `${formatPercent(eff.userWastedPercent)} of the ${formatBytes(eff.userSizeBytes)} added above the base layer (dive: ${formatPercent(eff.dive.userWastedPercent)})`,
    );
    for (const [i, t] of eff.top.slice(0, 5).entries())
      kv(
        i === 0 ? 'Top waste' : '',
        `${formatBytes(t.bytes)}  ${safeText(t.path)}${t.copies > 1 ? ` (${t.copies} copies)` : ''}`,
        {
          fg: 'gray',
        },
      );
  } else
    kv('Efficiency', m.error ? 'not computed: the image did not load' : 'computed once every layer is in', {
      fg: 'gray',
    });
  for (const [i, l] of vulnDbLines(ex).entries()) kv(i === 0 ? 'Vuln DB' : '', l.text, l.style);
  const scan = secretScanLine(ex);
  if (scan) kv('Secret scan', scan.text, scan.style);
  // Root as the checks resolve USER (through the image's passwd: findings/run-user.ts), and
  // the commands with what the checks find in them masked (findings/config-values.ts).
  const user = c.User || '(none: root)';
  const root = ruleIds(ex.findings).has('config-user-root');
  kv('User', safeText(user) + (root ? '  ⚠ runs as root' : ''), root ? { fg: 'brightRed', bold: true } : {});
  const shown = redactConfigStrings(meta.config, ex.reveal).config ?? {};
  if (shown.WorkingDir) kv('Workdir', safeText(shown.WorkingDir));
  if (shown.Entrypoint?.length) kv('Entrypoint', safeText(JSON.stringify(shown.Entrypoint)));
  if (shown.Cmd?.length) kv('Cmd', safeText(JSON.stringify(shown.Cmd)));
  return out.concat(kept(configLines, meta, `${ex.reveal}|${width}`, () => configListLines(ex, meta, width)));
}

/** The Image panel's lists from the config: ENV, EXPOSE, LABELs, tags, notes (secrets masked unless revealed). */
function configListLines(ex: Explorer, meta: NonNullable<Explorer['model']['meta']>, width: number): Line[] {
  const c = meta.config.config ?? {};
  const out: Line[] = [];
  const kv = (k: string, v: string, style: Style = {}) => {
    const lines = wrapWidth(v, Math.max(1, width - 12));
    lines.forEach((l, i) => out.push([seg(fit(i === 0 ? k : '', 12), { fg: 'gray' }), seg(l, style)]));
  };
  for (const [i, e] of (c.Env ?? []).entries()) {
    const shown = redactEnv(e, ex.reveal);
    kv(i === 0 ? 'Env' : '', safeText(shown.text), shown.masked ? { fg: 'brightRed' } : {});
  }
  const ports = Object.keys(c.ExposedPorts ?? {});
  if (ports.length) kv('Exposed', safeText(ports.join(' ')), { fg: 'yellow' });
  for (const [i, [k, v]] of Object.entries(c.Labels ?? {}).entries()) {
    const shown = redactValue(k, String(v), ex.reveal);
    kv(i === 0 ? 'Labels' : '', safeText(`${k}=${shown.text}`), shown.masked ? { fg: 'brightRed' } : {});
  }
  if (meta.repoTags?.length) kv('Tags', safeText(meta.repoTags.join(' ')));
  for (const n of meta.notes ?? []) kv('Note', safeText(n), { fg: 'gray' });
  return out;
}
