/**
 * Per-file content digests (LoadOptions.contentDigests): the sha256 of each regular file's bytes,
 * taken while the layer streams, from an uncompressed layer in a file (its diffID hashed by the
 * worker) and from a gzip layer alike; only when asked.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildTar, type TarSpec } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import { openArchiveFile } from '../../src/sources/archive/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { docker25Save, membersToTar } from '../support/archives.js';
import { memoryImage } from '../support/image.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-digest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('binary');

// Sizes that arrive whole in one chunk and across many: empty, many small files, files larger
// than the layer stream's chunks.
const files: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'big.bin': randomBytes((1 << 20) * 3 + 123),
  'mid.bin': randomBytes(900_000),
};
for (let i = 0; i < 200; i++) files[`small/f${i}`] = randomBytes(i * 37);
const specs: TarSpec[] = Object.entries(files).map(([name, content]) => ({ name, content }));

function assertDigests(m: ImageModel): void {
  for (const [name, content] of Object.entries(files)) {
    const v = m.tree.lookupPath('/' + name)?.last;
    assert.equal(v?.digest, sha(content), name);
  }
  // Directories have none.
  assert.equal(m.tree.lookupPath('/small')?.last?.digest, undefined);
}

test('an uncompressed layer in a file (docker save)', async () => {
  const tar = await buildTar(specs);
  const archive = join(dir, 'img.tar');
  writeFileSync(archive, await membersToTar(docker25Save([tar]).members));
  const reader = await openArchiveFile(archive, { reference: archive });
  const m = new ImageModel();
  await m.load(reader, { contentDigests: true });
  assertDigests(m);
});

test('a gzip layer: hashed while it streams', async () => {
  const { meta, blobs } = await memoryImage([{ entries: specs, compress: 'gzip' }]);
  const m = new ImageModel();
  await m.load(memoryReader(meta, blobs), { contentDigests: true });
  assertDigests(m);
  const plain = new ImageModel();
  await plain.load(memoryReader(meta, blobs));
  assert.equal(plain.tree.lookupPath('/big.bin')?.last?.digest, undefined, 'only when asked');
});
