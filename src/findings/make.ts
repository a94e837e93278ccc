/** Building findings: stable fingerprints and layer digests in one place. */
import { createHash } from 'node:crypto';
import type { ImageMeta } from '../engine/types.js';
import type { Category, Finding, Severity } from './types.js';

export interface FindingInput {
  ruleId: string;
  category: Category;
  severity: Severity;
  title: string;
  message: string;
  remediation: string;
  path?: string | null;
  layerIndex?: number | null;
  layerDigest?: string | null;
  deletedInLayerIndex?: number | null;
  key?: string | null;
  line?: number | null;
  evidence?: string | null;
  properties?: Record<string, unknown>;
  /** Extra identity for findings that share rule, path, layer, key and line. */
  discriminator?: string;
}

/**
 * Stable id: a hash of what identifies the problem (rule, path, layer digest, key, line) and
 * never of the secret value, so the same leak keeps its id across runs and reports.
 */
export function fingerprint(parts: Array<string | number | null | undefined>): string {
  return createHash('sha256')
    .update(parts.map((p) => (p === null || p === undefined ? '' : String(p))).join('\u0000'))
    .digest('hex')
    .slice(0, 20);
}

export function makeFinding(f: FindingInput): Finding {
  const out: Finding = {
    id: fingerprint([f.ruleId, f.path, f.layerDigest, f.key, f.line, f.discriminator]),
    ruleId: f.ruleId,
    category: f.category,
    severity: f.severity,
    title: f.title,
    message: f.message,
    path: f.path ?? null,
    layerIndex: f.layerIndex ?? null,
    layerDigest: f.layerDigest ?? null,
    deletedInLayerIndex: f.deletedInLayerIndex ?? null,
    key: f.key ?? null,
    line: f.line ?? null,
    evidence: f.evidence ?? null,
    remediation: f.remediation,
  };
  if (f.properties && Object.keys(f.properties).length) out.properties = f.properties;
  return out;
}

/** The digest that names layer `i`: the stored blob digest, else its diffID. */
export function layerDigestOf(
  meta: ImageMeta | undefined,
  i: number | null | undefined,
  diffIds?: Array<string | undefined>,
): string | null {
  if (i === null || i === undefined || i < 0) return null;
  return meta?.layers[i]?.digest ?? meta?.layers[i]?.diffId ?? diffIds?.[i] ?? null;
}
