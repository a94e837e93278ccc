/**
 * The terminal table `layerlens scan` prints by default. ANSI colour only when asked (the CLI asks
 * when stdout is a TTY); every image-derived string is escaped so no control character from a
 * file name or value reaches the terminal.
 */
import type { SecretScanSummary } from '../findings/index.js';
import type { Finding, Severity } from '../findings/types.js';
import { paintWith, SEVERITY_STYLE } from './ansi.js';
import type { VulnerabilityOverview } from '../findings/vulnerabilities/overview.js';
import { SEVERITIES } from '../findings/types.js';
import { formatBytes, formatCount } from '../text/bytes.js';
import { textWidth, truncate } from '../text/width.js';
import type { ReportImage } from './image-info.js';
import { summarize } from './json.js';
import { emptyNote, escapeText, hiddenNote, shortDigest, type HiddenFindings } from './text.js';

export interface TableOptions {
  color?: boolean;
  /**
   * Terminal width: long cells are cut with … to fit. Without it (a file, a pipe, a CI log) no
   * cell is cut: a path or title cut short is lost there, and nothing wraps.
   */
  width?: number;
  /** Findings left out by --severity: said in the last line, so "No findings." is not misread. */
  hidden?: HiddenFindings;
  /** The vulnerability line (counts, base image vs your layers, the best fix), whatever is shown. */
  vulnerabilities?: VulnerabilityOverview;
  /** The secret scan's counts: one line before the summary (details in the JSON report). */
  secretScan?: SecretScanSummary;
}

// (Cells hold escaped text: widths count terminal cells, so wide characters line up.)
function cut(s: string, n: number): string {
  return truncate(s, n);
}

function pad(s: string, n: number): string {
  const w = textWidth(s);
  return w >= n ? s : s + ' '.repeat(n - w);
}

/**
 * The longest `text` of the findings, in characters, at least `min` (a loop: spreading ~150k
 * findings into Math.max overflows the stack).
 */
function longest(findings: Finding[], text: (f: Finding) => string, min: number): number {
  let n = min;
  for (const f of findings) n = Math.max(n, textWidth(text(f)));
  return n;
}

function where(f: Finding): string {
  if (f.path) return escapeText(f.path) + (f.line !== null ? `:${f.line}` : '');
  if (f.key) return escapeText(f.key);
  return '-';
}

function layer(f: Finding): string {
  if (f.layerIndex === null) return '-';
  return f.deletedInLayerIndex !== null ? `${f.layerIndex}→${f.deletedInLayerIndex}` : String(f.layerIndex);
}

export function toTable(findings: Finding[], image: ReportImage, opts: TableOptions = {}): string {
  const paint = (sev: Severity, s: string) => paintWith(opts.color, SEVERITY_STYLE[sev], s);
  const out: string[] = [];
  // Undefined: no terminal, nothing cut.
  const width = opts.width === undefined ? undefined : Math.max(60, opts.width);
  const title = `${escapeText(image.reference || 'image')}${image.digest ? `  ${shortDigest(image.digest)}` : ''}${image.platform ? `  ${escapeText(image.platform)}` : ''}`;
  out.push(width === undefined ? title : cut(title, width));
  const sevW = 8;
  // A column with nothing in any row (a registry audit has no layers or paths) is left out.
  const layerW = findings.some((f) => f.layerIndex !== null) ? 6 : 0;
  const hasWhere = findings.some((f) => f.path || f.key);
  // (A vulnerability's rule id is the advisory's, from the database: input as much as a name.)
  const longestRule = longest(findings, (f) => escapeText(f.ruleId), 4);
  const ruleW = width === undefined ? longestRule : Math.min(32, longestRule);
  const gaps = 2 * (2 + (layerW ? 1 : 0) + (hasWhere ? 1 : 0));
  const rest = (width ?? 0) - sevW - layerW - ruleW - gaps;
  const whereW = !hasWhere
    ? 0
    : width === undefined
      ? longest(findings, where, 5)
      : Math.max(16, Math.floor(rest * 0.45));
  const titleW = width === undefined ? Infinity : Math.max(10, rest - whereW);
  if (findings.length) {
    out.push('');
    const head = [pad('SEVERITY', sevW), pad('RULE', ruleW)];
    if (layerW) head.push(pad('LAYER', layerW));
    if (whereW) head.push(pad('WHERE', whereW));
    out.push([...head, 'FINDING'].join('  ').trimEnd());
    for (const f of findings) {
      const row = [
        paint(f.severity, pad(f.severity.toUpperCase(), sevW)),
        pad(cut(escapeText(f.ruleId), ruleW), ruleW),
      ];
      if (layerW) row.push(pad(layer(f), layerW));
      if (whereW) row.push(pad(cut(where(f), whereW), whereW));
      row.push(cut(escapeText(f.title) + (f.evidence ? `  [${escapeText(f.evidence)}]` : ''), titleW));
      out.push(row.join('  ').trimEnd());
    }
  }
  const s = summarize(findings);
  // (Before the summary: the summary and the note on what --severity left out end the report.)
  const notes = [
    ...(opts.secretScan ? [secretScanLine(opts.secretScan)] : []),
    ...(opts.vulnerabilities ? [`Vulnerabilities: ${escapeText(opts.vulnerabilities.line)}`] : []),
  ];
  if (notes.length) out.push('', ...notes);
  out.push('');
  out.push(
    findings.length
      ? `${findings.length} finding${findings.length === 1 ? '' : 's'}: ` +
          SEVERITIES.map((k) => (s[k] ? paint(k, `${s[k]} ${k}`) : `${s[k]} ${k}`)).join(', ')
      : emptyNote(opts.hidden),
  );
  if (findings.length && opts.hidden?.count) out.push(hiddenNote(opts.hidden));
  return out.join('\n') + '\n';
}

/**
 * What the secret scan read: "1,234 text files read, 2 read only in part (their first 2.0 MB:
 * FLAG reads more), 56 skipped (binary or by name)". Files read only in part are a gap in what
 * was looked at: every view that reports the scan says so (the table, the explorer's Image panel).
 */
export function secretScanCoverage(s: SecretScanSummary, flag: string): string {
  const part = s.truncated
    ? `, ${formatCount(s.truncated)} read only in part (their first ${formatBytes(s.maxBytesPerFile)}: ${flag} reads more)`
    : '';
  return `${formatCount(s.filesScanned)} text files read${part}, ${formatCount(s.binarySkipped + s.skippedByName)} skipped (binary or by name)`;
}

/**
 * One line on what the secret scan looked at and why findings were downgraded, so a user can
 * audit the precision choices without the JSON: "Secret scan: 1,234 text files; sent to rules:
 * generic 40, cloud 3; downgraded: filler 5, doc-comment 4 (per family: --format json)".
 */
export function secretScanLine(s: SecretScanSummary): string {
  const sent = s.families
    .filter((f) => f.filesLookedAt > 0)
    .sort((a, b) => b.filesLookedAt - a.filesLookedAt)
    .map((f) => `${f.family} ${formatCount(f.filesLookedAt)}`);
  const why = new Map<string, number>();
  for (const f of s.families)
    for (const [code, k] of Object.entries(f.downgraded)) why.set(code, (why.get(code) ?? 0) + (k ?? 0));
  const downgraded = [...why].sort((a, b) => b[1] - a[1]).map(([code, k]) => `${code} ${formatCount(k)}`);
  return (
    `Secret scan: ${secretScanCoverage(s, '--secret-scan-limit')}` +
    `; files sent to rules: ${sent.length ? sent.join(', ') : 'none'}` +
    `; downgraded: ${downgraded.length ? downgraded.join(', ') : 'none'} (per family: --format json)`
  );
}
