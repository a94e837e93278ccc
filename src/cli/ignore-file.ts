/** The ignore file (`.layerlensignore` or --ignore-file): read for scan and diff alike. */
import { parseIgnoreFile, type IgnoreEntry } from '../findings/ignore.js';
import { readConfigFile } from './config-file.js';

/** Entries of `file`, or of ./.layerlensignore when it exists; its warnings go to `warn`. */
export async function loadIgnore(file: string | undefined, warn: (s: string) => void): Promise<IgnoreEntry[]> {
  const name = file ?? '.layerlensignore';
  const text = await readConfigFile(name, { named: file !== undefined, option: '--ignore-file' });
  if (text === undefined) return [];
  const { entries, warnings } = parseIgnoreFile(text, name);
  warnings.forEach(warn);
  return entries;
}
