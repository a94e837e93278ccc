/**
 * The Vulnerabilities side panel as styled lines: the vulnerability check's summary (base image
 * vs your layers), the database's state when it needs a word (stale, an ecosystem missing), the
 * vulnerable packages grouped by package (worst severity, count, introducing layer, base or own),
 * and the selected package in detail: its layer's command, the fix, each vulnerability with its
 * fixed version or "no fix available yet". Everything shown is what the findings say
 * (src/findings/vulnerabilities); names from the image go through safeText.
 */
import type { Finding } from '../findings/types.js';
import { severityCounts, type VulnerablePackage, vulnProps } from '../findings/vulnerabilities/groups.js';
import { safeText } from '../text/safe-text.js';
import { fit, wrapWidth } from '../text/width.js';
import type { Explorer } from './explorer.js';
import { SEVERITY_STYLE } from './render-panels.js';
import { perList } from './per-list.js';
import { fitLine, type Line, seg, type Seg, type Style } from './style.js';

const ORIGIN: Record<VulnerablePackage['origin'], string> = { base: 'base', own: 'own', unknown: '' };

function wrapped(text: string, width: number, style: Style, indent = '', max = Infinity): Line[] {
  return wrapWidth(text, Math.max(1, width - indent.length))
    .slice(0, max)
    .map((l) => [seg(indent), seg(l, style)]);
}

function byRule(fs: readonly Finding[], id: string): Finding | undefined {
  return firstByRule(fs).get(id);
}

/** Each vulnerability rule's first finding (once per list: per-list.ts). */
const firstByRule = perList((fs) => {
  const first = new Map<string, Finding>();
  for (const f of fs) if (f.category === 'vulnerability' && !first.has(f.ruleId)) first.set(f.ruleId, f);
  return first;
});

/** Lines above the list: the counts by severity, the summary and the database's state. */
function header(ex: Explorer, width: number): Line[] {
  const out: Line[] = [];
  const counts = severityCounts(ex.vulnerablePackages());
  if (counts.length) {
    const line: Seg[] = [];
    for (const [s, n] of counts) {
      if (line.length) line.push(seg(' · ', { fg: 'gray' }));
      line.push(
        seg(`${n} ${s}`, SEVERITY_STYLE[s].style.bg ? { fg: 'brightRed', bold: true } : SEVERITY_STYLE[s].style),
      );
    }
    out.push(fitLine(line, width));
  }
  const summary = byRule(ex.findings, 'vulnerability-summary');
  if (summary) out.push(...wrapped(safeText(summary.title), width, { bold: true }, '', 2));
  const best = summary?.properties?.bestFix;
  if (typeof best === 'string')
    out.push(...wrapped(`the change that fixes the most: ${safeText(best)}`, width, { fg: 'green' }, '', 2));
  const stale = byRule(ex.findings, 'vulnerability-db-stale');
  if (stale)
    out.push(
      ...wrapped(`⚠ ${safeText(stale.title)}: run layerlens db update`, width, { fg: 'yellow', bold: true }, '', 2),
    );
  const incomplete = byRule(ex.findings, 'vulnerability-db-incomplete');
  if (incomplete) out.push(...wrapped(safeText(incomplete.title), width, { fg: 'yellow' }, '', 2));
  return out;
}

/** What the panel says when it has no list: loading, no database, not checked, none found. */
function stateLines(ex: Explorer, width: number): Line[] | undefined {
  const gray = { fg: 'gray' as const };
  if (!ex.findingsFinal)
    return [
      ...wrapped(
        ex.findingsPending
          ? 'Matching the packages against the vulnerability database…'
          : ex.loadFailed
            ? 'Known vulnerabilities: not checked: the image was not read completely (the package inventory needs every layer).'
            : 'Known vulnerabilities: once every layer is in (the package inventory needs all of them).',
        width,
        gray,
      ),
    ];
  const missing = byRule(ex.findings, 'vulnerability-db-missing');
  if (missing) {
    const n = Number(missing.properties?.packagesFound ?? 0);
    return [
      ...wrapped(`No vulnerability database: the ${n} packages found were not checked.`, width, {
        fg: 'yellow',
        bold: true,
      }),
      ...wrapped(
        'Get one with `layerlens db update` (once; then open the image again), or name one with --db DIR (osv-scanner’s offline cache works too).',
        width,
        gray,
      ),
    ];
  }
  if (ex.vulnerablePackages().length) return undefined;
  const summary = byRule(ex.findings, 'vulnerability-summary');
  if (summary) return [...header(ex, width), ...wrapped(safeText(summary.message), width, gray)];
  return wrapped('Packages were not checked for known vulnerabilities.', width, gray);
}

export interface VulnsGeometry {
  header: number;
  list: number;
  top: number;
}

/** Rows of the header and of the list, and the first package on screen (the selection kept in view). */
export function vulnsGeometry(ex: Explorer, width: number, rows: number): VulnsGeometry {
  const head = Math.min(header(ex, width).length, Math.max(0, rows - 3));
  const avail = rows - head;
  const n = ex.vulnerablePackages().length;
  // The detail of the selected package below the list: at least half the room when it is there,
  // all of what the list does not need.
  const detailMin = avail >= 10 ? Math.min(14, Math.floor(avail / 2)) : 0;
  const list = Math.max(1, Math.min(n, avail - detailMin - (detailMin ? 1 : 0)));
  const top = Math.max(0, Math.min(ex.vulnIndex - Math.floor(list / 2), n - list));
  return { header: head, list, top };
}

function packageRow(p: VulnerablePackage, width: number): Seg[] {
  const s = SEVERITY_STYLE[p.worst];
  const tail = ` ${String(p.vulns.length).padStart(3)}  ${fit(p.layer === null ? '' : `L${p.layer}`, 4)}${fit(ORIGIN[p.origin], 4)}`;
  const nameW = Math.max(4, width - 5 - tail.length);
  return [
    seg(s.label, s.style),
    seg(' '),
    seg(fit(`${safeText(p.name)} ${safeText(p.version)}`, nameW), { bold: true }),
    seg(tail, { fg: 'gray' }),
  ];
}

function detail(p: VulnerablePackage, width: number): Line[] {
  const out: Line[] = [];
  const n = p.vulns.length;
  out.push(
    fitLine(
      [
        seg(`${safeText(p.name)} ${safeText(p.version)}`, { bold: true }),
        seg(` · ${safeText(p.ecosystem)} · ${n} known vulnerabilit${n === 1 ? 'y' : 'ies'}`, { fg: 'gray' }),
      ],
      width,
    ),
  );
  if (p.binaries.length)
    out.push(...wrapped(`binary packages: ${p.binaries.map(safeText).join(', ')}`, width, { fg: 'gray' }, '', 2));
  const where = p.origin === 'base' ? 'base image' : p.origin === 'own' ? 'your layers' : 'base or own: not known';
  out.push(
    ...wrapped(
      `layer ${p.layer ?? '?'} (${where})${p.command ? `: ${safeText(p.command)}` : ''}`,
      width,
      { fg: 'cyan' },
      '',
      2,
    ),
  );
  if (p.fixedBy)
    out.push(
      ...wrapped(
        `fix: upgrade to ${safeText(p.fixedBy)} or later${p.unfixed ? ` (${p.unfixed} of them: no fix available yet)` : ''}`,
        width,
        { fg: 'green' },
      ),
    );
  else out.push([seg('no fix available yet for any of them', { fg: 'yellow' })]);
  for (const f of p.vulns) {
    const v = vulnProps(f);
    const s = SEVERITY_STYLE[f.severity];
    const fix = v.fixedVersion ? `fixed in ${safeText(v.fixedVersion)}` : 'no fix available yet';
    const summary = f.title.slice(f.title.indexOf(': ') + 2);
    out.push(
      fitLine(
        [
          seg(s.label, s.style),
          seg(' '),
          seg(safeText(f.ruleId), { bold: true }),
          seg(`  ${fix}`, { fg: v.fixedVersion ? 'green' : 'yellow' }),
          seg(`  ${safeText(summary)}`, { fg: 'gray' }),
        ],
        width,
      ),
    );
  }
  return out;
}

export function vulnsBody(ex: Explorer, width: number, rows: number): Line[] {
  const state = stateLines(ex, width);
  if (state) return state;
  const pkgs = ex.vulnerablePackages();
  const g = vulnsGeometry(ex, width, rows);
  const out: Line[] = header(ex, width).slice(0, g.header);
  for (let i = g.top; i < Math.min(pkgs.length, g.top + g.list); i++) {
    const line = packageRow(pkgs[i], width);
    if (i !== ex.vulnIndex) out.push(fitLine(line, width));
    else {
      const bg = ex.focus === 'side' ? 'selBg' : 'dimBg';
      out.push(
        fitLine(
          line.map((s) => ({ ...s, bg })),
          width,
          { bg },
        ),
      );
    }
  }
  const detailRows = rows - g.header - g.list - 1;
  if (detailRows > 0 && rows >= 10) {
    while (out.length < g.header + g.list) out.push([]);
    out.push([seg('─'.repeat(width), { fg: 'gray' })]);
    const d = detail(pkgs[ex.vulnIndex] ?? pkgs[0], width);
    const last: Line = [seg('Enter: go to the layer and the package’s files', { fg: 'gray' })];
    out.push(...(d.length >= detailRows ? [...d.slice(0, detailRows - 1), last] : [...d, last]));
  }
  return out;
}

/** The top border's right side: vulnerabilities by severity, or the state. */
export function vulnsInfo(ex: Explorer): string {
  if (!ex.findingsFinal) return ex.loadFailed && !ex.findingsPending ? 'not checked' : 'loading';
  if (byRule(ex.findings, 'vulnerability-db-missing')) return 'no database';
  const pkgs = ex.vulnerablePackages();
  if (!pkgs.length) return byRule(ex.findings, 'vulnerability-summary') ? 'none known' : 'not checked';
  return `${pkgs.length} package${pkgs.length === 1 ? '' : 's'}`;
}
