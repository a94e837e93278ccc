/**
 * What the secret scan looked at, per rule family: how many files reached each family's rules
 * (after the keyword prefilter), how many pattern matches their checks dropped, and, from the
 * findings, how many were downgraded and why. The scan report prints it (docs/reports.md) so a
 * user can audit the precision choices.
 */
import type { Finding, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { CREDENTIAL_FILE_RULES } from './credential-files.js';
import { SECRET_RULES } from './rules.js';
import { type DowngradeCode, RULE_FAMILIES, type RuleFamily } from './rules/types.js';

export interface FamilyStats {
  /** Files whose keyword hits sent them to at least one rule of the family (or that a credential-file parser read). */
  files: number;
  /** Pattern matches of the family's rules, before their checks. */
  matches: number;
  /** Matches a check dropped outright (no value, a template variable, a hash …). */
  dropped: number;
}

export interface SecretScanStats {
  /** Text files that went through the keyword prefilter. */
  files: number;
  bytes: number;
  /** Files skipped as binary (a NUL byte near the start). */
  binary: number;
  /** Files skipped by name: formats without readable secrets, package-manager data (skip.ts). */
  skippedByName: number;
  /** Files read only up to the per-file limit. */
  truncated: number;
  /** The per-file limit: bytes of a file read at most (set by the content inspector; 0 until then). */
  maxBytesPerFile: number;
  families: Record<RuleFamily, FamilyStats>;
}

export function newSecretStats(): SecretScanStats {
  const families = {} as Record<RuleFamily, FamilyStats>;
  for (const f of RULE_FAMILIES) families[f] = { files: 0, matches: 0, dropped: 0 };
  return { files: 0, bytes: 0, binary: 0, skippedByName: 0, truncated: 0, maxBytesPerFile: 0, families };
}

/**
 * Add what `from` counted to `into` (the counts of a scan that ran on the secret-scanning thread:
 * remote.ts), then zero `from`, which goes on counting. The per-file limit is the inspector's.
 */
export function moveStats(from: SecretScanStats, into: SecretScanStats): void {
  into.files += from.files;
  into.bytes += from.bytes;
  into.binary += from.binary;
  into.skippedByName += from.skippedByName;
  into.truncated += from.truncated;
  from.files = from.bytes = from.binary = from.skippedByName = from.truncated = 0;
  for (const f of RULE_FAMILIES) {
    const a = into.families[f];
    const b = from.families[f];
    a.files += b.files;
    a.matches += b.matches;
    a.dropped += b.dropped;
    b.files = b.matches = b.dropped = 0;
  }
}

/** A family's bit, for the per-file set of families looked at. */
export const FAMILY_BIT: Record<RuleFamily, number> = Object.fromEntries(
  RULE_FAMILIES.map((f, i) => [f, 1 << i]),
) as Record<RuleFamily, number>;

/** Count one file for every family in `bits`. */
export function countFamilies(stats: SecretScanStats, bits: number): void {
  if (bits === 0) return;
  RULE_FAMILIES.forEach((f, i) => {
    if (bits & (1 << i)) stats.families[f].files++;
  });
}

export interface FamilySummary {
  family: RuleFamily;
  /** Rules (pattern rules, or credential-file parsers) in the family. */
  rules: number;
  filesLookedAt: number;
  matches: number;
  dropped: number;
  findings: Record<Severity, number>;
  /** Findings whose severity was lowered, by reason code (precision.ts DOWNGRADE_REASONS). */
  downgraded: Partial<Record<DowngradeCode, number>>;
}

export interface SecretScanSummary {
  filesScanned: number;
  bytesScanned: number;
  binarySkipped: number;
  skippedByName: number;
  truncated: number;
  /** Bytes of each file read at most: `truncated` files were read up to here. */
  maxBytesPerFile: number;
  families: FamilySummary[];
}

/** The report's `secretScan` block: the scan's counts with the secret findings' severities and downgrade reasons. */
export function secretScanSummary(stats: SecretScanStats, findings: readonly Finding[]): SecretScanSummary {
  const rules: Record<string, number> = {};
  for (const r of SECRET_RULES) rules[r.family] = (rules[r.family] ?? 0) + 1;
  rules['credential-file'] = CREDENTIAL_FILE_RULES.length;
  const families = RULE_FAMILIES.map((family): FamilySummary => {
    const s = stats.families[family];
    return {
      family,
      rules: rules[family] ?? 0,
      filesLookedAt: s.files,
      matches: s.matches,
      dropped: s.dropped,
      findings: Object.fromEntries(SEVERITIES.map((k) => [k, 0])) as Record<Severity, number>,
      downgraded: {},
    };
  });
  const byFamily = new Map(families.map((f) => [f.family, f]));
  for (const f of findings) {
    if (f.category !== 'secret') continue;
    const fam = byFamily.get(f.properties?.family as RuleFamily);
    if (!fam) continue;
    fam.findings[f.severity]++;
    const code = f.properties?.downgradeCode as DowngradeCode | undefined;
    if (code) fam.downgraded[code] = (fam.downgraded[code] ?? 0) + 1;
  }
  return {
    filesScanned: stats.files,
    bytesScanned: stats.bytes,
    binarySkipped: stats.binary,
    skippedByName: stats.skippedByName,
    truncated: stats.truncated,
    maxBytesPerFile: stats.maxBytesPerFile,
    families,
  };
}
