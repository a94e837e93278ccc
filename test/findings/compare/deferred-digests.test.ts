/**
 * Content digests a comparison takes when it needs them: the layers two `docker save` archives
 * share are not hashed while they stream (engine/content-digest.ts); the comparison's walk names
 * the files whose digests it reads, the source hashes their bytes again from the archive
 * (sources/file-hash.ts), and the result is the comparison an image hashed in full gives.
 * Layers are written by GNU tar; the archives are legacy `docker save` layouts of them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ImageModel } from '../../../src/engine/image.js';
import { LayerlensError } from '../../../src/errors/index.js';
import { compareImages, inventoryRecords, prepareFiles } from '../../../src/findings/compare/index.js';
import { loadForComparison } from '../../../src/findings/compare/load.js';
import { createContentInspector, packageInventory } from '../../../src/findings/index.js';
import { digestRangesSync, FileReadError } from '../../../src/sources/file-hash.js';
import { openImage } from '../../../src/sources/open.js';
import type { SourceOptions } from '../../../src/sources/options.js';
import { legacySave, membersToTar } from '../../support/archives.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest();
const hex = (b: Buffer | string) => `sha256:${sha(b).toString('hex')}`;
const SOURCE: SourceOptions = { source: 'archive', pull: false, insecure: false, plainHttp: false };
const open = (file: string) => openImage(file, SOURCE);

let dir: string;
// Contents, made at run time.
const big = randomBytes(3 << 20); // more than the hash reader's 1 MiB buffer
const big2 = randomBytes(3 << 20); // the same size, other bytes
const bigKept = randomBytes(2 << 20);
let oldFile: string;
let newFile: string;

/** A layer tar written by GNU tar from `files` (path → content). */
async function gnuTar(name: string, files: Record<string, Buffer | string>): Promise<Buffer> {
  const root = join(dir, name);
  for (const [p, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), content);
  }
  const out = join(dir, `${name}.tar`);
  execFileSync('tar', ['-C', root, '--sort=name', '--owner=0', '--group=0', '-cf', out, '.']);
  return readFile(out);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'll-deferred-'));
  const base = await gnuTar('base', {
    'bin/tool': big,
    'usr/lib/kept.so': bigKept,
    'etc/keep.conf': 'keep\n',
    'etc/gone.conf': 'going away\n',
    'etc/same-size.conf': 'AAAA\n',
  });
  const oldTop = await gnuTar('old-top', { 'app/a.txt': 'one\n' });
  const newTop = await gnuTar('new-top', {
    'app/a.txt': 'two\n',
    'etc/same-size.conf': 'BBBB\n',
    'etc/.wh.gone.conf': '',
    'bin/tool': big2,
  });
  oldFile = join(dir, 'old.tar');
  newFile = join(dir, 'new.tar');
  await writeFile(oldFile, await membersToTar(legacySave([base, oldTop]).members));
  await writeFile(newFile, await membersToTar(legacySave([base, newTop]).members));
});

after(() => rm(dir, { recursive: true, force: true }));

async function loadPair(files: string[], share: boolean): Promise<ImageModel[]> {
  if (share) {
    const { models, done } = await loadForComparison(await Promise.all(files.map(open)), {
      inspector: () => createContentInspector(),
      contentDigests: true,
    });
    await done;
    return models;
  }
  // Each image on its own (nothing shared, every file hashed as it streams), for the reference.
  const out: ImageModel[] = [];
  for (const f of files) {
    const { models, done } = await loadForComparison([await open(f)], { contentDigests: true });
    await done;
    out.push(models[0]);
  }
  return out;
}

const digestAt = (m: ImageModel, path: string, layer: number) => m.tree.lookupPath(path)?.versionIn(layer)?.digest;

test('the shared layer is hashed only where the comparison reads it, and the comparison is the fully hashed one', async () => {
  const [o, n] = await loadPair([oldFile, newFile], true);
  assert.equal(o.deferredDigests(0) !== undefined, true, 'the shared base defers its digests');
  assert.equal(o.deferredDigests(1), undefined, 'a layer only one image holds is hashed as it streams');
  assert.equal(digestAt(o, '/etc/keep.conf', 0), undefined);
  assert.equal(digestAt(o, '/bin/tool', 0), undefined);
  assert.equal(digestAt(n, '/app/a.txt', 1), sha('two\n').toString('latin1'));

  const prepared = prepareFiles(o, n);
  await prepared.digests;
  // Read by the comparison: the base's versions of a path NEW rewrote or removed.
  assert.equal(digestAt(o, '/etc/same-size.conf', 0), sha('AAAA\n').toString('latin1'));
  assert.equal(digestAt(o, '/etc/gone.conf', 0), sha('going away\n').toString('latin1'));
  assert.equal(digestAt(o, '/bin/tool', 0), sha(big).toString('latin1'), 'a file larger than the read buffer');
  // Not read: unchanged in both (the same layer on both sides).
  assert.equal(digestAt(o, '/etc/keep.conf', 0), undefined);
  assert.equal(digestAt(n, '/usr/lib/kept.so', 0), undefined);

  const side = (m: ImageModel) => ({ model: m, findings: [], packages: inventoryRecords(packageInventory(m)) });
  const cmp = compareImages(side(o), side(n), { files: prepared.walk });
  const e = (p: string) => cmp.files.entries.find((x) => x.path === p);
  assert.deepEqual(e('/etc/same-size.conf')?.aspects, ['content']);
  assert.equal(e('/etc/same-size.conf')?.old?.digest, hex('AAAA\n'));
  assert.equal(e('/etc/same-size.conf')?.new?.digest, hex('BBBB\n'));
  assert.deepEqual(e('/bin/tool')?.aspects, ['content']);
  assert.equal(e('/bin/tool')?.old?.digest, hex(big));
  assert.equal(e('/etc/gone.conf')?.change, 'removed');
  assert.equal(e('/etc/gone.conf')?.old?.digest, hex('going away\n'));
  assert.equal(e('/etc/keep.conf'), undefined);
  assert.equal(cmp.files.contentCompared, true);

  // The same images, every file hashed as it streamed: the same file comparison.
  const [fo, fn] = await loadPair([oldFile, newFile], false);
  assert.equal(fo.deferredDigests(0), undefined);
  const full = compareImages(side(fo), side(fn));
  assert.deepEqual(cmp.files, full.files);
});

test('an archive that changed since it was read: the digests fail with one line naming the file', async () => {
  const copies = [join(dir, 'old-copy.tar'), join(dir, 'new-copy.tar')];
  await writeFile(copies[0], await readFile(oldFile));
  await writeFile(copies[1], await readFile(newFile));
  const [o, n] = await loadPair(copies, true);
  // (Either image's copy of the shared base may be the one parsed: both are cut short.)
  for (const c of copies) await truncate(c, 4096);
  const prepared = prepareFiles(o, n);
  await assert.rejects(prepared.digests, (err: unknown) => {
    assert.ok(err instanceof LayerlensError, String(err));
    assert.ok(!err.message.includes('\n'));
    assert.ok(
      copies.some((c) => err.message.includes(c)),
      err.message,
    );
    assert.match(err.message, /ended \d+ bytes early|cannot be read/);
    return true;
  });
});

test('digestRangesSync: ranges in any order, several per read, larger than the buffer, short file', async () => {
  const data = randomBytes(50_000);
  const file = join(dir, 'ranges.bin');
  await writeFile(file, data);
  // (start, length) pairs from base 100: out of order, overlapping, one longer than the buffer.
  const ranges = [30_000, 5, 100, 2_000, 0, 1, 5_000, 20_000, 120, 40, 49_800, 100];
  const got = digestRangesSync(file, 100, ranges, Buffer.alloc(4096));
  for (let i = 0; i < ranges.length / 2; i++) {
    const start = 100 + ranges[2 * i];
    const want = sha(data.subarray(start, start + ranges[2 * i + 1]));
    assert.deepEqual(got.subarray(i * 32, i * 32 + 32), want, `range ${i}`);
  }
  assert.throws(
    () => digestRangesSync(file, 0, [49_990, 100], Buffer.alloc(4096)),
    (err: unknown) => err instanceof FileReadError && err.code === 'TRUNCATED' && err.message.startsWith(file),
  );
  assert.throws(
    () => digestRangesSync(join(dir, 'missing.bin'), 0, [0, 1], Buffer.alloc(4096)),
    (err: unknown) => err instanceof FileReadError && /no such file/.test(err.message),
  );
});
