/**
 * Java archives (jar, war, ear: zip files): each `META-INF/maven/GROUP/ARTIFACT/pom.properties`
 * names a Maven package; jars nested inside (Spring Boot's BOOT-INF/lib, a war's WEB-INF/lib) are
 * opened in turn, to a bounded depth and total size. A jar without pom.properties falls back to
 * its MANIFEST.MF (Implementation-Vendor-Id or Bundle-SymbolicName for the group, the file name
 * for the artifact).
 */
import { bufferSource, ZipError, zipEntries, zipEntryData, type ByteSource } from '../../text/zip.js';
import type { FoundPackage } from './types.js';

const MAX_DEPTH = 3;
/** Bytes inflated from one archive and all it holds (a zip bomb stops here). */
const INFLATE_BUDGET = 512 * 1024 * 1024;
const MAX_NESTED = 64 * 1024 * 1024;

/**
 * `key: value` and `key=value` lines (a manifest, pom.properties); `#` and `!` start comments. Cut
 * by hand at the first separator: the regular expression it replaces could split a line's blanks
 * four ways, and a line of a few thousand of them took seconds.
 */
function properties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.search(/[=:]/);
    if (at < 0) continue;
    const key = line.slice(0, at).trim();
    if (key === '' || key[0] === '#' || key[0] === '!') continue;
    out[key] = line.slice(at + 1).trim();
  }
  return out;
}

/** MANIFEST.MF main section (continuation lines start with one space). */
function manifest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last = '';
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last) out[last] += line.slice(1);
    else {
      const i = line.indexOf(':');
      if (i > 0) out[(last = line.slice(0, i))] = line.slice(i + 1).trim();
    }
  }
  return out;
}

export function parseJavaArchive(buf: Buffer, fileName: string): { found: FoundPackage[]; note?: string } {
  const found: FoundPackage[] = [];
  const budget = { left: INFLATE_BUDGET };
  const notes: string[] = [];
  read(bufferSource(buf), fileName, undefined, 0, found, budget, notes);
  return notes.length ? { found, note: notes.join('; ') } : { found };
}

function read(
  src: ByteSource,
  fileName: string,
  inner: string | undefined,
  depth: number,
  found: FoundPackage[],
  budget: { left: number },
  notes: string[],
): void {
  let entries;
  try {
    entries = zipEntries(src, 200_000);
  } catch (err) {
    notes.push(`${inner ?? fileName}: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const take = (e: (typeof entries)[number], limit: number): Buffer | undefined => {
    if (e.size > budget.left) return undefined;
    try {
      const data = zipEntryData(src, e, Math.min(limit, budget.left));
      budget.left -= data.length;
      return data;
    } catch (err) {
      if (err instanceof ZipError) notes.push(`${inner ? inner + '!/' : ''}${err.message}`);
      return undefined;
    }
  };
  let poms = 0;
  for (const e of entries) {
    if (!/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(e.name)) continue;
    const data = take(e, 1 << 20);
    if (!data) continue;
    const p = properties(data.toString('utf8'));
    if (p.groupId && p.artifactId && p.version) {
      found.push({
        type: 'maven',
        name: `${p.groupId}:${p.artifactId}`,
        version: p.version,
        ...(inner ? { inner } : {}),
      });
      poms++;
    }
  }
  if (poms === 0) {
    const mf = entries.find((e) => e.name === 'META-INF/MANIFEST.MF');
    const data = mf && take(mf, 1 << 20);
    if (data) {
      const m = manifest(data.toString('utf8'));
      const version = m['Implementation-Version'] ?? m['Bundle-Version'];
      const base = (inner ?? fileName).replace(/^.*\//, '').replace(/\.[jwe]ar$/i, '');
      const artifact =
        version && base.endsWith('-' + version) ? base.slice(0, -version.length - 1) : base.replace(/-\d.*$/s, '');
      const group = m['Implementation-Vendor-Id'] ?? m['Bundle-SymbolicName']?.split(';')[0].replace(/\.[^.]+$/, '');
      if (version && group && artifact)
        found.push({ type: 'maven', name: `${group}:${artifact}`, version, ...(inner ? { inner } : {}) });
    }
  }
  if (depth >= MAX_DEPTH) return;
  for (const e of entries) {
    if (!/\.(jar|war|ear)$/i.test(e.name)) continue;
    const data = take(e, MAX_NESTED);
    if (data)
      read(bufferSource(data), fileName, inner ? `${inner}!/${e.name}` : e.name, depth + 1, found, budget, notes);
  }
}
