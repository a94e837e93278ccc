/**
 * Archive sources on real tars built in-process: docker save in all three shapes, OCI archives,
 * gzip'd versions, read from a FILE (indexed, metadata before layers) and from a PIPE (one pass),
 * and every bad input as a one-line LayerlensError.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageReader } from '../../src/engine/types.js';
import { openArchiveFile, openArchiveStream } from '../../src/sources/archive/index.js';
import { indexTar, normalizeMember, resolveMember } from '../../src/sources/archive/tar-index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { openImage } from '../../src/sources/open.js';
import * as A from '../support/archives.js';
import { canonicalDump, changeDump } from '../support/dump.js';
import { memoryImage } from '../support/image.js';
import { rejectsWith } from '../support/errors.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-archive-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(data: Buffer, name = `a${n++}.tar`): string {
  const p = path.join(tmp, name);
  writeFileSync(p, data);
  return p;
}

const tars = await A.sampleLayerTars();
const otherTars = [await buildTar([{ name: 'arm-only', content: 'arm\n' }])];

/** The reference: the same layer tars loaded straight from memory. */
async function expectedDump(layerOrder = tars.map((_, i) => i)): Promise<string> {
  const used = layerOrder.map((i) => tars[i]);
  const { meta } = await memoryImage([]);
  meta.layers = used.map((t) => ({ diffId: sha256(t) }));
  meta.config.rootfs = { type: 'layers', diff_ids: used.map(sha256) };
  const m = new ImageModel();
  await m.load(memoryReader(meta, used));
  return canonicalDump(m);
}

async function load(reader: ImageReader, concurrency = 1): Promise<ImageModel> {
  const m = new ImageModel();
  await m.load(reader, { concurrency });
  return m;
}

function pipe(buf: Buffer): Readable {
  // Small chunks, like a real pipe: member boundaries fall mid-chunk.
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 7000) chunks.push(buf.subarray(i, i + 7000));
  return Readable.from(chunks);
}

const shapes: Record<string, () => A.Member[]> = {
  'legacy docker save': () => A.legacySave(tars).members,
  'Docker 25+ docker save': () => A.docker25Save(tars).members,
  'containerd docker save': () => A.containerdSave(tars, otherTars).members,
  'OCI archive (gzip layers)': () => A.ociLayout([{ tars, compress: 'gzip' }]).members,
};

describe('every archive shape, as a file, a pipe, and gzip-compressed', async () => {
  const want = await expectedDump();
  for (const [shape, build] of Object.entries(shapes)) {
    const tar = await A.membersToTar(build());
    test(`${shape}: file (indexed; metadata first, layers concurrently)`, async () => {
      const reader = await openArchiveFile(file(tar), { reference: 'x', platform: 'linux/amd64' });
      const meta = await reader.meta();
      assert.equal(meta.layers.length, 3);
      assert.deepEqual(
        meta.layers.map((l) => l.diffId),
        tars.map(sha256),
      );
      assert.deepEqual(
        meta.history.map((h) => h.layerIndex),
        [0, 1, 2, null],
      );
      assert.equal(meta.platform?.architecture, 'amd64');
      const m = await load(reader, 3);
      assert.equal(canonicalDump(m), want);
      assert.ok(m.canReopen);
    });
    test(`${shape}: pipe (one pass, matched by diffID)`, async () => {
      const reader = openArchiveStream(pipe(tar), {
        reference: 'x',
        label: 'stdin',
        source: 'archive',
        platform: 'linux/amd64',
      });
      const m = await load(reader, 2);
      assert.equal(canonicalDump(m), want);
      assert.deepEqual(
        m.meta!.layers.map((l) => l.diffId),
        tars.map(sha256),
      );
      assert.equal(m.canReopen, false);
    });
    test(`${shape}: gzip-compressed file is read in one pass`, async () => {
      const reader = await openArchiveFile(file(A.compress(tar, 'gzip'), `gz${n++}.tar.gz`), {
        reference: 'x',
        platform: 'linux/amd64',
      });
      assert.equal(reader.reopenLayer, undefined);
      assert.equal(canonicalDump(await load(reader)), want);
    });
  }
});

describe('legacy docker save details', () => {
  test('a layer that repeats is a symlinked layer.tar: file and pipe agree, both positions applied', async () => {
    const order = [0, 1, 2, 0];
    const tar = await A.membersToTar(A.legacySave(tars, order).members);
    const want = await expectedDump(order);
    const fromFile = await load(await openArchiveFile(file(tar), { reference: 'x' }), 2);
    assert.equal(canonicalDump(fromFile), want);
    // Layer 3 re-adds the key layer 1 removed.
    assert.deepEqual(
      changeDump(fromFile, 3).filter((l) => l.includes('id_rsa')),
      ['added /root/id_rsa file size=49 mode=600 0:0'],
    );
    const fromPipe = await load(openArchiveStream(pipe(tar), { reference: 'x', label: 'stdin', source: 'archive' }));
    assert.equal(canonicalDump(fromPipe), want);
  });

  test('blobs that are hardlinks to other members, and a layer the manifest references twice', async () => {
    const built = A.ociLayout([{ tars: [tars[0], tars[1], tars[0]], compress: 'gzip' }]);
    // Make layer 1's blob a hardlink to a copy stored under another name first.
    const l1 = `blobs/sha256/${built.layerDigests[0][1].slice(7)}`;
    const members = built.members.flatMap((m) =>
      m.name === l1 && 'data' in m
        ? [
            { name: 'extra/copy', data: m.data },
            { name: l1, hardlink: 'extra/copy' },
          ]
        : [m],
    );
    const tar = await A.membersToTar(members);
    const want = await expectedDump([0, 1, 0]);
    assert.equal(canonicalDump(await load(await openArchiveFile(file(tar), { reference: 'x' }), 3)), want);
    assert.equal(
      canonicalDump(await load(openArchiveStream(pipe(tar), { reference: 'x', label: 'stdin', source: 'archive' }))),
      want,
    );
  });

  test('several images: PATH:TAG picks one, no tag lists the tags', async () => {
    const a = A.legacySave(tars.slice(0, 1), [0], ['example.org/one:1']).members;
    const b = A.legacySave(tars.slice(0, 2), [0, 1], ['example.org/two:2']).members;
    const entries = [
      ...JSON.parse((a.find((m) => m.name === 'manifest.json') as { data: Buffer }).data.toString()),
      ...JSON.parse((b.find((m) => m.name === 'manifest.json') as { data: Buffer }).data.toString()),
    ];
    const members = [...a, ...b].filter((m) => m.name !== 'manifest.json' && m.name !== 'repositories');
    members.push({ name: 'manifest.json', data: A.json(entries) });
    const p = file(await A.membersToTar(members));
    const two = await openImage(`${p}:example.org/two:2`, {
      source: 'auto',
      pull: false,
      insecure: false,
      plainHttp: false,
    });
    assert.equal((await two.meta()).layers.length, 2);
    assert.deepEqual((await two.meta()).repoTags, ['example.org/two:2']);
    const one = await openArchiveFile(p, { reference: p, tag: 'example.org/one:1' });
    assert.equal((await one.meta()).layers.length, 1);
    await rejectsWith(
      openArchiveFile(p, { reference: p }),
      'AMBIGUOUS',
      /holds 2 images; pick one as PATH:TAG — tags: example\.org\/one:1, example\.org\/two:2/,
    );
    await rejectsWith(openArchiveFile(p, { reference: p, tag: 'nope' }), 'NOT_FOUND', /no image tagged "nope"/);
  });
});

describe('containerd archive: nested index, other platforms missing', () => {
  test('the listed-but-missing platform is a clear error naming its digest', async () => {
    const tar = await A.membersToTar(A.containerdSave(tars, otherTars).members);
    const p = file(tar);
    const e = await rejectsWith(
      openArchiveFile(p, { reference: p, platform: 'linux/arm64' }),
      'MISSING_BLOB',
      /linux\/arm64\/v8 manifest \(sha256:[0-9a-f]{12}\) but its blob is missing; present: linux\/amd64/,
    );
    assert.ok(e.message.includes(p));
    await rejectsWith(
      openArchiveFile(p, { reference: p, platform: 'linux/s390x' }),
      'PLATFORM',
      /no image for linux\/s390x; available: linux\/amd64; choose one with --platform/,
    );
  });
  test('with no --platform the only present image is used whatever the host', async () => {
    const tar = await A.membersToTar(A.containerdSave(tars, otherTars).members);
    const meta = await (await openArchiveFile(file(tar), { reference: 'x' })).meta();
    assert.equal(meta.platform?.architecture, 'amd64');
    assert.deepEqual(meta.repoTags, ['docker.io/library/app:latest', 'latest']);
  });
});

describe('tar indexing', () => {
  test('long names (PAX and GNU), base-256 sizes are parsed; data is never read', async () => {
    const long = 'd/' + 'x'.repeat(150) + '/file';
    const tar = await buildTar([
      { name: long, content: 'hello' },
      { name: 'l', type: 'symlink', linkname: long },
    ]);
    const h = await fs.open(file(tar));
    const members = await indexTar(h, tar.length, 'x');
    await h.close();
    const m = members.get(long)!;
    assert.equal(m.size, 5);
    assert.equal(tar.subarray(m.offset, m.offset + 5).toString(), 'hello');
    assert.equal(resolveMember(members, 'l'), long);
    assert.equal(normalizeMember('./a//b/'), 'a/b');
    assert.equal(normalizeMember('../../x'), 'x');
  });
  test('symlink chains stay inside the archive and loops end', () => {
    const members = new Map([
      ['a', { name: 'a', type: 'symlink' as const, linkname: 'b' }],
      ['b', { name: 'b', type: 'symlink' as const, linkname: 'a' }],
      ['c', { name: 'c', type: 'symlink' as const, linkname: '../../../etc/passwd' }],
    ]);
    assert.equal(resolveMember(members, 'a'), undefined);
    assert.equal(resolveMember(members, 'c'), undefined);
  });
});

describe('bad inputs are one-line errors', () => {
  const opts = { reference: 'x' };
  test('missing file', async () => {
    await rejectsWith(
      openArchiveFile(path.join(tmp, 'nope.tar'), opts),
      'NOT_FOUND',
      /nope\.tar: no such file or directory/,
    );
    await rejectsWith(
      openImage(path.join(tmp, 'nope.tar'), { source: 'auto', pull: false, insecure: false, plainHttp: false }),
      'NOT_FOUND',
      /no such file/,
    );
  });
  test('not an image: random bytes, an empty file, a tar without image metadata', async () => {
    await rejectsWith(
      openArchiveFile(file(Buffer.from('hello, this is not an archive'.repeat(30))), opts),
      'NOT_IMAGE',
      /not an image archive \(neither tar, gzip nor zstd\)/,
    );
    await rejectsWith(openArchiveFile(file(Buffer.alloc(0)), opts), 'NOT_IMAGE', /is empty/);
    const plain = await buildTar([{ name: 'README', content: 'hi' }]);
    await rejectsWith(openArchiveFile(file(plain), opts), 'NOT_IMAGE', /holds neither index\.json nor manifest\.json/);
    await rejectsWith(
      load(openArchiveStream(pipe(plain), { ...opts, label: 'stdin', source: 'archive' })),
      'NOT_IMAGE',
      /stdin holds neither/,
    );
    await rejectsWith(
      load(openArchiveStream(pipe(Buffer.from('garbage'.repeat(200))), { ...opts, label: 'stdin', source: 'archive' })),
      'NOT_IMAGE',
      /stdin is not an image archive/,
    );
  });
  test('truncated tar: file and pipe', async () => {
    const tar = await A.membersToTar(A.legacySave(tars).members);
    const cut = tar.subarray(0, Math.floor(tar.length * 0.6));
    await rejectsWith(openArchiveFile(file(cut), opts), 'TRUNCATED', /truncated tar archive/);
    await rejectsWith(
      load(openArchiveStream(pipe(cut), { ...opts, label: 'stdin', source: 'archive' })),
      'TRUNCATED',
      /truncated/,
    );
  });
  test('corrupt gzip archive', async () => {
    const gz = A.compress(await A.membersToTar(A.legacySave(tars).members), 'gzip');
    const bad = Buffer.from(gz);
    for (let i = 200; i < 400; i++) bad[i] ^= 0x5a;
    await rejectsWith(load(await openArchiveFile(file(bad), opts)), 'CORRUPT', /corrupt gzip data/);
  });
  test('corrupt zstd layer', async (t) => {
    if (!A.zstdCompressor()) return t.skip('no zstd compressor here');
    const z = A.compress(tars[0], 'zstd');
    const bad = Buffer.from(z);
    for (let i = 20; i < bad.length - 8; i++) bad[i] ^= 0xa5;
    const tar = await A.membersToTar(A.ociLayout([{ tars: [tars[0]], compress: 'zstd', blobs: [bad] }]).members);
    await rejectsWith(load(await openArchiveFile(file(tar), opts)), 'CORRUPT', /layer 0: corrupt zstd data/);
  });
  test('digest mismatch: a layer that does not match the config diffID, a tampered compressed blob', async () => {
    const cfg = A.configFor(tars);
    cfg.rootfs!.diff_ids[1] = sha256(Buffer.from('something else'));
    const wrongDiff = await A.membersToTar(A.ociLayout([{ tars, config: cfg }]).members);
    await rejectsWith(
      load(await openArchiveFile(file(wrongDiff), opts)),
      'DIGEST_MISMATCH',
      /layer 1: content digest mismatch/,
    );
    await rejectsWith(
      load(openArchiveStream(pipe(wrongDiff), { ...opts, label: 'stdin', source: 'archive' })),
      'MISSING_BLOB',
      /layer 1 \(sha256:[0-9a-f]{12}\) but its blob is missing/,
    );

    // Same blob name, different (valid gzip) bytes: the stored digest no longer matches.
    const built = A.ociLayout([{ tars, compress: 'gzip' }]);
    const target = `blobs/sha256/${built.layerDigests[0][2].slice(7)}`;
    const tampered = built.members.map((m) =>
      m.name === target ? { name: m.name, data: A.compress(tars[2], 'gzip').subarray(0) } : m,
    );
    // gzip of the same tar with another header time: different bytes, same content.
    (tampered.find((m) => m.name === target) as { data: Buffer }).data[4] ^= 0x01;
    const tar = await A.membersToTar(tampered);
    await rejectsWith(
      load(await openArchiveFile(file(tar), opts)),
      'DIGEST_MISMATCH',
      /layer 2: stored blob does not match its digest sha256:[0-9a-f]{12}/,
    );
    await rejectsWith(
      load(openArchiveStream(pipe(tar), { ...opts, label: 'stdin', source: 'archive' })),
      'DIGEST_MISMATCH',
      /layer blob sha256:[0-9a-f]{12}: stored blob does not match its digest/,
    );
  });
  test('a manifest pointing at a missing blob names the digest', async () => {
    const built = A.ociLayout([{ tars, compress: 'gzip' }]);
    const gone = built.layerDigests[0][1];
    const members = built.members.filter((m) => m.name !== `blobs/sha256/${gone.slice(7)}`);
    const tar = await A.membersToTar(members);
    await rejectsWith(openArchiveFile(file(tar), opts), 'MISSING_BLOB', new RegExp(`layer 1 blob ${gone} is missing`));
    await rejectsWith(
      load(openArchiveStream(pipe(tar), { ...opts, label: 'stdin', source: 'archive' })),
      'MISSING_BLOB',
      new RegExp(`stdin: layer 1 blob ${gone} is missing`),
    );
    const legacy = A.legacySave(tars).members.filter(
      (m) =>
        !m.name.endsWith('layer.tar') ||
        m.name !== A.legacySave(tars).members.filter((x) => x.name.endsWith('layer.tar'))[2].name,
    );
    await rejectsWith(
      openArchiveFile(file(await A.membersToTar(legacy)), opts),
      'MISSING_BLOB',
      /layer 2 \(.*layer\.tar, diffID sha256:[0-9a-f]{12}\) is missing/,
    );
  });
  test('unknown media types', async () => {
    const layer = await A.membersToTar(
      A.ociLayout([{ tars, layerMediaType: 'application/vnd.example.unknown' }]).members,
    );
    await rejectsWith(
      openArchiveFile(file(layer), opts),
      'UNSUPPORTED_MEDIA_TYPE',
      /layer 0 has unsupported media type application\/vnd\.example\.unknown/,
    );
    const built = A.ociLayout([{ tars }]);
    const idx = JSON.parse((built.members.find((m) => m.name === 'index.json') as { data: Buffer }).data.toString());
    idx.manifests[0].mediaType = 'application/vnd.example.thing+json';
    const other = built.members.map((m) => (m.name === 'index.json' ? { name: m.name, data: A.json(idx) } : m));
    await rejectsWith(
      openArchiveFile(file(await A.membersToTar(other)), opts),
      'UNSUPPORTED_MEDIA_TYPE',
      /holds no container image: unsupported media type application\/vnd\.example\.thing\+json/,
    );
  });
  test('schema problems', async () => {
    const built = A.ociLayout([{ tars }]);
    const withIndex = async (data: Buffer) =>
      file(await A.membersToTar(built.members.map((m) => (m.name === 'index.json' ? { name: m.name, data } : m))));
    await rejectsWith(
      openArchiveFile(await withIndex(Buffer.from('{not json')), opts),
      'BAD_SCHEMA',
      /index\.json in .* is not valid JSON/,
    );
    await rejectsWith(
      openArchiveFile(await withIndex(A.json({ schemaVersion: 2 })), opts),
      'BAD_SCHEMA',
      /has no "manifests" list/,
    );
    await rejectsWith(
      openArchiveFile(await withIndex(A.json({ schemaVersion: 1, manifests: [] })), opts),
      'BAD_SCHEMA',
      /schemaVersion 1/,
    );
    await rejectsWith(
      openArchiveFile(
        await withIndex(
          A.json({
            schemaVersion: 2,
            manifests: [{ mediaType: A.OCI_MANIFEST, digest: 'sha256:../../../etc/passwd', size: 1 }],
          }),
        ),
        opts,
      ),
      'BAD_SCHEMA',
      /invalid or unsupported digest/,
    );
    const cfg = A.configFor(tars);
    cfg.rootfs!.diff_ids.pop();
    await rejectsWith(
      openArchiveFile(file(await A.membersToTar(A.ociLayout([{ tars, config: cfg }]).members)), opts),
      'BAD_SCHEMA',
      /lists 2 diff_ids but the manifest has 3 layers/,
    );
    const legacy = A.legacySave(tars).members.map((m) =>
      m.name === 'manifest.json' ? { name: m.name, data: A.json([{ RepoTags: [] }]) } : m,
    );
    await rejectsWith(
      openArchiveFile(file(await A.membersToTar(legacy)), opts),
      'BAD_SCHEMA',
      /entry 0 needs "Config" and "Layers"/,
    );
  });
  test('a tampered config is caught by its digest', async () => {
    const built = A.legacySave(tars);
    const cfgMember = built.members.find(
      (m) => m.name.endsWith('.json') && m.name !== 'manifest.json' && !m.name.includes('/'),
    ) as { name: string; data: Buffer };
    const members = built.members.map((m) =>
      m === cfgMember ? { name: m.name, data: Buffer.from(cfgMember.data.toString().replace('step 0', 'step X')) } : m,
    );
    await rejectsWith(
      openArchiveFile(file(await A.membersToTar(members)), opts),
      'DIGEST_MISMATCH',
      /image config .* does not match its digest/,
    );
  });
});

test('reopenLayer re-reads a layer of a file archive', async () => {
  const tar = await A.membersToTar(A.ociLayout([{ tars, compress: 'gzip' }]).members);
  const reader = await openArchiveFile(file(tar), { reference: 'x' });
  const s = await reader.reopenLayer!(1);
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  assert.deepEqual(Buffer.concat(chunks), A.compress(tars[1], 'gzip'));
});

describe('an uncompressed layer in a file is hashed on a worker thread that reads the file itself', () => {
  const opts = { reference: 'x' };
  async function drainBlobs(reader: ImageReader): Promise<string[]> {
    const digests: string[] = [];
    for await (const b of reader.blobs()) {
      assert.ok(b.rawDigest, `layer ${b.index} of a file carries the digest hashed apart`);
      for await (const _ of b.stream as AsyncIterable<Buffer>);
      digests.push(await b.rawDigest);
    }
    return digests;
  }

  test("uncompressed layers (docker save): the worker's digest is each layer's diffID, and the load matches the reference", async () => {
    const p = file(await A.membersToTar(A.docker25Save(tars).members));
    assert.deepEqual(await drainBlobs(await openArchiveFile(p, opts)), tars.map(sha256));
    assert.equal(canonicalDump(await load(await openArchiveFile(p, opts), 2)), await expectedDump());
  });

  test('gzip layers (OCI archive) keep their stored-digest check on the stream: no digest hashed apart', async () => {
    const built = A.ociLayout([{ tars, compress: 'gzip' }]);
    const reader = await openArchiveFile(file(await A.membersToTar(built.members)), opts);
    for await (const b of reader.blobs()) {
      assert.equal(b.rawDigest, undefined);
      for await (const _ of b.stream as AsyncIterable<Buffer>);
    }
  });

  test('a file cut short after it was opened: the load fails with one line, and the process is not held open', async () => {
    const big = await buildTar([
      { name: 'blob.bin', content: Buffer.alloc(3 << 20, 7) },
      ...Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, content: `${i}\n` })),
    ]);
    const p = file(await A.membersToTar(A.docker25Save([big]).members));
    const reader = await openArchiveFile(p, opts);
    await fs.truncate(p, 1 << 20);
    const err = await load(reader).then(
      () => assert.fail('a truncated file must not load'),
      (e: Error) => e,
    );
    assert.match(err.message, /^layer 0: .*(truncated|ended \d+ bytes early)/);
    assert.ok(!err.message.includes('\n'), err.message);
  });

  test('a file removed after it was opened: one line naming it', async () => {
    const p = file(await A.membersToTar(A.docker25Save(tars).members));
    const reader = await openArchiveFile(p, opts);
    await fs.unlink(p);
    await rejectsWith(
      load(reader),
      'IO',
      new RegExp(`^layer 0: ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file or directory$`),
    );
  });

  test('the CLI gives the same result with the worker and without it (LAYERLENS_NO_HASH_WORKER=1: hashed on the main thread)', async () => {
    const { spawnSync } = await import('node:child_process');
    const p = file(await A.membersToTar(A.docker25Save(tars).members));
    const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', main, 'inspect', p, '--json'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
    const withWorker = run({});
    const without = run({ LAYERLENS_NO_HASH_WORKER: '1' });
    assert.equal(withWorker.status, 0, withWorker.stderr);
    assert.equal(without.status, 0, without.stderr);
    assert.deepEqual(
      JSON.parse(withWorker.stdout).layers.map((l: { diffId: string }) => l.diffId),
      tars.map(sha256),
    );
    assert.equal(withWorker.stdout, without.stdout);
  });
});
