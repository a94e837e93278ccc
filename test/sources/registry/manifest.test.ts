import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayerlensError } from '../../../src/errors/index.js';
import { distributionErrors, nextLink } from '../../../src/sources/registry/distribution.js';
import { parseConfig } from '../../../src/sources/registry/resolve.js';
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

/** A manifest document a test bends out of shape at will. */
// biome-ignore lint/suspicious/noExplicitAny: the tests write any value anywhere in it
type Doc = Record<string, any>;

test('manifest shapes are checked at the boundary, in plain words that never quote the body', () => {
  const base = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: D('b'), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D('c'), size: 3 }],
  };
  const bad: Array<[(m: Doc) => void, string, RegExp]> = [
    [(m) => (m.layers = 'MARKER'), 'BAD_MANIFEST', /^m: "layers" is not a list$/],
    [
      (m) => (m.layers[0] = 'MARKER'),
      'BAD_MANIFEST',
      /^m layers\[0\]: a descriptor must be a JSON object, not string$/,
    ],
    [(m) => (m.layers[0].size = -512), 'BAD_MANIFEST', /^m layers\[0\]: size is not a non-negative integer$/],
    [(m) => (m.layers[0].size = '3'), 'BAD_MANIFEST', /size is not a non-negative integer/],
    [(m) => delete m.layers[0].size, 'BAD_MANIFEST', /size is not a non-negative integer/],
    [(m) => (m.config.mediaType = 7), 'BAD_MANIFEST', /^m config: mediaType is not a string$/],
    [
      (m) => (m.config.digest = 'sha256:\u001b]0;MARKER\u0007'),
      'BAD_MANIFEST',
      /^m config has an invalid digest \(not sha256:, sha384: or sha512: and its hex\)$/,
    ],
    [(m) => delete m.config, 'BAD_MANIFEST', /^m: no "config" descriptor$/],
    [(m) => (m.schemaVersion = 'MARKER'), 'BAD_MANIFEST', /^m: unsupported manifest schemaVersion \(a string\)$/],
    [(m) => (m.layers = Array(1001).fill(m.layers[0])), 'TOO_LARGE', /^m: 1001 layers \(the limit is 1000\)$/],
    [
      (m) => (m.mediaType = `x/${'MARKER'.repeat(100)}`) && delete m.config && delete m.layers,
      'BAD_MANIFEST',
      /^m: unknown manifest type an invalid media type$/,
    ],
  ];
  for (const [patch, code, re] of bad) {
    const m = structuredClone(base) as Doc;
    patch(m);
    assert.throws(
      () => parseManifest(Buffer.from(JSON.stringify(m)), undefined, 'm'),
      (e: Error) => {
        assert.ok(e instanceof LayerlensError);
        assert.equal(e.code, code, e.message);
        assert.match(e.message, re);
        assert.doesNotMatch(e.message, /MARKER/);
        return true;
      },
    );
  }
  const idx = {
    schemaVersion: 2,
    mediaType: MT.ociIndex,
    manifests: [{ mediaType: MT.ociManifest, digest: D('a'), size: 1, platform: 'linux' }],
  };
  assert.throws(
    () => parseManifest(Buffer.from(JSON.stringify(idx)), undefined, 'i'),
    /^LayerlensError: i manifests\[0\]: platform needs "os" and "architecture" strings$/,
  );
  assert.equal(
    parseManifest(
      Buffer.from(
        JSON.stringify({ ...base, mediaType: undefined, layers: [], config: base.config, subject: undefined }),
      ),
      undefined,
      'm',
    ).kind,
    'image',
  );
});

test('configs: diff_ids one digest per layer, os/architecture strings', () => {
  const cfg = (c: unknown) => Buffer.from(JSON.stringify(c));
  const ok = parseConfig(
    cfg({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [D('1')] } }),
    'config of x',
    1,
    'x',
  );
  assert.equal(ok.os, 'linux');
  assert.throws(
    () => parseConfig(cfg({ rootfs: { diff_ids: [42] } }), 'config of x', 1, 'x'),
    /^LayerlensError: config of x: rootfs\.diff_ids\[0\] is not a digest$/,
  );
  assert.throws(
    () => parseConfig(cfg({ rootfs: { diff_ids: [] } }), 'config of x', 1, 'x'),
    /the manifest lists 1 layers but the config has 0 diff_ids/,
  );
  assert.throws(
    () => parseConfig(cfg({ os: 5, rootfs: { diff_ids: [D('1')] } }), 'config of x', 1, 'x'),
    /"os" is not a string/,
  );
  assert.throws(() => parseConfig(Buffer.from('[1,2]'), 'config of x', 1, 'x'), /is not a JSON object/);
  assert.throws(
    () => parseConfig(Buffer.from('{MARKER'), 'config of x', 1, 'x'),
    (e: Error) => /not valid JSON/.test(e.message) && !/MARKER/.test(e.message),
  );
});

test('Distribution error bodies give their codes only, never their text', () => {
  assert.equal(
    distributionErrors(
      Buffer.from(
        JSON.stringify({
          errors: [
            { code: 'MANIFEST_UNKNOWN', message: 'secret /etc/shadow' },
            { code: 'lower case junk' },
            { code: 'DENIED' },
          ],
        }),
      ),
    ),
    'MANIFEST_UNKNOWN, DENIED',
  );
  assert.equal(distributionErrors(Buffer.from('<html>MARKER</html>')), undefined);
  assert.equal(distributionErrors(undefined), undefined);
});
