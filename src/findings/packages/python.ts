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
    // (Trimmed after the match: `:\s*(.*?)\s*$` could split a run of blanks three ways.)
    const m = line.match(/^(Name|Version):(.*)$/is);
    if (!m) continue;
    if (m[1].toLowerCase() === 'name') name ??= m[2].trim();
    else version ??= m[2].trim();
    if (name && version) break;
  }
  return name && version ? [{ type: 'pypi', name: pep503(name), version }] : [];
}
