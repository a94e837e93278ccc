/**
 * An image in each archive shape layerlens reads from disk, with a hook that rewrites any of its
 * metadata documents before it is written: `docker save` legacy (manifest.json + <hex>.json
 * config + <id>/layer.tar), Docker 25+ (an OCI layout in a tar, plus manifest.json), and an OCI
 * layout directory. Documents are content-addressed in a chain (config → manifest → index):
 * after a document is changed, what names it is written with its new digest, so a mutation
 * reaches the code that reads the document instead of stopping at a digest check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../../src/engine/build-tar.js';
import { membersToTar, type Member } from './archives.js';

export type Shape = 'docker-legacy' | 'docker-oci' | 'oci-dir';
export const SHAPES: Shape[] = ['docker-legacy', 'docker-oci', 'oci-dir'];

/** The documents of each shape, by role. */
export type Role = 'config' | 'manifest' | 'index.json' | 'manifest.json' | 'oci-layout';
export const ROLES: Record<Shape, Role[]> = {
  'docker-legacy': ['config', 'manifest.json'],
  'docker-oci': ['config', 'manifest', 'index.json', 'manifest.json', 'oci-layout'],
  'oci-dir': ['config', 'manifest', 'index.json', 'oci-layout'],
};

/** Returns the document to write instead (raw bytes as a Buffer), or undefined to keep it. */
export type Rewrite = (role: Role, doc: unknown) => unknown;

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

function bytesOf(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v));
}

/** The image's members in `shape`, each document passed through `rewrite` first. */
export function shapeMembers(shape: Shape, tars: Buffer[], rewrite: Rewrite = () => undefined): Member[] {
  const doc = (role: Role, d: unknown): Buffer => {
    const r = rewrite(role, d);
    return bytesOf(r === undefined ? d : r);
  };
  const config = doc('config', {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {
      User: '1000',
      Env: ['PATH=/usr/bin', 'MODE=prod'],
      Cmd: ['/bin/sh'],
      WorkingDir: '/app',
      ExposedPorts: { '8080/tcp': {} },
      Labels: { maintainer: 'ops@example.org' },
    },
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    history: [
      ...tars.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `/bin/sh -c step ${i}` })),
      { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
    ],
  });
  const members: Member[] = [];
  if (shape === 'docker-legacy') {
    const layerNames = tars.map((t, i) => {
      const id = sha256(Buffer.from(`layer ${i}`)).slice(7);
      members.push({ name: `${id}/VERSION`, data: Buffer.from('1.0') });
      members.push({ name: `${id}/json`, data: Buffer.from(JSON.stringify({ id })) });
      members.push({ name: `${id}/layer.tar`, data: t });
      return `${id}/layer.tar`;
    });
    const cfgName = `${sha256(config).slice(7)}.json`;
    members.push({ name: cfgName, data: config });
    members.push({
      name: 'manifest.json',
      data: doc('manifest.json', [{ Config: cfgName, RepoTags: ['example.org/app:1'], Layers: layerNames }]),
    });
    members.push({ name: 'repositories', data: Buffer.from('{}') });
    return members;
  }
  const blob = (data: Buffer) => {
    const digest = sha256(data);
    const name = `blobs/sha256/${digest.slice(7)}`;
    if (!members.some((m) => m.name === name)) members.push({ name, data });
    return { digest, size: data.length };
  };
  const layers = tars.map((t) => ({ mediaType: LAYER_TAR, ...blob(t) }));
  const cfg = blob(config);
  const manifest = blob(
    doc('manifest', { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...cfg }, layers }),
  );
  members.push({
    name: 'index.json',
    data: doc('index.json', {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          ...manifest,
          platform: { os: 'linux', architecture: 'amd64' },
          annotations: { 'io.containerd.image.name': 'example.org/app:1', 'org.opencontainers.image.ref.name': '1' },
        },
      ],
    }),
  });
  if (shape === 'docker-oci') {
    members.push({
      name: 'manifest.json',
      data: doc('manifest.json', [
        {
          Config: `blobs/sha256/${cfg.digest.slice(7)}`,
          RepoTags: ['example.org/app:1'],
          Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
        },
      ]),
    });
  }
  members.push({ name: 'oci-layout', data: doc('oci-layout', { imageLayoutVersion: '1.0.0' }) });
  return members;
}

/** Write the members as the shape is read: a tar file, or a directory (oci-dir). */
export async function writeShape(shape: Shape, members: Member[], target: string): Promise<string> {
  if (shape === 'oci-dir') {
    for (const m of members) {
      const p = path.join(target, m.name);
      mkdirSync(path.dirname(p), { recursive: true });
      if ('data' in m) writeFileSync(p, m.data);
    }
    return target;
  }
  writeFileSync(target, await membersToTar(members));
  return target;
}

/** A ready-made layer blob: its bytes as stored, the diffID of its tar, its media type. */
export interface LayerBlobSpec {
  blob: Buffer;
  diffId: string;
  mediaType: string;
}

/** An OCI layout directory of ready-made layer blobs (compression bombs, crafted zstd frames). */
export function layoutOfBlobs(dir: string, layers: LayerBlobSpec[]): string {
  const files = new Map<string, Buffer>();
  const blob = (data: Buffer) => {
    const digest = sha256(data);
    files.set(`blobs/sha256/${digest.slice(7)}`, data);
    return { digest, size: data.length };
  };
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map((_, i) => ({ created_by: `/bin/sh -c step ${i}` })),
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...config },
        layers: layers.map((l) => ({ mediaType: l.mediaType, ...blob(l.blob) })),
      }),
    ),
  );
  files.set(
    'index.json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, ...manifest }] })),
  );
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  for (const [name, data] of files) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), data);
  }
  return dir;
}
