import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { nextLink } from '../../../src/sources/registry/distribution.js';
import {
  MT,
  digestOf,
  isAttestationManifest,
  parseManifest,
  verifyBodyDigest,
} from '../../../src/sources/registry/manifest.js';
import { classifyArtifactType } from '../../../src/sources/registry/provenance.js';

const D = (c: string) => 'sha256:' + c.repeat(64);

test('schema 1 is refused with a clear message, by content type or by body', () => {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }));
  for (const ct of [MT.schema1Signed, undefined, 'application/json']) {
    assert.throws(
      () => parseManifest(body, ct, 'manifest of x:y'),
      (e: Error) =>
        e instanceof LayerlensError &&
        e.code === 'SCHEMA1' &&
        /manifest of x:y is a Docker schema 1 manifest.*push the image again/.test(e.message),
    );
  }
});

test('index, Docker list, OCI and Docker manifests parse; descriptors are validated', () => {
  const idx = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.dockerList,
        manifests: [
          {
            mediaType: MT.dockerManifest,
            digest: D('a'),
            size: 10,
            platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
          },
        ],
      }),
    ),
    MT.dockerList,
    'm',
  );
  assert.equal(idx.kind, 'index');
  assert.deepEqual(idx.kind === 'index' && idx.manifests[0].platform, {
    os: 'linux',
    architecture: 'arm',
    variant: 'v7',
  });
  const img = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: MT.ociConfig, digest: D('b'), size: 2 },
        layers: [{ mediaType: 'x', digest: D('c'), size: 3 }],
      }),
    ),
    MT.ociManifest,
    'm',
  );
  assert.equal(img.kind, 'image');
  assert.throws(
    () =>
      parseManifest(
        Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:zz', size: 1 }, layers: [] })),
        undefined,
        'm',
      ),
    /invalid digest/,
  );
  assert.throws(() => parseManifest(Buffer.from('not json'), undefined, 'm'), /not valid JSON/);
});

test('body digests: requested digest and Docker-Content-Digest must both match', () => {
  const body = Buffer.from('{"schemaVersion":2}');
  const d = digestOf(body);
  assert.equal(verifyBodyDigest(body, 'm', d, d), d);
  assert.equal(verifyBodyDigest(body, 'm', undefined, undefined), d);
  assert.throws(
    () => verifyBodyDigest(body, 'm', D('0'), undefined),
    (e: Error) => (e as LayerlensError).code === 'DIGEST_MISMATCH',
  );
  assert.throws(() => verifyBodyDigest(body, 'm', undefined, D('0')), /Docker-Content-Digest says/);
});

test('attestation manifests are recognised by annotation or unknown/unknown platform', () => {
  assert.ok(
    isAttestationManifest({
      mediaType: MT.ociManifest,
      digest: D('a'),
      size: 1,
      platform: { os: 'unknown', architecture: 'unknown' },
    }),
  );
  assert.ok(
    isAttestationManifest({
      mediaType: MT.ociManifest,
      digest: D('a'),
      size: 1,
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    }),
  );
  assert.ok(
    !isAttestationManifest({
      mediaType: MT.ociManifest,
      digest: D('a'),
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    }),
  );
});

test('referrer artifact types are classified', () => {
  assert.equal(classifyArtifactType('application/vnd.dev.cosign.artifact.sig.v1+json'), 'signature');
  assert.equal(classifyArtifactType('application/vnd.cncf.notary.signature'), 'signature');
  assert.equal(classifyArtifactType('application/vnd.dev.sigstore.bundle.v0.3+json'), 'signature');
  assert.equal(
    classifyArtifactType('application/vnd.dev.sigstore.bundle.v0.3+json', {
      'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1',
    }),
    'attestation',
  );
  assert.equal(classifyArtifactType('application/spdx+json'), 'sbom');
  assert.equal(classifyArtifactType('application/vnd.cyclonedx+json'), 'sbom');
  assert.equal(classifyArtifactType('application/vnd.in-toto+json'), 'attestation');
  assert.equal(classifyArtifactType('application/vnd.example.thing'), 'other');
});

test('Link headers: rel="next" resolved against the request URL', () => {
  const base = new URL('https://r.example.org/v2/_catalog?n=2');
  assert.equal(
    nextLink('</v2/_catalog?last=b&n=2>; rel="next"', base)?.href,
    'https://r.example.org/v2/_catalog?last=b&n=2',
  );
  assert.equal(
    nextLink('<https://r.example.org/p2>; rel="prev", <https://r.example.org/p3>; rel=next', base)?.href,
    'https://r.example.org/p3',
  );
  assert.equal(nextLink(undefined, base), undefined);
  assert.equal(nextLink('</x>; rel="last"', base), undefined);
});
