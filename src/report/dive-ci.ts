/**
 * The dive CI gate's report, in dive's own layout (`dive --ci`): Analysis, Inefficient Files,
 * Evaluation with a PASS / FAIL / SKIP line per rule, and the summary line, so a log reads as it
 * did with dive. Paths are escaped like every name from an image.
 */
import type { GateResult } from '../findings/dive-ci.js';
import type { DiveEfficiency } from '../findings/efficiency.js';
import { formatBytes } from '../text/bytes.js';
import { safeText } from '../text/safe-text.js';
import { BOLD, DIM, GREEN, paintWith, SEVERITY_STYLE } from './ansi.js';

const COLORS = { PASS: GREEN, FAIL: SEVERITY_STYLE.high, SKIP: DIM } as const;

export function diveCiReport(d: DiveEfficiency, gate: GateResult, opts: { color?: boolean } = {}): string {
  const paint = (s: keyof typeof COLORS, t: string) => paintWith(opts.color, COLORS[s], t);
  const bold = (t: string) => paintWith(opts.color, BOLD, t);
  const kv = (k: string, v: string) => `  ${`${k}:`.padEnd(18)} ${v}`;
  const out: string[] = [bold('Analysis:')];
  out.push(kv('efficiency', `${(d.score * 100).toFixed(2)} %`));
  out.push(kv('wastedBytes', `${d.wastedBytes} bytes${d.wastedBytes ? ` (${formatBytes(d.wastedBytes)})` : ''}`));
  out.push(kv('userWastedPercent', d.wastedBytes ? `${(d.userWastedPercent * 100).toFixed(2)} %` : '0 %'));
  out.push('');
  if (!d.files.length) out.push(`${bold('Inefficient Files:')} (None)`);
  else {
    out.push(bold('Inefficient Files:'));
    out.push(bold(`  ${'Count'.padEnd(5)}  ${'Wasted Space'.padEnd(12)}  File Path`));
    for (const f of d.files)
      out.push(`  ${String(f.count).padEnd(5)}  ${formatBytes(f.bytes).padEnd(12)}  ${safeText(f.path)}`);
    if (d.fileCount > d.files.length) out.push(`  … ${d.fileCount - d.files.length} more files`);
  }
  out.push('');
  out.push(bold('Evaluation:'));
  for (const r of gate.results) {
    const text = `${r.rule} (${r.message})`;
    out.push(`  ${paint(r.status, r.status)}  ${r.status === 'SKIP' ? paint('SKIP', text) : text}`);
  }
  out.push('');
  const tally = (['PASS', 'FAIL', 'SKIP'] as const)
    .map((s) => [s, gate.results.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s === 'PASS' ? 'pass' : s === 'FAIL' ? 'fail' : 'skip'}:${n}`)
    .join(' ');
  out.push(
    `${paint(gate.pass ? 'PASS' : 'FAIL', gate.pass ? 'PASS' : 'FAIL')}${paintWith(opts.color, DIM, ` [${tally}]`)}`,
  );
  return out.join('\n') + '\n';
}
