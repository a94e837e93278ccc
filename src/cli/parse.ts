/** util.parseArgs with one-line usage errors instead of exceptions with stack traces. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LayerlensError } from '../engine/types.js';
import { SEVERITIES, type Severity } from '../findings/types.js';
import { safeText } from '../text/safe-text.js';

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
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
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new LayerlensError(`${flag} "${safeText(String(v))}": use one of ${SEVERITIES.join(', ')}`, 'USAGE');
  return s as Severity;
}
