/**
 * Provenance lookups: which signatures, attestations and SBOMs a registry holds for an image.
 * Two schemes exist side by side: cosign's tags (`sha256-HEX.sig`, `.att`, `.sbom`) and OCI 1.1
 * referrers (`GET /v2/NAME/referrers/DIGEST`, or on registries without that API the fallback tag
 * `sha256-HEX` holding an index). BuildKit's attestation manifests inside the index count too.
 *
 * layerlens FINDS these artifacts; it does not verify any signature.
 */
import type { ImageProvenance, ProvenanceArtifact } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import type { RegistryClient } from './client.js';
import { LIST_LIMIT } from './limits.js';
import { MANIFEST_ACCEPT, MT, isAttestationManifest, isDigest, parseManifest, type Descriptor } from './manifest.js';

export function classifyArtifactType(
  artifactType: string | undefined,
  annotations?: Record<string, string>,
): ProvenanceArtifact['kind'] {
  const t = (artifactType ?? '').toLowerCase();
  if (!t) return 'other';
  if (t.startsWith('application/vnd.dev.sigstore.bundle')) {
    return annotations?.['dev.sigstore.bundle.predicateType'] ? 'attestation' : 'signature';
  }
  if (
    t === 'application/vnd.dev.cosign.artifact.sig.v1+json' ||
    t === 'application/vnd.cncf.notary.signature' ||
    t.includes('signature')
  )
    return 'signature';
  if (t.includes('spdx') || t.includes('cyclonedx') || t.includes('syft') || t.includes('sbom')) return 'sbom';
  if (t.includes('in-toto') || t.includes('attestation') || t.includes('provenance') || t.includes('.att.'))
    return 'attestation';
  return 'other';
}

const COSIGN_SUFFIXES: Array<[string, ProvenanceArtifact['kind']]> = [
  ['sig', 'signature'],
  ['att', 'attestation'],
  ['sbom', 'sbom'],
];

export interface ProvenanceLookup {
  client: RegistryClient;
  repository: string;
  /** registry/repository for the pinned reference. */
  name: string;
  manifestDigest: string;
  indexDigest?: string;
  /** The index's manifests, to list BuildKit attestations for the chosen manifest. */
  indexManifests?: Descriptor[];
}

export async function lookupProvenance(q: ProvenanceLookup): Promise<ImageProvenance> {
  const top = q.indexDigest ?? q.manifestDigest;
  const prov: ImageProvenance = {
    pinnedReference: `${q.name}@${top}`,
    manifestDigest: q.manifestDigest,
    indexDigest: q.indexDigest,
    artifacts: [],
    referrersApi: 'unknown',
    errors: [],
    verified: false,
  };
  for (const d of q.indexManifests ?? []) {
    if (!isAttestationManifest(d)) continue;
    const subject = d.annotations?.['vnd.docker.reference.digest'];
    if (subject && subject !== q.manifestDigest) continue;
    prov.artifacts.push({
      kind: 'attestation',
      via: 'index-attestation',
      digest: d.digest,
      subject: subject ?? top,
      artifactType: d.artifactType ?? d.mediaType,
    });
  }
  const subjects = [...new Set([top, q.manifestDigest])];
  const results = await Promise.allSettled(
    subjects.flatMap((s) => [
      referrers(q, s, prov),
      ...COSIGN_SUFFIXES.map(([suffix, kind]) => cosignTag(q, s, suffix, kind)),
    ]),
  );
  for (const r of results) {
    if (r.status === 'fulfilled') prov.artifacts.push(...r.value);
    else prov.errors.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
  }
  // The same artifact can be reachable through several schemes; keep the first.
  const seen = new Set<string>();
  prov.artifacts = prov.artifacts.filter((a) =>
    seen.has(a.digest + a.subject) ? false : (seen.add(a.digest + a.subject), true),
  );
  return prov;
}

function tagFor(digest: string): string {
  return digest.replace(':', '-');
}

async function cosignTag(
  q: ProvenanceLookup,
  subject: string,
  suffix: string,
  kind: ProvenanceArtifact['kind'],
): Promise<ProvenanceArtifact[]> {
  const tag = `${tagFor(subject)}.${suffix}`;
  const res = await q.client.fetch({
    method: 'HEAD',
    path: `/v2/${q.repository}/manifests/${tag}`,
    scopes: [`repository:${q.repository}:pull`],
    headers: { accept: MANIFEST_ACCEPT },
    limit: 0,
    what: `signature tag ${tag}`,
  });
  if (res.statusCode === 404) return [];
  if (res.statusCode !== 200) throw new LayerlensError(`looking up ${tag}: HTTP ${res.statusCode}`, 'PROVENANCE');
  const header = res.headers['docker-content-digest'];
  const digest = typeof header === 'string' && isDigest(header) ? header : tag;
  return [{ kind, via: 'cosign-tag', digest, subject, tag }];
}

async function referrers(q: ProvenanceLookup, subject: string, prov: ImageProvenance): Promise<ProvenanceArtifact[]> {
  const res = await q.client.fetch({
    path: `/v2/${q.repository}/referrers/${subject}`,
    scopes: [`repository:${q.repository}:pull`],
    headers: { accept: MT.ociIndex },
    limit: LIST_LIMIT,
    what: 'referrers list',
  });
  if (res.statusCode === 200) {
    prov.referrersApi = 'supported';
    return fromIndex(res.body, res.headers['content-type'], subject, 'referrers-api');
  }
  if (res.statusCode !== 404)
    throw new LayerlensError(`referrers of ${subject.slice(0, 19)}: HTTP ${res.statusCode}`, 'PROVENANCE');
  if (prov.referrersApi !== 'supported') prov.referrersApi = 'unsupported';
  // OCI 1.1 fallback: an index under the tag sha256-HEX.
  const tag = tagFor(subject);
  const t = await q.client.fetch({
    path: `/v2/${q.repository}/manifests/${tag}`,
    scopes: [`repository:${q.repository}:pull`],
    headers: { accept: MANIFEST_ACCEPT },
    limit: LIST_LIMIT,
    what: `referrers tag ${tag}`,
  });
  if (t.statusCode === 404) return [];
  if (t.statusCode !== 200) throw new LayerlensError(`referrers tag ${tag}: HTTP ${t.statusCode}`, 'PROVENANCE');
  return fromIndex(t.body, t.headers['content-type'], subject, 'referrers-tag').map((a) => ({ ...a, tag }));
}

function fromIndex(
  body: Buffer,
  contentType: string | string[] | undefined,
  subject: string,
  via: ProvenanceArtifact['via'],
): ProvenanceArtifact[] {
  const m = parseManifest(body, Array.isArray(contentType) ? contentType[0] : contentType, 'referrers index');
  if (m.kind !== 'index') return [];
  return m.manifests.map((d) => ({
    kind: classifyArtifactType(d.artifactType, d.annotations),
    via,
    digest: d.digest,
    subject,
    artifactType: d.artifactType,
  }));
}

/** One line per fact for meta.notes. */
export function provenanceNotes(p: ImageProvenance): string[] {
  const count = (k: ProvenanceArtifact['kind']) => p.artifacts.filter((a) => a.kind === k).length;
  const sig = count('signature');
  const att = count('attestation');
  const sbom = count('sbom');
  const lines = [`pinned: ${p.pinnedReference}`];
  const found = [
    sig && `${sig} signature${sig > 1 ? 's' : ''}`,
    att && `${att} attestation${att > 1 ? 's' : ''}`,
    sbom && `${sbom} SBOM${sbom > 1 ? 's' : ''}`,
  ].filter(Boolean);
  lines.push(
    found.length
      ? `provenance: ${found.join(', ')} found (layerlens finds signatures but does not verify them)`
      : 'provenance: no signature, attestation or SBOM found (cosign tags and OCI referrers checked)',
  );
  lines.push(
    `OCI referrers API: ${p.referrersApi === 'supported' ? 'supported' : p.referrersApi === 'unsupported' ? 'not supported (tag fallback checked)' : 'unknown'}`,
  );
  if (p.errors.length)
    lines.push(
      `provenance lookup incomplete: ${p.errors[0]}${p.errors.length > 1 ? ` (+${p.errors.length - 1} more)` : ''}`,
    );
  return lines;
}
