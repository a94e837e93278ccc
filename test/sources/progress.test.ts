/**
 * What a source says while it reads (ImageReader.progress): bytes from a pipe or a compressed
 * file, the image's name as soon as the archive's metadata gives it, the layers' own progress
 * when a blob's stored digest names its layer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { after, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { openArchiveFile, openArchiveStream } from '../../src/sources/archive/index.js';
import * as A from '../support/archives.js';

const dir = mkdtempSync(join(tmpdir(), 'layerlens-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a pipe: bytes read as they arrive, the name from manifest.json once read, no total', async () => {
  const tars = await A.sampleLayerTars();
  const tar = await A.membersToTar(A.legacySave(tars).members);
  const input = new PassThrough();
  const reader = openArchiveStream(input, { label: 'stdin', source: 'archive', reference: '-' });
  const model = new ImageModel();
  const load = model.load(reader);
  assert.equal(model.sourceProgress, reader.progress, 'the model exposes the source’s counter');
  const seen: number[] = [];
  for (let at = 0; at < tar.length; at += 4096) {
    input.write(tar.subarray(at, at + 4096));
    await new Promise((r) => setImmediate(r));
    seen.push(reader.progress!.bytesRead);
  }
  input.end();
  await load;
  assert.ok(seen[3] > 0 && seen[3] < tar.length, 'counted while reading');
  assert.equal(reader.progress!.bytesRead, tar.length);
  assert.equal(reader.progress!.totalBytes, undefined);
  assert.equal(reader.progress!.name, 'example.org/app:1');
});

test('a compressed archive file: its size is the total', async () => {
  const tars = await A.sampleLayerTars();
  const gz = zlib.gzipSync(await A.membersToTar(A.ociLayout([{ tars, compress: 'gzip' }]).members));
  const file = join(dir, 'image.tar.gz');
  writeFileSync(file, gz);
  const reader = await openArchiveFile(file, { reference: file });
  const model = new ImageModel();
  await model.load(reader);
  assert.equal(reader.progress!.totalBytes, gz.length);
  assert.equal(reader.progress!.bytesRead, gz.length);
});
