/**
 * Images built in-process (real tars from build-tar.ts) and written as OCI layouts, then pushed to
 * test registries with `skopeo copy`. Covers a multi-platform index with a BuildKit-style
 * attestation manifest, and cosign-style signature artifacts under `sha256-HEX.sig`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildTar, sha256, type TarSpec } from '../../src/engine/build-tar.js';
import type { Platform } from '../../src/engine/types.js';
import { run } from './services.js';

export interface LayerSpec {
  entries: TarSpec[];
  compress?: 'gzip' | 'none';
  /** gzip level (default zlib's 6; the benchmark uses 1 to generate quickly). */
  level?: number;
  createdBy?: string;
}

export interface Blob {
  digest: string;
  mediaType: string;
  data: Buffer;
}

export interface BuiltManifest {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
  platform: Platform;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

function blob(mediaType: string, data: Buffer): Blob {
  return { digest: sha256(data), mediaType, data };
}

/** An OCI descriptor of `b` (with annotations when given). */
function descriptor(b: Blob, annotations?: Record<string, string>): Record<string, unknown> {
  return { mediaType: b.mediaType, digest: b.digest, size: b.data.length, ...(annotations ? { annotations } : {}) };
}

/** An OCI image manifest blob for `config` and `layers`. */
function manifestBlob(config: Blob, layers: Array<Record<string, unknown>>): Blob {
  return blob(
    OCI_MANIFEST,
    json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
      layers,
    }),
  );
}

function json(x: unknown): Buffer {
  return Buffer.from(JSON.stringify(x));
}

export async function buildImage(
  layers: LayerSpec[],
  platform: Platform = { os: 'linux', architecture: 'amd64' },
  extraConfig: Record<string, unknown> = {},
): Promise<BuiltManifest> {
  const tars = await Promise.all(layers.map((l) => buildTar(l.entries)));
  const layerBlobs = tars.map((t, i) =>
    layers[i].compress === 'none'
      ? blob('application/vnd.oci.image.layer.v1.tar', t)
      : blob('application/vnd.oci.image.layer.v1.tar+gzip', zlib.gzipSync(t, { level: layers[i].level ?? 6 })),
  );
  const config = blob(
    OCI_CONFIG,
    json({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created: '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], ...extraConfig },
      rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
      history: layers.map((l, i) => ({ created: '2024-01-01T00:00:00Z', created_by: l.createdBy ?? `RUN step ${i}` })),
    }),
  );
  const manifest = manifestBlob(
    config,
    layerBlobs.map((b) => descriptor(b)),
  );
  return { manifest, config, layers: layerBlobs, platform };
}

/** A BuildKit-style attestation manifest for `subject` (in-toto layer, unknown/unknown platform in the index). */
export function buildAttestation(subject: Blob): BuiltManifest {
  const statement = blob(
    'application/vnd.in-toto+json',
    json({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [{ digest: { sha256: subject.digest.slice(7) } }],
    }),
  );
  const config = blob(
    OCI_CONFIG,
    json({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(statement.data)] },
    }),
  );
  const manifest = manifestBlob(config, [
    descriptor(statement, { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }),
  ]);
  return { manifest, config, layers: [statement], platform: { os: 'unknown', architecture: 'unknown' } };
}

/** A cosign-style simple-signing artifact for `subjectDigest` (what `cosign sign` pushes to sha256-HEX.sig). */
export function buildCosignSignature(name: string, subjectDigest: string): BuiltManifest {
  const payload = blob(
    'application/vnd.dev.cosign.simplesigning.v1+json',
    json({
      critical: {
        identity: { 'docker-reference': name },
        image: { 'docker-manifest-digest': subjectDigest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const config = blob(
    OCI_CONFIG,
    json({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [payload.digest] } }),
  );
  const manifest = manifestBlob(config, [
    descriptor(payload, {
      'dev.cosignproject.cosign/signature': Buffer.from('fake-signature-' + subjectDigest.slice(7, 19)).toString(
        'base64',
      ),
    }),
  ]);
  return { manifest, config, layers: [payload], platform: { os: '', architecture: '' } };
}

export function buildIndex(
  images: BuiltManifest[],
  attestations: Array<{ att: BuiltManifest; subject: BuiltManifest }> = [],
): Blob {
  return blob(
    OCI_INDEX,
    json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        ...images.map((m) => ({
          mediaType: OCI_MANIFEST,
          digest: m.manifest.digest,
          size: m.manifest.data.length,
          platform: m.platform,
        })),
        ...attestations.map(({ att, subject }) => ({
          mediaType: OCI_MANIFEST,
          digest: att.manifest.digest,
          size: att.manifest.data.length,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': subject.manifest.digest,
          },
        })),
      ],
    }),
  );
}

/** Write an OCI layout whose index.json names `top` with `tag`; `blobs` are every blob it needs. */
export function writeLayout(dir: string, tag: string, top: Blob, blobs: Blob[]): void {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of [top, ...blobs]) writeFileSync(path.join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.data);
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: top.mediaType,
          digest: top.digest,
          size: top.data.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
}

export function allBlobs(m: BuiltManifest): Blob[] {
  return [m.manifest, m.config, ...m.layers];
}

export interface PushTarget {
  host: string;
  creds?: string;
  /** Directory with ca.crt for a TLS registry. */
  certDir?: string;
  tls?: boolean;
  workdir: string;
}

/** `skopeo copy` an OCI layout tag to the registry, digests preserved. */
export async function skopeoPush(
  layoutDir: string,
  tag: string,
  dest: string,
  t: PushTarget,
  opts: { all?: boolean; format?: 'v2s2' | 'oci' } = {},
): Promise<void> {
  const policy = path.join(t.workdir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const args = ['--policy', policy, 'copy', '--quiet', '--retry-times', '2'];
  if (opts.all) args.push('--all');
  if (opts.format) args.push('--format', opts.format);
  else args.push('--preserve-digests');
  if (t.creds) args.push('--dest-creds', t.creds);
  if (t.certDir) args.push('--dest-cert-dir', t.certDir);
  args.push(`--dest-tls-verify=${t.tls ? 'true' : 'false'}`);
  args.push(`oci:${layoutDir}:${tag}`, `docker://${t.host}/${dest}`);
  // A private HOME/XDG dirs so no user or system auth file changes what skopeo does.
  const home = path.join(t.workdir, 'skopeo-home');
  mkdirSync(home, { recursive: true });
  await run('skopeo', args, {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_RUNTIME_DIR: home,
      XDG_CONFIG_HOME: home,
      REGISTRY_AUTH_FILE: path.join(home, 'auth.json'),
    },
  });
}
