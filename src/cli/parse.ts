/** util.parseArgs with one-line usage errors instead of exceptions with stack traces. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LayerlensError } from '../engine/types.js';

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new LayerlensError(`${msg.replace(/\. To specify a positional argument.*$/, '')} (usage: ${usage})`, 'USAGE');
  }
}
