/** Write an in-memory image as an OCI image layout directory (and as a tar of it) for e2e runs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { mapHistory } from '../../src/engine/history.js';
import type { ImageConfig, ImageMeta } from '../../src/engine/types.js';

export async function writeOciLayout(
  dir: string,
  meta: ImageMeta,
  blobs: Buffer[],
  tag = 'latest',
  /** The image manifest's annotations (Podman writes the base image's name and digest there). */
  annotations?: Record<string, string>,
): Promise<{ dir: string; tar: Buffer }> {
  const files = new Map<string, Buffer>();
  const blob = (b: Buffer) => {
    const d = sha256(b);
    files.set(`blobs/sha256/${d.slice(7)}`, b);
    return { digest: d, size: b.length };
  };
  const config = Buffer.from(JSON.stringify(meta.config));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
      layers: blobs.map((b) => ({
        mediaType:
          b[0] === 0x1f && b[1] === 0x8b
            ? 'application/vnd.oci.image.layer.v1.tar+gzip'
            : 'application/vnd.oci.image.layer.v1.tar',
        ...blob(b),
      })),
      ...(annotations ? { annotations } : {}),
    }),
  );
  const m = blob(manifest);
  files.set(
    'index.json',
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...m,
            annotations: { 'org.opencontainers.image.ref.name': tag },
          },
        ],
      }),
    ),
  );
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  for (const [name, data] of files) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), data);
  }
  const names = [...files.keys()].sort();
  const tar = await buildTar([
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...names.map((n) => ({ name: n, content: files.get(n)! })),
  ]);
  return { dir, tar };
}

/** The metadata of an image of `config` over uncompressed layer `tars` (a layout's or a model's). */
export function metaOfConfig(
  config: ImageConfig,
  tars: Buffer[],
  reference = 'x',
  source: ImageMeta['source'] = 'oci',
): ImageMeta {
  return {
    reference,
    source,
    config,
    layers: tars.map((t) => ({ digest: sha256(t), diffId: sha256(t), compressedSize: t.length })),
    history: mapHistory(config),
  };
}
