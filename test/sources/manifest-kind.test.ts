/**
 * Manifest or index, decided as containerd and the registries decide since CVE-2021-41190 (by
 * the type served or listed, else the document's own mediaType, else its fields) and never both:
 * a document whose type and fields disagree is refused in one line, in the registry and the
 * layout readers alike.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerlensError } from '../../src/errors/index.js';
import { manifestKind, OCI_INDEX, OCI_MANIFEST } from '../../src/sources/oci-layout/media-types.js';
import { checkManifest } from '../../src/sources/oci-layout/select.js';
import { parseManifest } from '../../src/sources/registry/manifest.js';

const digest = `sha256:${'a'.repeat(64)}`;
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: 2 };
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: 3 };
const child = { mediaType: OCI_MANIFEST, digest, size: 4, platform: { os: 'linux', architecture: 'amd64' } };

test('the kind: by the type declared, else the mediaType, else the fields', () => {
  assert.equal(manifestKind({ config, layers: [layer] }, undefined, 'd'), 'manifest');
  assert.equal(manifestKind({ manifests: [child] }, undefined, 'd'), 'index');
  assert.equal(manifestKind({ mediaType: OCI_INDEX, manifests: [] }, undefined, 'd'), 'index');
  assert.equal(manifestKind({ config, layers: [] }, OCI_MANIFEST, 'd'), 'manifest');
  assert.equal(manifestKind({ schemaVersion: 2 }, undefined, 'd'), undefined);
});

test('a document that is both, or other than declared, is refused by every reader', () => {
  const cases: Array<[string, Record<string, unknown>, string | undefined]> = [
    ['fields of both', { schemaVersion: 2, config, layers: [layer], manifests: [child] }, undefined],
    [
      'a manifest served with manifests',
      { schemaVersion: 2, config, layers: [layer], manifests: [child] },
      OCI_MANIFEST,
    ],
    ['an index served with layers', { schemaVersion: 2, manifests: [child], layers: [layer] }, OCI_INDEX],
    [
      'a manifest whose mediaType says index',
      { schemaVersion: 2, mediaType: OCI_INDEX, config, layers: [layer] },
      OCI_MANIFEST,
    ],
    [
      'an index whose mediaType says manifest',
      { schemaVersion: 2, mediaType: OCI_MANIFEST, manifests: [child] },
      OCI_INDEX,
    ],
  ];
  const ambiguous = (e: LayerlensError) =>
    e.code === 'BAD_MANIFEST' && /is ambiguous: .*CVE-2021-41190/.test(e.message) && !e.message.includes('\n');
  for (const [what, doc, declared] of cases) {
    assert.throws(
      () => parseManifest(Buffer.from(JSON.stringify(doc)), declared, 'example.org/app:1'),
      ambiguous,
      `registry: ${what}`,
    );
    if (declared !== OCI_INDEX)
      assert.throws(
        () => checkManifest(doc, { mediaType: declared, digest, size: 1 }, 'layout'),
        ambiguous,
        `layout: ${what}`,
      );
  }
  // Served as a manifest, written as one: read.
  const ok = parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers: [layer] })),
    OCI_MANIFEST,
    'x',
  );
  assert.equal(ok.kind, 'image');
});
