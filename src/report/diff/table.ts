/**
 * The terminal report `layerlens diff` prints by default: a summary first, then the findings NEW
 * introduces and resolves, the layers side by side, packages, config and history, and the files
 * grouped by directory. Long lists are cut (the JSON lists everything; --path narrows and lifts
 * the cut). Colour only when asked; every image-derived string escaped.
 */
import { formatBytes } from '../../text/bytes.js';
import type {
  DirectorySummary,
  FileChange,
  FileState,
  ImageComparison,
  KeyChange,
  LayerRef,
  VulnerabilityChange,
} from '../../findings/compare/types.js';
import type { Finding } from '../../findings/types.js';
import { BOLD, DIM, GREEN, paintWith, RED, RESET, SEVERITY_STYLE, YELLOW } from '../ansi.js';
import { escapeText, hiddenNote, shortDigest, type HiddenFindings } from '../text.js';
import {
  byDirectory,
  configValueChanges,
  imageLine,
  RELATION_MARK,
  shownFindings,
  RELATION_TEXT,
  signedBytes,
  summaryRows,
} from './summary.js';

export interface DiffTableOptions {
  color?: boolean;
  /** Terminal width: lines are cut to it. Without it (a file, a pipe) nothing is cut. */
  width?: number;
  /** Findings the lists show (--severity). */
  shown?: (f: Finding) => boolean;
  hidden?: HiddenFindings;
}

const MARK_COLOR: Record<string, string> = { '+': GREEN, '-': RED, '~': YELLOW, '=': DIM };

/** Directories listed before the rest is summed up, and entries per directory (unless --path narrowed). */
const MAX_DIRS = 40;
const MAX_PER_DIR = 10;
const MAX_PACKAGES = 200;

const pad = (s: string, n: number) => {
  const len = [...s].length;
  return len >= n ? s : s + ' '.repeat(n - len);
};

function fileState(s: FileState): string {
  const kind = s.type === 'file' ? '' : `${s.type} `;
  const link = s.linkTarget !== null ? ` → ${escapeText(s.linkTarget)}` : '';
  return `${kind}${s.mode} ${s.uid}:${s.gid}${s.type === 'file' ? ` ${formatBytes(s.size)}` : ''}${link}`;
}

function fileLine(e: FileChange): string {
  if (e.change === 'added') return `${fileState(e.new!)}`;
  if (e.change === 'removed') return `${fileState(e.old!)}`;
  const o = e.old!;
  const n = e.new!;
  const parts = e.aspects.map((a) => {
    switch (a) {
      case 'type':
        return `${o.type} → ${n.type}`;
      case 'mode':
        return `mode ${o.mode} → ${n.mode}`;
      case 'owner':
        return `owner ${o.uid}:${o.gid} → ${n.uid}:${n.gid}`;
      case 'size':
        return `size ${formatBytes(o.size)} → ${formatBytes(n.size)}`;
      case 'content':
        return 'content';
      case 'target':
        return `target ${escapeText(o.linkTarget ?? '')} → ${escapeText(n.linkTarget ?? '')}`;
      default:
        return a;
    }
  });
  return parts.join(', ');
}

function layerCell(l: LayerRef | null): string {
  return l ? `L${l.index}` : '';
}

function kv(k: KeyChange, sep: string): string {
  const key = escapeText(k.key);
  const v = (x: string | null) => escapeText(x ?? '');
  if (k.change === 'added') return `+ ${key}${sep}${v(k.new)}`;
  if (k.change === 'removed') return `- ${key}${sep}${v(k.old)}`;
  return `~ ${key}${sep}${v(k.old)} → ${v(k.new)}${k.masked && k.old === k.new ? ' (value changed)' : ''}`;
}

/** The directories to list: all of them when few or narrowed, else the ones that changed most. */
export function directoriesToList(dirs: DirectorySummary[], narrowed: boolean, max = MAX_DIRS): DirectorySummary[] {
  if (narrowed || dirs.length <= max) return dirs;
  const weight = (d: DirectorySummary) => Math.abs(d.bytesDelta) + d.bytesAdded + d.bytesRemoved;
  const keep = new Set(
    [...dirs]
      .sort((a, b) => weight(b) - weight(a) || b.added + b.removed + b.modified - (a.added + a.removed + a.modified))
      .slice(0, max),
  );
  return dirs.filter((d) => keep.has(d));
}

export function toDiffTable(c: ImageComparison, opts: DiffTableOptions = {}): string {
  const color = !!opts.color;
  const paint = (style: string, s: string) => paintWith(color, style, s);
  const shown = opts.shown ?? (() => true);
  const listed = shownFindings(c, shown);
  const out: string[] = [];
  const head = (s: string) => out.push('', paint(BOLD, s));

  out.push(paint(BOLD, 'layerlens diff'));
  out.push(`  old  ${imageLine(c.old, c.sizes.old)}`);
  out.push(`  new  ${imageLine(c.new, c.sizes.new)}`);
  if (c.identical) {
    out.push('', 'No differences: the same layers, files, config, packages and findings.');
    return finish(out, opts.width);
  }
  head('Summary');
  for (const [k, v] of summaryRows(c, listed)) out.push(`  ${pad(k, 9)} ${v}`);
  if (opts.hidden?.count) out.push(`  ${hiddenNote(opts.hidden)}`);

  const findingRows = (title: string, fs: Finding[]) => {
    if (!fs.length) return;
    head(`${title} (${fs.length})`);
    for (const f of fs) {
      const where = f.path ? escapeText(f.path) + (f.line !== null ? `:${f.line}` : '') : escapeText(f.key ?? '-');
      out.push(
        `  ${paint(SEVERITY_STYLE[f.severity], pad(f.severity.toUpperCase(), 8))}  ${pad(escapeText(f.ruleId), 28)}  ${where}  ${escapeText(f.title)}${f.evidence ? `  [${escapeText(f.evidence)}]` : ''}`,
      );
    }
  };
  const vulnRows = (title: string, vs: VulnerabilityChange[]) => {
    if (!vs.length) return;
    head(`${title} (${vs.length})`);
    for (const v of vs)
      out.push(
        `  ${paint(SEVERITY_STYLE[v.severity], pad(v.severity.toUpperCase(), 8))}  ${pad(escapeText(v.id), 20)}  ${escapeText(v.package)} ${escapeText(v.version)} (${escapeText(v.ecosystem)})  ${v.fixedVersion ? `fixed in ${escapeText(v.fixedVersion)}` : 'no fix published'}`,
      );
  };
  vulnRows('Vulnerabilities fixed by new', listed.fixed);
  vulnRows('Vulnerabilities introduced by new', listed.introduced);
  findingRows('Findings introduced by new', listed.new);
  findingRows('Findings resolved in new', listed.resolved);
  const regraded = c.findings.unchanged.filter((m) => m.old.severity !== m.new.severity && shown(m.new));
  if (regraded.length) {
    head(`Findings kept with another severity (${regraded.length})`);
    for (const m of regraded)
      out.push(
        `  ${paint(SEVERITY_STYLE[m.old.severity], m.old.severity.toUpperCase())} → ${paint(SEVERITY_STYLE[m.new.severity], pad(m.new.severity.toUpperCase(), 8))}  ${pad(escapeText(m.new.ruleId), 28)}  ${escapeText(m.new.path ?? m.new.key ?? '-')}  ${escapeText(m.new.title)}`,
      );
  }
  const moved = c.findings.unchanged.filter((m) => m.moved && shown(m.new));
  if (moved.length) {
    head(`Findings unchanged but moved (${moved.length})`);
    for (const m of moved)
      out.push(
        `  ${pad(escapeText(m.new.ruleId), 28)}  ${escapeText(m.old.path ?? '')} → ${escapeText(m.new.path ?? '')}`,
      );
  }

  head('Layers');
  if (c.layers.divergence && c.layers.commonPrefix > 0)
    out.push(`  identical up to layer ${c.layers.commonPrefix - 1}; they part at layer ${c.layers.divergence.layer}`);
  for (const r of c.layers.rows) {
    const mark = RELATION_MARK[r.relation];
    const l = r.new ?? r.old!;
    const size =
      r.relation === 'rebuilt'
        ? `${formatBytes(r.old!.size ?? 0)} → ${formatBytes(r.new!.size ?? 0)}`
        : formatBytes(l.size ?? 0);
    out.push(
      `  ${paint(MARK_COLOR[mark], mark)} ${pad(layerCell(r.old), 4)} ${pad(layerCell(r.new), 4)} ${pad(size, 21)} ${pad(shortDigest(l.diffId), 19)} ${escapeText(l.createdBy ?? '<no history>')}  (${RELATION_TEXT[r.relation]})`,
    );
  }

  const p = c.packages;
  if (p.added.length + p.removed.length + p.upgraded.length + p.downgraded.length + p.changed.length) {
    head('Packages');
    const lines: string[] = [];
    for (const x of p.upgraded) lines.push(`  ↑ ${escapeText(x.name)} ${escapeText(x.old)} → ${escapeText(x.new)}`);
    for (const x of p.downgraded) lines.push(`  ↓ ${escapeText(x.name)} ${escapeText(x.old)} → ${escapeText(x.new)}`);
    for (const x of p.changed)
      lines.push(
        `  ~ ${escapeText(x.name)} ${escapeText(x.old)} → ${escapeText(x.new)}  (order not known for ${x.ecosystem})`,
      );
    for (const x of p.added)
      lines.push(`  ${paint(MARK_COLOR['+'], '+')} ${escapeText(x.name)} ${escapeText(x.version)}`);
    for (const x of p.removed)
      lines.push(`  ${paint(MARK_COLOR['-'], '-')} ${escapeText(x.name)} ${escapeText(x.version)}`);
    out.push(...lines.slice(0, MAX_PACKAGES));
    if (lines.length > MAX_PACKAGES) out.push(`  … ${lines.length - MAX_PACKAGES} more (--format json lists them all)`);
  }

  const cfg = c.config;
  const cfgLines: string[] = [];
  const show = (v: unknown) => (v === null ? '(none)' : escapeText(typeof v === 'string' ? v : JSON.stringify(v)));
  for (const [label, ch] of configValueChanges(cfg))
    cfgLines.push(`  ${pad(label, 11)} ${show(ch.old)} → ${show(ch.new)}`);
  const setLines = (label: string, s: { added: string[]; removed: string[] }) => {
    const items = [...s.added.map((x) => `+ ${escapeText(x)}`), ...s.removed.map((x) => `- ${escapeText(x)}`)];
    items.forEach((x, i) => cfgLines.push(`  ${pad(i === 0 ? label : '', 11)} ${x}`));
  };
  setLines('EXPOSE', cfg.exposedPorts);
  setLines('VOLUME', cfg.volumes);
  cfg.env.forEach((k, i) => cfgLines.push(`  ${pad(i === 0 ? 'ENV' : '', 11)} ${kv(k, '=')}`));
  cfg.labels.forEach((k, i) => cfgLines.push(`  ${pad(i === 0 ? 'LABEL' : '', 11)} ${kv(k, '=')}`));
  if (cfgLines.length) {
    head('Config');
    for (const l of cfgLines) out.push(l); // (ENV lines may be more than a call's arguments)
  }
  const steps = cfg.history.filter((r) => r.relation !== 'same');
  if (steps.length) {
    head('History');
    const same = cfg.history.length - steps.length;
    if (same) out.push(`  ${same} step${same === 1 ? '' : 's'} the same`);
    for (const r of steps) {
      const mark = r.relation === 'added' ? '+' : r.relation === 'removed' ? '-' : '~';
      const s = (r.new ?? r.old)!;
      out.push(
        `  ${paint(MARK_COLOR[mark], mark)} ${escapeText(s.createdBy ?? '<no command>')}${r.relation === 'rebuilt' ? '  (rebuilt: other layer content)' : ''}`,
      );
    }
  }

  const f = c.files;
  if (f.entries.length) {
    const narrowed = f.paths.length > 0;
    const dirs = directoriesToList(f.directories, narrowed);
    head(
      `Files by directory (${f.entries.length} changes${narrowed ? ` under ${f.paths.map(escapeText).join(', ')}` : ''})`,
    );
    const byDir = byDirectory(f.entries);
    for (const d of dirs) {
      out.push(
        `  ${pad(escapeText(d.path), 40)} ${pad(`+${d.added} ~${d.modified} -${d.removed}`, 14)} ${signedBytes(d.bytesDelta)}`,
      );
      const list = byDir.get(d.path) ?? [];
      const cut = narrowed ? list : list.slice(0, MAX_PER_DIR);
      for (const e of cut) {
        const mark = e.change === 'added' ? '+' : e.change === 'removed' ? '-' : '~';
        out.push(`    ${paint(MARK_COLOR[mark], mark)} ${escapeText(e.path)}  ${fileLine(e)}`);
      }
      if (cut.length < list.length)
        out.push(`    … ${list.length - cut.length} more (--path '${escapeText(d.path)}/*' lists them)`);
    }
    if (dirs.length < f.directories.length)
      out.push(
        `  … ${f.directories.length - dirs.length} more directories with smaller changes (--path narrows; --format json lists every change)`,
      );
  }
  return finish(out, opts.width);
}

function finish(lines: string[], width: number | undefined): string {
  if (width === undefined) return lines.join('\n') + '\n';
  const w = Math.max(40, width);
  // (Cut by characters; colour codes are not counted, so a coloured line may be cut a little early.)
  return (
    lines
      .map((l) => {
        const chars = [...l];
        if (chars.length <= w) return l;
        return chars.slice(0, w - 1).join('') + '…' + (l.includes('\x1b') ? RESET : '');
      })
      .join('\n') + '\n'
  );
}
