/**
 * What every report says about known vulnerabilities, whatever `--severity` leaves in its list:
 * the summary finding's line ("N known vulnerabilities (…) in P packages: B in the base image
 * (layers 0–1), M in your layers. The single change that fixes the most: …"), or why nothing was
 * checked. Made from the vulnerability check's own findings (the table, Markdown, JSON and SARIF
 * print it; they compute nothing of their own).
 */
import type { Finding } from '../types.js';

export interface VulnerabilityOverview {
  /** Whether the packages were matched against a database. */
  checked: boolean;
  /** One line for text reports. */
  line: string;
  /** The summary finding's properties (counts, base image, best fix, database), for JSON and SARIF. */
  properties: Record<string, unknown>;
}

/** Undefined when the vulnerability check did not run (the caller did not ask for it). */
export function vulnerabilityOverview(all: readonly Finding[]): VulnerabilityOverview | undefined {
  const summary = all.find((f) => f.category === 'vulnerability' && f.ruleId === 'vulnerability-summary');
  if (summary) return { checked: true, line: summary.message, properties: summary.properties ?? {} };
  const missing = all.find((f) => f.category === 'vulnerability' && f.ruleId === 'vulnerability-db-missing');
  if (missing)
    return {
      checked: false,
      line: `Not checked: no vulnerability database (run \`layerlens db update\`, or scan with --db DIR). ${String(
        missing.properties?.packagesFound ?? 0,
      )} packages were found.`,
      properties: missing.properties ?? {},
    };
  return undefined;
}

/** The JSON / SARIF block: `{ checked, summary, …properties }` (docs/reports.md). */
export function overviewBlock(o: VulnerabilityOverview): Record<string, unknown> {
  return { checked: o.checked, summary: o.line, ...o.properties };
}
