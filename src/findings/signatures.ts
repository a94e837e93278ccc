/**
 * The `provenance-unsigned` finding (info) for images read from a registry that carry no
 * signature. layerlens finds signatures but does not verify them, and says so in every message.
 */
import type { ImageMeta } from '../engine/types.js';
import { makeFinding } from './make.js';
import type { Finding } from './types.js';

export const RULE_UNSIGNED = 'provenance-unsigned';

export function provenanceFindings(meta: ImageMeta): Finding[] {
  const p = meta.provenance;
  if (!p) return [];
  const signatures = p.artifacts.filter((a) => a.kind === 'signature');
  if (signatures.length) return [];
  const others = p.artifacts.filter((a) => a.kind !== 'signature');
  const also = others.length
    ? ` It has ${others.length} attestation/SBOM artifact${others.length > 1 ? 's' : ''}, which are not signatures.`
    : '';
  const incomplete = p.errors.length ? ` The lookup was incomplete (${p.errors[0]}).` : '';
  return [
    makeFinding({
      ruleId: RULE_UNSIGNED,
      category: 'provenance',
      severity: 'info',
      title: 'No signature found for this image',
      message:
        `No cosign signature tag and no signature referrer exists for ${p.pinnedReference}.${also}${incomplete} ` +
        'layerlens finds signatures but does not verify them.',
      remediation: `Sign the image (cosign sign or notation sign) and verify the signature where it is deployed; pin it by digest: ${p.pinnedReference}.`,
      // The image signed is the index when there is one, else the manifest.
      key: p.indexDigest ?? p.manifestDigest,
      properties: {
        pinnedReference: p.pinnedReference,
        referrersApi: p.referrersApi,
        artifacts: p.artifacts.length,
        verified: false,
      },
    }),
  ];
}
