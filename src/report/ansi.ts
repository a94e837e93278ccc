/**
 * The terminal styles of the text reports (table, diff, .dive-ci): one table, so a severity looks
 * the same in every report. Only used when colour is on (a terminal, no NO_COLOR).
 */
import type { Severity } from '../findings/types.js';

export const RESET = '\x1b[0m';
export const BOLD = '\x1b[1m';
export const DIM = '\x1b[2m';
export const GREEN = '\x1b[32m';
export const RED = '\x1b[31m';
export const YELLOW = '\x1b[33m';

/** Critical stands out as a white-on-red block; unknown is magenta so it is never read as low. */
export const SEVERITY_STYLE: Record<Severity, string> = {
  critical: '\x1b[1;97;41m',
  high: '\x1b[1;31m',
  medium: YELLOW,
  low: '\x1b[36m',
  unknown: '\x1b[1;35m',
  info: DIM,
};

/** `text` in `style` when `color` is on. */
export const paintWith = (color: boolean | undefined, style: string, text: string): string =>
  color ? `${style}${text}${RESET}` : text;
