/**
 * Turns OSV archives (all.zip: one JSON advisory per entry) into index records by package key,
 * handed to a sink as they are read (the index builder spools them to disk; a scan reading
 * osv-scanner's cache keeps those of the packages present). Every entry is inflated and checked
 * (CRC-32) and parsed once; withdrawn advisories are left out; an entry that is not an OSV
 * advisory is counted and skipped, but an archive where most are is refused (it is not what it
 * claims to be).
 */
import { type ByteSource, ZipError, zipEntries, zipEntryData } from '../text/zip.js';
import { packageKey, type RecordRange, type VulnRecord } from './record.js';
import { loadCvss, severityOf } from './severity.js';

/** Per-entry inflate limit: the largest OSV advisories are a few MB (long version lists). */
const ENTRY_LIMIT = 64 << 20;

export interface ArchiveStats {
  advisories: number;
  withdrawn: number;
  invalid: number;
  records: number;
  /** The newest `modified` date in the archive. */
  newestModified: string | null;
}

export class ArchiveError extends Error {}

/** Where an archive's records go, one at a time. */
export interface RecordSink {
  add(key: string, rec: VulnRecord): void;
}

interface OsvAffected {
  package?: { ecosystem?: string; name?: string };
  ranges?: Array<{ type?: string; events?: Array<Record<string, string>> }>;
  versions?: string[];
  severity?: Array<{ type?: string; score?: string }>;
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

interface Osv {
  id?: string;
  aliases?: string[];
  /** Schema 1.6: the upstream advisories a distribution's entry derives from (DEBIAN-CVE-X → CVE-X). */
  upstream?: string[];
  summary?: string;
  details?: string;
  modified?: string;
  withdrawn?: string;
  severity?: Array<{ type?: string; score?: string }>;
  affected?: OsvAffected[];
  references?: Array<{ type?: string; url?: string }>;
  database_specific?: Record<string, unknown>;
}

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'];

// An archive is input: any field may hold any JSON value (null, a number, an object where a list
// belongs). A value of the wrong type is read as absent; it must not end the update, nor a scan
// reading osv-scanner's cache, with the TypeError of reading it (`affected: [null]` did).
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const objects = <T>(x: unknown): T[] => (Array.isArray(x) ? x.filter(isObject) : []) as T[];
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : []);
const text = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const objectOr = (x: unknown): Record<string, unknown> | undefined => (isObject(x) ? x : undefined);

/** The records one advisory gives, with their package keys. `keep` filters keys (optional). */
export function recordsOf(osv: Osv, keep?: (key: string) => boolean): Array<[string, VulnRecord]> {
  if (!isObject(osv) || typeof osv.id !== 'string') return [];
  const advisory = objects<{ type?: unknown; url?: unknown }>(osv.references).find(
    (r) => r.type === 'ADVISORY' && typeof r.url === 'string',
  )?.url as string | undefined;
  const out: Array<[string, VulnRecord]> = [];
  for (const a of objects<OsvAffected>(osv.affected)) {
    const pkg = objectOr(a.package);
    const eco = text(pkg?.ecosystem);
    const name = text(pkg?.name);
    if (eco === undefined || name === undefined) continue;
    const key = packageKey(eco, name);
    if (keep && !keep(key)) continue;
    const ranges: RecordRange[] = [];
    for (const r of objects<{ type?: unknown; events?: unknown }>(a.ranges)) {
      if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue; // GIT ranges name commits, not versions
      const events: Array<[string, string]> = [];
      for (const e of objects<Record<string, unknown>>(r.events)) {
        const kind = EVENT_KINDS.find((k) => typeof e[k] === 'string');
        if (kind) events.push([kind, e[kind] as string]);
      }
      if (events.length) ranges.push({ type: r.type, events });
    }
    const versions = strings(a.versions);
    if (!ranges.length && !versions.length) continue;
    const rec: VulnRecord = {
      id: osv.id,
      severity: severityOf({
        ecosystem: eco,
        severity: objects(osv.severity),
        affectedSeverity: objects(a.severity),
        databaseSpecific: { ...objectOr(osv.database_specific), ...objectOr(a.database_specific) },
        ecosystemSpecific: objectOr(a.ecosystem_specific),
      }),
      ranges,
      url: advisory ?? `https://osv.dev/vulnerability/${encodeURIComponent(osv.id)}`,
    };
    // A single upstream id is the same vulnerability (DEBIAN-CVE-2016-2781 is CVE-2016-2781); a
    // list of them (a DSA fixing several CVEs) is not one vulnerability, so it is not merged.
    const upstream = Array.isArray(osv.upstream) && osv.upstream.length === 1 ? strings(osv.upstream) : [];
    const aliases = [...strings(osv.aliases), ...upstream];
    if (aliases.length) rec.aliases = aliases;
    const summary = (text(osv.summary) || text(osv.details)?.split('\n')[0] || '').slice(0, 200);
    if (summary) rec.summary = summary;
    const modified = text(osv.modified);
    if (modified) rec.modified = modified;
    if (versions.length) rec.versions = versions;
    out.push([key, rec]);
  }
  return out;
}

/**
 * Adds one archive's records to `into`. Throws ArchiveError when the archive is not a readable
 * zip of OSV advisories (corrupt, truncated, CRC mismatch).
 */
export async function addArchive(
  src: ByteSource,
  into: RecordSink,
  keep?: (key: string) => boolean,
): Promise<ArchiveStats> {
  await loadCvss();
  let entries;
  try {
    entries = zipEntries(src);
  } catch (err) {
    throw new ArchiveError(err instanceof Error ? err.message : String(err));
  }
  const stats: ArchiveStats = { advisories: 0, withdrawn: 0, invalid: 0, records: 0, newestModified: null };
  for (const e of entries) {
    if (!e.name.endsWith('.json')) continue;
    let osv: Osv;
    try {
      osv = JSON.parse(zipEntryData(src, e, ENTRY_LIMIT).toString('utf8')) as Osv;
    } catch (err) {
      if (err instanceof ZipError) throw new ArchiveError(err.message);
      stats.invalid++;
      continue;
    }
    if (!osv || typeof osv.id !== 'string') {
      stats.invalid++;
      continue;
    }
    stats.advisories++;
    if (osv.withdrawn) {
      stats.withdrawn++;
      continue;
    }
    if (typeof osv.modified === 'string' && (!stats.newestModified || osv.modified > stats.newestModified))
      stats.newestModified = osv.modified;
    for (const [key, rec] of recordsOf(osv, keep)) {
      into.add(key, rec);
      stats.records++;
    }
  }
  if (stats.invalid > 0 && stats.invalid >= stats.advisories)
    throw new ArchiveError(`${stats.invalid} of ${stats.invalid + stats.advisories} entries are not OSV advisories`);
  return stats;
}
