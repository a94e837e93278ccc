/**
 * The JSON report, schemaVersion 1 (documented in README "Scan reports"). Field names and order
 * are stable; new fields may be added, existing ones never change meaning within a version.
 */
import type { ImageMeta } from '../engine/types.js';
import type { Finding, Severity } from '../findings/types.js';
import { SEVERITIES } from '../findings/types.js';
import { imageInfoFromMeta, type ReportImage } from './image-info.js';
import { TOOL_NAME, toolVersion } from './tool.js';
import { jsonPieces, listAt } from '../text/pieces.js';

export const SCHEMA_VERSION = 1;

export type Summary = Record<Severity, number>;

export function summarize(findings: Finding[]): Summary {
  const s = Object.fromEntries(SEVERITIES.map((k) => [k, 0])) as Summary;
  for (const f of findings) s[f.severity]++;
  return s;
}

export function findingJson(f: Finding): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: f.id,
    ruleId: f.ruleId,
    category: f.category,
    severity: f.severity,
    title: f.title,
    message: f.message,
    path: f.path,
    layerIndex: f.layerIndex,
    layerDigest: f.layerDigest,
    deletedInLayerIndex: f.deletedInLayerIndex,
    key: f.key,
    line: f.line,
    evidence: f.evidence,
    remediation: f.remediation,
  };
  if (f.properties) o.properties = f.properties;
  return o;
}

/** `extra`: blocks added after the summary (`ciGate` when the dive gate ran; docs/reports.md). */
export function jsonDocument(findings: Finding[], image: ReportImage, extra: Record<string, unknown> = {}) {
  return { ...documentAround(findings, image, extra), findings: findings.map(findingJson) };
}

/** The document but its findings' list (an empty one stands in its place, in its order). */
function documentAround(findings: Finding[], image: ReportImage, extra: Record<string, unknown>) {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    image,
    findings: [] as Record<string, unknown>[],
    summary: summarize(findings),
    ...extra,
  };
}

export function toJson(findings: Finding[], image: ReportImage, extra?: Record<string, unknown>): string {
  return [...jsonReportPieces(findings, image, extra)].join('');
}

/**
 * The JSON report as pieces of text (text/pieces.ts), the same bytes as one JSON.stringify
 * of jsonDocument: a report of a few hundred thousand findings is more than one string holds.
 */
export function* jsonReportPieces(
  findings: Finding[],
  image: ReportImage,
  extra: Record<string, unknown> = {},
): Generator<string> {
  yield* jsonPieces(documentAround(findings, image, extra), listAt(['findings'], findings, findingJson));
  yield '\n';
}

/** For the explorer's export: `{ meta, findings }` → the same document. */
export function renderJson(input: { meta?: ImageMeta; findings: Finding[]; image?: ReportImage }): string {
  return toJson(input.findings, input.image ?? imageOrEmpty(input.meta));
}

export function imageOrEmpty(meta: ImageMeta | undefined): ReportImage {
  return meta ? imageInfoFromMeta(meta) : noImage('', '');
}

/** The `image` block of a report about no image (a registry audit; an export before metadata). */
export function noImage(reference: string, source: string): ReportImage {
  return {
    reference,
    source,
    digest: null,
    configDigest: null,
    platform: null,
    user: null,
    exposedPorts: [],
    layers: [],
  };
}
