/** A readable Markdown report: image, summary table, findings by severity with layer and remediation. */
import type { ImageMeta } from '../engine/types.js';
import type { Finding, Severity } from '../findings/types.js';
import type { VulnerabilityOverview } from '../findings/vulnerabilities/overview.js';
import { SEVERITIES } from '../findings/types.js';
import type { ReportImage } from './image-info.js';
import { imageOrEmpty, summarize } from './json.js';
import { emptyNote, hiddenNote, mdCode, mdProse, mdText, shortDigest, type HiddenFindings } from './text.js';
import { TOOL_NAME, toolVersion } from './tool.js';

const HEADINGS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unknown: 'Unknown',
  info: 'Info',
};

function location(f: Finding): string {
  const parts: string[] = [];
  if (f.path) parts.push(mdCode(f.path) + (f.line !== null ? ` line ${f.line}` : ''));
  if (f.key) parts.push(`key ${mdCode(f.key)}`);
  if (f.layerIndex !== null)
    parts.push(`layer ${f.layerIndex}${f.layerDigest ? ` (${mdCode(shortDigest(f.layerDigest))})` : ''}`);
  if (f.deletedInLayerIndex !== null) parts.push(`removed in layer ${f.deletedInLayerIndex}`);
  return parts.length ? parts.join(', ') : 'image configuration';
}

export function toMarkdown(
  findings: Finding[],
  image: ReportImage,
  hidden?: HiddenFindings,
  vulnerabilities?: VulnerabilityOverview,
): string {
  const out: string[] = [];
  const s = summarize(findings);
  out.push(`# layerlens report: ${mdText(image.reference || 'image')}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Reference | ${mdCode(image.reference || '-')} |`);
  out.push(`| Source | ${mdText(image.source || '-')} |`);
  if (image.digest) out.push(`| Digest | ${mdCode(image.digest)} |`);
  if (image.platform) out.push(`| Platform | ${mdText(image.platform)} |`);
  out.push(`| User | ${image.user ? mdCode(image.user) : 'root (not set)'} |`);
  if (image.exposedPorts.length) out.push(`| Exposed ports | ${image.exposedPorts.map(mdText).join(', ')} |`);
  out.push(`| Filesystem layers | ${image.layers.filter((l) => l.index !== null).length} |`);
  out.push(`| Tool | ${TOOL_NAME} ${toolVersion()} |`, '');
  out.push('## Summary', '', '| Severity | Findings |', '|---|---:|');
  for (const sev of SEVERITIES) out.push(`| ${HEADINGS[sev]} | ${s[sev]} |`);
  out.push('');
  if (vulnerabilities) out.push(`**Vulnerabilities:** ${mdProse(vulnerabilities.line)}`, '');
  if (findings.length === 0) {
    out.push(mdText(emptyNote(hidden)), '');
    return out.join('\n');
  }
  if (hidden?.count) out.push(mdText(hiddenNote(hidden)), '');
  out.push('## Findings', '');
  for (const sev of SEVERITIES) {
    const fs = findings.filter((f) => f.severity === sev);
    if (!fs.length) continue;
    out.push(`### ${HEADINGS[sev]} (${fs.length})`, '');
    for (const f of fs) {
      out.push(`#### ${mdText(f.title)}`, '');
      out.push(`- **Rule:** ${mdCode(f.ruleId)} (${mdText(f.category)})`);
      out.push(`- **Where:** ${location(f)}`);
      if (f.evidence) out.push(`- **Evidence:** ${mdCode(f.evidence)}`);
      out.push(`- **Details:** ${mdProse(f.message)}`);
      out.push(`- **Remediation:** ${mdProse(f.remediation)}`);
      out.push(`- **ID:** ${mdCode(f.id)}`, '');
    }
  }
  return out.join('\n');
}

export function renderMarkdown(input: { meta?: ImageMeta; findings: Finding[]; image?: ReportImage }): string {
  return toMarkdown(input.findings, input.image ?? imageOrEmpty(input.meta));
}
