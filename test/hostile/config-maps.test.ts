/**
 * A config of a million labels, within the metadata bound (16 MiB): its shape check took every
 * label as a pair at once (Object.entries), and under a heap of 256 MB V8 ran out of memory
 * there (killed by SIGABRT, a stack of V8 frames on stderr). Checked key by key, it loads.
 * (Smaller heaps still run out while such a config is decoded: see the report of this audit.)
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sha256 } from '../../src/engine/build-tar.js';
import { runCli } from '../support/hostile-cli.js';
import { file, tar } from '../support/tar-craft.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-config-maps-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function layoutWithLabels(dir: string, count: number): string {
  const t = tar([file('a', 'hello')]);
  const blobs = path.join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (data: Buffer) => {
    const digest = sha256(data);
    writeFileSync(path.join(blobs, digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const labels: Record<string, string> = {};
  for (let i = 0; i < count; i++) labels[`k${i}`] = 'v';
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Labels: labels },
        rootfs: { type: 'layers', diff_ids: [sha256(t)] },
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...blob(t) }],
      }),
    ),
  );
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
    }),
  );
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return dir;
}

test('a config of 1,150,000 labels (16 MB) loads under a 256 MB heap', async () => {
  const r = await runCli(['inspect', layoutWithLabels(path.join(tmp, 'labels'), 1_150_000)], {
    nodeFlags: ['--max-old-space-size=256'],
    killAfterMs: 180_000,
  });
  assert.equal(r.signal, null, `ended by ${r.signal}`);
  assert.equal(r.status, 0, r.stderr.slice(0, 500));
});
