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
 * pom.properties: `key=value` or `key: value`, comments start with `#` or `!`. Read by index, not
 * by a regular expression: a lazy key or value beside `\s*` backtracked quadratically on a long
 * line (minutes for a megabyte of spaces).
 */
function properties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (!line || '#!=:'.includes(line[0])) continue;
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    if (at < 0) continue;
    out[line.slice(0, at).trimEnd()] = line.slice(at + 1).trim();
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
        version && base.endsWith('-' + version) ? base.slice(0, -version.length - 1) : base.replace(/-\d.*$/, '');
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
