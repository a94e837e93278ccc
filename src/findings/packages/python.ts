/**
 * Python distributions: the core metadata headers of `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`
 * and single-file `*.egg-info` (RFC 822-style, the headers end at the first blank line).
 */
import { pep503 } from '../../versions/index.js';
import type { FoundPackage } from './types.js';

export function parsePythonMetadata(text: string): FoundPackage[] {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    // The field by its name, the value trimmed: a lazy value before `\s*$` backtracked
    // quadratically on a long line of spaces (seconds per file).
    const field = /^(?:name|version):/i.exec(line)?.[0].toLowerCase();
    if (!field) continue;
    const value = line.slice(field.length).trim();
    if (field === 'name:') name ??= value;
    else version ??= value;
    if (name && version) break;
  }
  return name && version ? [{ type: 'pypi', name: pep503(name), version }] : [];
}
