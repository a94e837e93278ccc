/**
 * The terminal table `layerlens scan` prints by default. ANSI colour only when asked (the CLI asks
 * when stdout is a TTY); every image-derived string is escaped so no control character from a
 * file name or value reaches the terminal.
 */
import type { Finding, Severity } from '../findings/types.js';
import { SEVERITIES } from '../findings/types.js';
import type { ReportImage } from './image-info.js';
import { summarize } from './json.js';
import { escapeText, hiddenNote, shortDigest, type HiddenFindings } from './text.js';

export interface TableOptions {
  color?: boolean;
  /** Terminal width; long cells are cut with … (default 120). */
  width?: number;
  /** Findings left out by --severity: said in the last line, so "No findings." is not misread. */
  hidden?: HiddenFindings;
}

const COLORS: Record<Severity, string> = { critical: '\x1b[1;97;41m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';

function cut(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, Math.max(0, n - 1)).join('') + '…';
}

function pad(s: string, n: number): string {
  const len = [...s].length;
  return len >= n ? s : s + ' '.repeat(n - len);
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
  const width = Math.max(60, opts.width ?? 120);
  const paint = (sev: Severity, s: string) => (opts.color ? `${COLORS[sev]}${s}${RESET}` : s);
  const out: string[] = [];
  out.push(`${escapeText(image.reference || 'image')}${image.digest ? `  ${shortDigest(image.digest)}` : ''}${image.platform ? `  ${image.platform}` : ''}`);
  const sevW = 8;
  const layerW = 6;
  const ruleW = Math.min(32, Math.max(4, ...findings.map((f) => f.ruleId.length)));
  const rest = width - sevW - layerW - ruleW - 6;
  const whereW = Math.max(16, Math.floor(rest * 0.45));
  const titleW = Math.max(10, rest - whereW);
  if (findings.length) {
    out.push('');
    out.push([pad('SEVERITY', sevW), pad('RULE', ruleW), pad('LAYER', layerW), pad('WHERE', whereW), 'FINDING'].join('  ').trimEnd());
    for (const f of findings) {
      const row = [
        paint(f.severity, pad(f.severity.toUpperCase(), sevW)),
        pad(cut(f.ruleId, ruleW), ruleW),
        pad(layer(f), layerW),
        pad(cut(where(f), whereW), whereW),
        cut(escapeText(f.title) + (f.evidence ? `  [${escapeText(f.evidence)}]` : ''), titleW),
      ];
      out.push(row.join('  ').trimEnd());
    }
  }
  const s = summarize(findings);
  out.push('');
  out.push(
    findings.length
      ? `${findings.length} finding${findings.length === 1 ? '' : 's'}: ` + SEVERITIES.map((k) => (s[k] ? paint(k, `${s[k]} ${k}`) : `${s[k]} ${k}`)).join(', ')
      : 'No findings.',
  );
  if (opts.hidden?.count) out.push(hiddenNote(opts.hidden));
  return out.join('\n') + '\n';
}
