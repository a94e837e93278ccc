/**
 * Known vulnerabilities of two images compared: the ones NEW fixes (OLD's that NEW no longer has),
 * the ones it introduces, and the ones it keeps — read from the findings comparison, where a
 * vulnerability finding is matched by its id and package (match-key.ts), so a package whose
 * version moved but stays affected is kept, not fixed and introduced again.
 */
import type { Finding } from '../types.js';
import type { FindingComparison, VulnerabilityChange, VulnerabilityComparison } from './types.js';

/** A finding about one vulnerability of one package (not the check's summary or database notes). */
export function isVulnerability(f: Finding): boolean {
  return f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-');
}

function change(f: Finding): VulnerabilityChange {
  const p = (f.properties ?? {}) as {
    package?: string;
    ecosystem?: string;
    installedVersion?: string;
    fixedVersion?: string | null;
    aliases?: string[];
  };
  return {
    id: f.ruleId,
    aliases: p.aliases ?? [],
    package: p.package ?? f.key ?? '',
    ecosystem: p.ecosystem ?? '',
    version: p.installedVersion ?? '',
    fixedVersion: p.fixedVersion ?? null,
    severity: f.severity,
    findingId: f.id,
  };
}

/** `checked`: both images' packages were matched against a vulnerability database. */
export function compareVulnerabilities(f: FindingComparison, checked: boolean): VulnerabilityComparison {
  return {
    checked,
    introduced: f.new.filter(isVulnerability).map(change),
    fixed: f.resolved.filter(isVulnerability).map(change),
    unchanged: f.unchanged.filter((m) => isVulnerability(m.new)).length,
  };
}
