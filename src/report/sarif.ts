/**
 * SARIF 2.1.0 for code-scanning dashboards. One rule per ruleId (help text, `security-severity`
 * for GitHub's severity buckets), results located at the in-image path (relative to the IMAGEROOT
 * base), layer digest/index and deletedInLayer in result properties, and a stable
 * partialFingerprint (the finding id: it never depends on the secret value).
 */
import type { Finding, Severity } from '../findings/types.js';
import { overviewBlock, type VulnerabilityOverview } from '../findings/vulnerabilities/overview.js';
import { SEVERITIES } from '../findings/types.js';
import type { ReportImage } from './image-info.js';
import { mdProse, mdText } from './text.js';
import { TOOL_NAME, toolVersion } from './tool.js';
import { jsonPieces, listAt } from '../text/pieces.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

// GitHub: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. A vulnerability of unknown
// severity has none: a made-up score would put it in a bucket the advisory never gave it.
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  unknown: undefined,
  info: '0.0',
};
// Unknown is a warning: not an error nobody rated, not a note anyone could skip.
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  unknown: 'warning',
  info: 'note',
};

/** In-image path → relative URI reference (each segment percent-encoded). */
export function pathToUri(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function ruleName(id: string): string {
  return id
    .split(/[-_.]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

export function sarifDocument(findings: Finding[], image: ReportImage, vulnerabilities?: VulnerabilityOverview) {
  const around = sarifAround(findings, image, vulnerabilities);
  return withResults(around.doc, findings.map(around.result));
}

/** The SARIF document but its results (an empty list in their place), and how a finding becomes one. */
function sarifAround(findings: Finding[], image: ReportImage, vulnerabilities?: VulnerabilityOverview) {
  const rules: Array<Record<string, unknown>> = [];
  const ruleIndex = new Map<string, number>();
  const worst = new Map<string, Severity>();
  for (const f of findings) {
    const w = worst.get(f.ruleId);
    if (!w || SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(w)) worst.set(f.ruleId, f.severity);
  }
  const vulnRules = vulnerabilityRules(findings);
  for (const f of findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    const sev = worst.get(f.ruleId)!;
    ruleIndex.set(f.ruleId, rules.length);
    const vuln = vulnRules.get(f.ruleId);
    const securitySeverity = vuln?.score ?? SECURITY_SEVERITY[sev];
    rules.push({
      id: f.ruleId,
      name: ruleName(f.ruleId),
      ...(vuln?.helpUri ? { helpUri: vuln.helpUri } : {}),
      shortDescription: { text: ruleTitle(f) },
      fullDescription: { text: `${categoryText(f.category)}: ${ruleTitle(f)}.` },
      help: {
        text: `${f.remediation}`,
        // (GitHub renders it: a title or remediation holds names from the image and the database.)
        markdown: `**${mdText(ruleTitle(f))}** (${f.category})\n\n${mdProse(f.remediation)}`,
      },
      defaultConfiguration: { level: LEVEL[sev] },
      properties: {
        ...(securitySeverity !== undefined ? { 'security-severity': securitySeverity } : {}),
        tags: ['security', 'container', f.category],
        precision: f.category === 'secret' ? 'high' : 'very-high',
      },
    });
  }
  const result = (f: Finding) => {
    const location: Record<string, unknown> = f.path
      ? {
          physicalLocation: {
            artifactLocation: { uri: pathToUri(f.path), uriBaseId: 'IMAGEROOT' },
            ...(f.line !== null && f.line > 0 ? { region: { startLine: f.line } } : {}),
          },
          message: {
            text:
              f.layerIndex !== null
                ? `layer ${f.layerIndex}${f.deletedInLayerIndex !== null ? `, removed in layer ${f.deletedInLayerIndex}` : ''}`
                : 'image',
          },
        }
      : {
          logicalLocations: [
            {
              name: image.reference || 'image',
              kind: 'module',
              fullyQualifiedName: `${image.reference || 'image'}${f.key ? '#' + f.key : ''}`,
            },
          ],
        };
    return {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location],
      partialFingerprints: { 'layerlensFindingId/v1': f.id },
      properties: {
        severity: f.severity,
        ...(SECURITY_SEVERITY[f.severity] !== undefined ? { 'security-severity': SECURITY_SEVERITY[f.severity] } : {}),
        category: f.category,
        layerIndex: f.layerIndex,
        layerDigest: f.layerDigest,
        deletedInLayerIndex: f.deletedInLayerIndex,
        key: f.key,
        evidence: f.evidence,
        ...(f.properties ?? {}),
      },
    };
  };
  const doc = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: toolVersion(), semanticVersion: toolVersion(), rules } },
        originalUriBaseIds: {
          IMAGEROOT: { uri: 'file:///', description: { text: `Root of the filesystem of image ${image.reference}` } },
        },
        results: [] as ReturnType<typeof result>[],
        properties: {
          image: {
            reference: image.reference,
            source: image.source,
            digest: image.digest,
            configDigest: image.configDigest,
            platform: image.platform,
          },
          ...(vulnerabilities ? { vulnerabilities: overviewBlock(vulnerabilities) } : {}),
        },
      },
    ],
  };
  return { doc, result };
}

/** `doc` with its run's results. */
function withResults<D extends { runs: Array<{ results: R[] }> }, R>(doc: D, results: R[]): D {
  return { ...doc, runs: [{ ...doc.runs[0], results }] };
}

/**
 * Each vulnerability's rule (one per CVE or advisory id): its advisory link and its CVSS base score
 * as `security-severity` (the highest among the packages it affects), when the advisory gives one.
 * One pass over the findings (one per rule made the document quadratic: thousands of advisories,
 * each looked for among thousands of findings).
 */
function vulnerabilityRules(findings: Finding[]): Map<string, { helpUri?: string; score?: string }> {
  const out = new Map<string, { helpUri?: string; score?: string }>();
  const best = new Map<string, number>();
  for (const f of findings) {
    if (f.category !== 'vulnerability') continue;
    let rule = out.get(f.ruleId);
    if (!rule) out.set(f.ruleId, (rule = {}));
    const p = f.properties as { advisoryUrl?: string; cvssScore?: number } | undefined;
    if (p?.advisoryUrl && !rule.helpUri) rule.helpUri = p.advisoryUrl;
    if (typeof p?.cvssScore === 'number' && p.cvssScore > (best.get(f.ruleId) ?? -1)) {
      best.set(f.ruleId, p.cvssScore);
      rule.score = p.cvssScore.toFixed(1);
    }
  }
  return out;
}

function ruleTitle(f: Finding): string {
  // A vulnerability's rule is the advisory, not one package at one version: its summary alone.
  if (f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-') && f.title.includes(': '))
    return f.title.slice(f.title.indexOf(': ') + 2);
  // Titles of path-specific findings carry the path; rule descriptions must not.
  return f.title.replace(/: \/.*$/s, '').replace(/^EXPOSE \d+\/\w+: /, 'Exposed port: ');
}

function categoryText(c: string): string {
  return (
    (
      {
        'deleted-file': 'File deleted or replaced in a later layer but still shipped',
        secret: 'Secret in file content',
        config: 'Image configuration or history',
        port: 'Exposed port',
        provenance: 'Image provenance',
        permissions: 'File permissions',
        efficiency: 'Image efficiency',
        os: 'Operating system',
        vulnerability: 'Known vulnerability in a package',
        unpack: 'Layer entry a container runtime would not unpack as named',
      } as Record<string, string>
    )[c] ?? c
  );
}

export function toSarif(findings: Finding[], image: ReportImage, vulnerabilities?: VulnerabilityOverview): string {
  return [...sarifPieces(findings, image, vulnerabilities)].join('');
}

/**
 * The SARIF log as pieces of text (text/pieces.ts), the same bytes as one JSON.stringify of
 * sarifDocument: a log of a few hundred thousand results is more than one string holds.
 */
export function* sarifPieces(
  findings: Finding[],
  image: ReportImage,
  vulnerabilities?: VulnerabilityOverview,
): Generator<string> {
  const { doc, result } = sarifAround(findings, image, vulnerabilities);
  yield* jsonPieces(doc, listAt(['runs', 0, 'results'], findings, result));
  yield '\n';
}
