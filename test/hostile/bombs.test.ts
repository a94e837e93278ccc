/**
 * Compression bombs through the CLI (issue 13 item 2): a gzip layer of ~1 MB and a zstd layer of
 * ~32 KB that inflate to 1 GiB of zeros are read to the end (their diffIDs check out) in a child
 * whose peak RSS stays far below what they inflate to, with the native zstd binding and the
 * pure-JS fallback alike; LAYERLENS_MAX_LAYER_BYTES stops one early with one plain line; a zstd
 * frame asking for a 1 GiB window is refused by both decoders.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { nativeZstdBinding } from '../../src/engine/zstd.js';
import { gzipBomb, zstdBomb } from '../support/bombs.js';
import { RUNNER_OVERHEAD_MB, assertOneLineError, runCli } from '../support/hostile-cli.js';
import { layoutOfBlobs } from '../support/hostile-shapes.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-bombs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GiB = 1 << 30;
/** Peak RSS allowed while 1 GiB inflates (measured ~110-130 MB; unpaced zstd needed ~1.1 GB). */
const RSS_MB = 220 + RUNNER_OVERHEAD_MB;
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

let gzipDir: string;
let zstdDir: string;
let windowDir: string;

before(() => {
  const g = gzipBomb(GiB);
  gzipDir = layoutOfBlobs(path.join(tmp, 'gzip'), [{ blob: g.blob, diffId: g.diffId, mediaType: GZIP }]);
  const z = zstdBomb(GiB);
  zstdDir = layoutOfBlobs(path.join(tmp, 'zstd'), [{ blob: z.blob, diffId: z.diffId, mediaType: ZSTD }]);
  const w = zstdBomb(1 << 20, { windowLog: 30 });
  windowDir = layoutOfBlobs(path.join(tmp, 'window'), [{ blob: w.blob, diffId: w.diffId, mediaType: ZSTD }]);
  assert.ok(g.blob.length < 1.2e6 && z.blob.length < 40_000, `bombs of ${g.blob.length} and ${z.blob.length} bytes`);
});

/** `inspect` reads the whole layer and reports its 1 GiB file. */
async function inflates(dir: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await runCli(['inspect', dir], { env, killAfterMs: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.toString(), /#0\s+1\.1 GB\s+\+1 /);
  assert.ok(r.rssMb! < RSS_MB, `peak RSS ${Math.round(r.rssMb!)} MB for 1 GiB inflated`);
}

test('gzip: 1 GiB of zeros from a 1 MB member, in bounded memory', async () => {
  await inflates(gzipDir);
  await inflates(gzipDir, { LAYERLENS_GUNZIP: 'zlib' });
});

test('zstd, native binding: 1 GiB from a 32 KB frame of RLE blocks, in bounded memory', {
  skip: nativeZstdBinding() ? undefined : 'zstd-napi did not build here',
}, async () => {
  await inflates(zstdDir);
});

test('zstd, pure-JS fallback: the same frame, in bounded memory', async () => {
  await inflates(zstdDir, { LAYERLENS_ZSTD: 'js' });
});

test('LAYERLENS_MAX_LAYER_BYTES stops a bomb early with one line naming the limit', async () => {
  for (const dir of [gzipDir, zstdDir]) {
    const r = await runCli(['scan', dir], { env: { LAYERLENS_MAX_LAYER_BYTES: '64M' }, killAfterMs: 60_000 });
    const line = assertOneLineError(r, 'layer size limit');
    assert.match(
      line,
      /layer 0: the layer is larger than allowed once uncompressed \(limit 64 MiB; set LAYERLENS_MAX_LAYER_BYTES/,
    );
    assert.ok(r.ms < 30_000, `${Math.round(r.ms)} ms`);
  }
});

test('a zstd frame asking for a 1 GiB window is refused by both decoders', async () => {
  for (const env of [{}, { LAYERLENS_ZSTD: 'js' }]) {
    const r = await runCli(['inspect', windowDir], { env });
    const line = assertOneLineError(r, `window ${JSON.stringify(env)}`);
    assert.match(line, /layer 0: corrupt zstd data: .*(window|memory)/i);
    assert.ok(r.rssMb! < 150 + RUNNER_OVERHEAD_MB, `${Math.round(r.rssMb!)} MB`);
  }
});
