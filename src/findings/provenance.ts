/**
 * The `provenance` check: a mutable tag can point to different content tomorrow. Report the exact
 * digest analysed and the pinned form `name@sha256:…`; `latest` or no tag is low.
 */
import type { ImageMeta } from '../engine/types.js';
import { looksLikeReference, parseReference } from '../reference/index.js';
import { makeFinding } from './make.js';
import type { Finding } from './types.js';

export function provenanceFindings(meta: ImageMeta, reference: string): Finding[] {
  // Archives, layouts and stdin have no registry name to pin.
  if (meta.source === 'archive' || meta.source === 'oci' || meta.source === 'demo') return [];
  if (!reference || !looksLikeReference(reference)) return [];
  let ref;
  try {
    ref = parseReference(reference);
  } catch {
    return [];
  }
  if (ref.digest) {
    return [
      makeFinding({
        ruleId: 'provenance-pinned',
        category: 'provenance',
        severity: 'info',
        title: 'Reference pinned by digest',
        message: `${reference} names the content by digest: the same bytes every time.`,
        remediation: 'Nothing to do.',
        key: ref.digest,
      }),
    ];
  }
  const name =
    ref.tag && ref.familiar.endsWith(':' + ref.tag) ? ref.familiar.slice(0, -(ref.tag.length + 1)) : ref.familiar;
  const explicitTag = !ref.tagImplied;
  const tag = ref.tag ?? 'latest';
  // Daemons report the registry (repo) digest when the image was pulled, else only the image ID,
  // which is not something a registry can serve.
  const isImageId = (meta.source === 'docker' || meta.source === 'podman') && meta.digest === meta.configDigest;
  const digest = meta.digest && /^sha256:[0-9a-f]{64}$/.test(meta.digest) && !isImageId ? meta.digest : undefined;
  const pinned = digest ? `${name}@${digest}` : undefined;
  const latest = tag === 'latest' || !explicitTag;
  return [
    makeFinding({
      ruleId: latest ? 'provenance-latest-tag' : 'provenance-mutable-tag',
      category: 'provenance',
      severity: latest ? 'low' : 'info',
      title: latest
        ? `Unpinned reference: ${explicitTag ? 'latest tag' : 'no tag (means latest)'}`
        : `Mutable tag: ${tag}`,
      message:
        `${reference} is resolved by tag, and tags move: rebuilds and deployments can silently get different content.` +
        (digest
          ? ` The content analysed is ${digest}; pin it as ${pinned}.`
          : ' The source did not report a registry digest for this image (daemon-only image or local build).'),
      remediation: pinned
        ? `Use ${pinned} in FROM lines and deployments, and update it deliberately (e.g. with a dependency bot).`
        : 'Push the image and reference it by its registry digest (name@sha256:…).',
      key: tag,
      properties: { reference, tag, ...(digest ? { digest, pinned } : {}) },
    }),
  ];
}
