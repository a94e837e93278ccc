/**
 * Image indexes nested within the depth bound, each listing the next one many times (a digest
 * may be listed any number of times): 60 × 60 × 60 × 60 descriptors lead to one manifest, from a
 * layout of ~30 KB. The walk read and parsed each nested index again for every listing and kept
 * a candidate for every path down (100 per level, three levels: 118 s and 800 MB; this one ran
 * past a minute): the descriptors walked are now bounded in all, and each nested index and
 * each blob under them is read once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sha256 } from '../../src/engine/build-tar.js';
import { assertOneLineError, runCli } from '../support/hostile-cli.js';
import { layoutOfBlobs } from '../support/hostile-shapes.js';
import { file, tar } from '../support/tar-craft.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-fanout-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const INDEX = 'application/vnd.oci.image.index.v1+json';

/** A layout whose index.json lists `n` times an index that lists `n` times … (`levels` nested) the image. */
function fanout(dir: string, n: number, levels: number): string {
  const t = tar([file('a', 'hello')]);
  layoutOfBlobs(dir, [{ blob: t, diffId: sha256(t), mediaType: 'application/vnd.oci.image.layer.v1.tar' }]);
  const indexFile = path.join(dir, 'index.json');
  let desc = {
    ...JSON.parse(readFileSync(indexFile, 'utf8')).manifests[0],
    platform: { os: 'linux', architecture: 'amd64' },
  };
  for (let level = 0; level < levels; level++) {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: Array(n).fill(desc) }));
    const digest = sha256(body);
    writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), body);
    desc = { mediaType: INDEX, digest, size: body.length };
  }
  writeFileSync(indexFile, JSON.stringify({ schemaVersion: 2, manifests: Array(n).fill(desc) }));
  return dir;
}

test('indexes listing each other many times: one line, at once', async () => {
  const r = await runCli(['inspect', fanout(path.join(tmp, 'wide'), 60, 3)], { killAfterMs: 60_000 });
  assert.equal(r.killed, false, 'the walk of the indexes ran until the CLI was killed');
  assert.match(
    assertOneLineError(r, 'fan-out'),
    /image indexes of .*wide list more than 100,000 manifests in all \(at most 100,000 are read\)$/,
  );
  assert.ok(r.ms < 20_000, `${Math.round(r.ms)} ms`);
});

test('below the bound, an index listed many times is still read right: the image, listed 40 times over', async () => {
  // 40 × 40 × 40 = 64,000 ways down to the one image (each nested index read once, each blob
  // looked at once): the 40 entries of index.json are 40 images to choose from, as before.
  const r = await runCli(['inspect', fanout(path.join(tmp, 'narrow'), 40, 2)], { killAfterMs: 60_000 });
  assert.match(assertOneLineError(r, 'narrow'), /holds 40 images for linux\/amd64; pick one as PATH:TAG/);
  assert.ok(r.ms < 20_000, `${Math.round(r.ms)} ms`);
});
