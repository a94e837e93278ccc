/** The ignore file (`.layerlensignore` or --ignore-file): read for scan and diff alike. */
import { promises as fsp } from 'node:fs';
import { parseIgnoreFile, type IgnoreEntry } from '../findings/ignore.js';

/** Entries of `file`, or of ./.layerlensignore when it exists; its warnings go to `warn`. */
export async function loadIgnore(file: string | undefined, warn: (s: string) => void): Promise<IgnoreEntry[]> {
  const name = file ?? '.layerlensignore';
  let text: string;
  try {
    text = await fsp.readFile(name, 'utf8');
  } catch (err) {
    if (!file && (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const { entries, warnings } = parseIgnoreFile(text, name);
  warnings.forEach(warn);
  return entries;
}
