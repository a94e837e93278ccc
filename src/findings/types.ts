/**
 * The finding shape shared by checks, reports (JSON, SARIF, Markdown, table) and the explorer.
 * Field names follow the documented JSON report (schemaVersion 1).
 */

/**
 * `unknown`: a known vulnerability whose advisory gives no score or rating. It is shown as such
 * (never as a guessed level) and ranks below `low`, as trivy and grype rank it: a threshold of
 * `--fail-on low` or `--severity low` does not include it; `unknown` (or a list naming it) does.
 * Only vulnerability findings are ever `unknown`. docs/reports.md, "Severity".
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'unknown', 'info'];

export type Category =
  | 'deleted-file'
  | 'secret'
  | 'config'
  | 'port'
  | 'provenance'
  | 'permissions'
  | 'efficiency'
  | 'os'
  | 'vulnerability'
  | 'unpack';

export interface Finding {
  /** Stable fingerprint: same image + same problem → same id across runs. */
  id: string;
  ruleId: string;
  category: Category;
  severity: Severity;
  title: string;
  message: string;
  /** Absolute in-image path, or null for image-level findings. */
  path: string | null;
  /** 0-based among filesystem layers, or null. */
  layerIndex: number | null;
  layerDigest: string | null;
  /** Where a later layer deleted or overwrote the file, or null. */
  deletedInLayerIndex: number | null;
  /** ENV/LABEL/ARG name, or null. */
  key: string | null;
  /** 1-based line in the file or command, or null. */
  line: number | null;
  /** Masked by default: first 4 characters and the length. */
  evidence: string | null;
  remediation: string;
  /** Extra facts for reports (bytes wasted, port service, rule detail). */
  properties?: Record<string, unknown>;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s); // critical 6 … unknown 2, info 1
}
