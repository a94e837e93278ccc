/**
 * What the index keeps of one OSV advisory for one affected package: enough to match a version
 * and to report (ids, ranges, explicit versions, the severity worked out at build time, a link),
 * and nothing else. Plus the key that names a package in an ecosystem, normalised as that
 * ecosystem compares names (PEP 503 for PyPI, case-insensitive NuGet and Packagist).
 */
import { pep503 } from '../versions/index.js';

export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

export interface RecordSeverity {
  level: SeverityLevel;
  /** CVSS base score, when a vector gave one. */
  score?: number;
  vector?: string;
  /** Where the level came from: `CVSS_V4`, `CVSS_V3`, `CVSS_V2`, `GHSA`, `Debian urgency`, `Ubuntu priority`, or `none`. */
  source: string;
}

/** One range: OSV's events in order, each [kind, version] (kind: introduced, fixed, last_affected, limit). */
export interface RecordRange {
  type: 'ECOSYSTEM' | 'SEMVER';
  events: Array<[string, string]>;
}

export interface VulnRecord {
  id: string;
  aliases?: string[];
  summary?: string;
  modified?: string;
  severity: RecordSeverity;
  ranges: RecordRange[];
  /** Explicit affected versions. */
  versions?: string[];
  url: string;
}

/**
 * A record as a look-up returns it: what matching needs (ranges, explicit versions) at once, the
 * rest parsed only for the records that match (most of a package's advisories do not affect the
 * installed version: parsing them whole was most of a scan's matching time).
 */
export interface VulnCandidate {
  ranges: RecordRange[];
  versions?: string[];
  record(): VulnRecord;
}

/** A candidate of a record already parsed. */
export function candidateOf(rec: VulnRecord): VulnCandidate {
  return { ranges: rec.ranges, ...(rec.versions ? { versions: rec.versions } : {}), record: () => rec };
}

/** The part of a record matching reads, as the index stores it first: `[ranges, versions | 0]`. */
export function matchPartOf(rec: Pick<VulnRecord, 'ranges' | 'versions'>): string {
  return JSON.stringify([rec.ranges, rec.versions?.length ? rec.versions : 0]);
}

export function normalizeName(ecosystem: string, name: string): string {
  const base = ecosystem.split(':')[0];
  if (base === 'PyPI') return pep503(name);
  if (base === 'NuGet' || base === 'Packagist') return name.toLowerCase();
  return name;
}

/** The index key of a package: `ECOSYSTEM\tNAME` (the ecosystem with its release: `Debian:12`). */
export function packageKey(ecosystem: string, name: string): string {
  return `${ecosystem}\t${normalizeName(ecosystem, name)}`;
}
