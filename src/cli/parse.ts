/** util.parseArgs with one-line usage errors instead of exceptions with stack traces. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LayerlensError } from '../errors/index.js';
import { SEVERITIES, severityRank, type Severity } from '../findings/types.js';
import { safeText } from '../text/safe-text.js';

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new LayerlensError(`${msg.replace(/\. To specify a positional argument.*$/, '')} (usage: ${usage})`, 'USAGE');
  }
}

/** A severity flag's value (any case), or undefined when not given; a usage error otherwise. */
export function parseSeverity(flag: string, v: string | boolean | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  const s = String(v).toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s))
    throw new LayerlensError(`${flag} "${safeText(String(v))}": use one of ${SEVERITIES.join(', ')}`, 'USAGE');
  return s as Severity;
}

/**
 * --severity: one severity (it and every one above it, as before) or, as trivy takes it, a
 * comma-separated list (exactly those: `HIGH,CRITICAL`, `low,medium`). Any case. Returns the
 * severities shown and how to describe the ones left out.
 */
export function parseSeverityFilter(flag: string, v: string | boolean | undefined): SeverityFilter {
  if (v === undefined) return { shown: new Set(SEVERITIES), leftOut: '' };
  const parts = String(v)
    .split(',')
    .map((p) => p.trim());
  if (parts.length === 1) {
    const min = parseSeverity(flag, parts[0])!;
    return { shown: new Set(SEVERITIES.filter((s) => severityRank(s) >= severityRank(min))), leftOut: `below ${min}` };
  }
  const shown = new Set<Severity>();
  for (const p of parts) {
    if (!p)
      throw new LayerlensError(
        `${flag} "${safeText(String(v))}": an empty item in the list (use e.g. high,critical)`,
        'USAGE',
      );
    const s = p.toLowerCase() as Severity;
    if (!SEVERITIES.includes(s))
      throw new LayerlensError(
        `${flag} "${safeText(String(v))}": "${safeText(p)}" is not one of ${SEVERITIES.join(', ')}`,
        'USAGE',
      );
    shown.add(s);
  }
  return { shown, leftOut: `other than ${SEVERITIES.filter((s) => shown.has(s)).join(', ')}` };
}

export interface SeverityFilter {
  shown: ReadonlySet<Severity>;
  /** How the findings left out are described: "below high", "other than critical, low". */
  leftOut: string;
}

/** --db-max-age: a number of days (default 7); undefined when it is not one. */
export function parseMaxAge(v: string | boolean | undefined): number | undefined {
  const n = v === undefined ? 7 : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
