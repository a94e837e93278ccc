import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import { entryList, parseLayer, type ParsedLayer } from '../../src/engine/parse-layer.js';
import { nativeZstdBinding } from '../../src/engine/zstd.js';
import { LayerlensError } from '../../src/errors/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { memoryImage } from '../support/image.js';
import { stargzFooter } from '../support/tar-craft.js';

const sample = () =>
  buildTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/hostname', content: 'box\n' },
    { name: 'big', content: Buffer.alloc(300_000, 7) },
  ]);

function zstdCli(buf: Buffer): Buffer | undefined {
  try {
    return execFileSync('zstd', ['-q', '-c'], { input: buf, maxBuffer: 1 << 26 });
  } catch {
    return undefined;
  }
}

test('plain, gzip, concatenated gzip members and zstd give the same diffID and entries', async () => {
  const tar = await sample();
  const half = Math.floor(tar.length / 2);
  const concatenated = Buffer.concat([zlib.gzipSync(tar.subarray(0, half)), zlib.gzipSync(tar.subarray(half))]);
  const inputs: Array<[string, Buffer]> = [
    ['tar', tar],
    ['gzip', zlib.gzipSync(tar)],
    ['gzip', concatenated],
  ];
  const z = zstdCli(tar);
  if (z) inputs.push(['zstd', z]);
  for (const [kind, blob] of inputs) {
    const parsed = await parseLayer(Readable.from([blob]));
    assert.equal(parsed.compression, kind);
    assert.equal(parsed.diffId, sha256(tar));
    assert.equal(parsed.size, tar.length);
    assert.equal(parsed.compressedSize, blob.length);
    assert.deepEqual(names(parsed), ['etc', 'etc/hostname', 'big']);
  }
});

test('zstd decodes with the pure-JS fallback too', {
  skip: zstdCli(Buffer.from('x')) ? undefined : 'zstd CLI not installed',
}, async () => {
  const tar = await sample();
  const z = zstdCli(tar)!;
  process.env.LAYERLENS_ZSTD = 'js';
  try {
    const parsed = await parseLayer(Readable.from([z]));
    assert.equal(parsed.diffId, sha256(tar));
  } finally {
    delete process.env.LAYERLENS_ZSTD;
  }
});

test('the native zstd binding is reported when it built', () => {
  // Not a requirement (it is optional), but when present it must load with its stream context.
  const n = nativeZstdBinding();
  if (n) assert.equal(typeof n.DCtx, 'function');
});

test('eStargz TOC and landmarks are hidden only in a layer that is eStargz (footer or annotation)', async () => {
  const tar = await buildTar([
    { name: '.prefetch.landmark', content: 'x' },
    { name: 'app', content: 'a' },
    { name: 'stargz.index.json', content: '{}' },
    { name: 'sub/stargz.index.json', content: '{}' },
  ]);
  const gz = zlib.gzipSync(tar);
  const all = ['.prefetch.landmark', 'app', 'stargz.index.json', 'sub/stargz.index.json'];
  // An ordinary gzip layer: files like any other (the secret scan sees them too).
  assert.deepEqual(names(await parseLayer(Readable.from([gz]))), all);
  for (const legacy of [false, true]) {
    const blob = Buffer.concat([gz, stargzFooter(gz.length, legacy)]);
    const parsed = await parseLayer(Readable.from([blob]));
    assert.deepEqual(names(parsed), ['app', 'sub/stargz.index.json'], legacy ? 'stargz' : 'eStargz');
    assert.equal(parsed.diffId, sha256(tar), 'the footer adds no bytes to the tar');
  }
  // The manifest's annotation says so without a footer; an uncompressed layer never is.
  assert.deepEqual(names(await parseLayer(Readable.from([gz]), { estargz: true })), ['app', 'sub/stargz.index.json']);
  assert.deepEqual(names(await parseLayer(Readable.from([tar]), { estargz: true })), all);
});

function names(parsed: ParsedLayer): string[] {
  return entryList(parsed).map((e) =>
    e.kind === 'refused' ? `refused ${e.name}` : e.kind === 'entry' ? e.path : e.parts.join('/'),
  );
}

async function layerError(blob: Buffer): Promise<LayerlensError> {
  try {
    await parseLayer(Readable.from([blob]));
  } catch (err) {
    assert.ok(err instanceof LayerlensError, `expected LayerlensError, got ${err}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err;
  }
  assert.fail('expected a failure');
}

test('truncated tar, corrupt gzip, truncated gzip, corrupt zstd and non-tar data fail clearly', async () => {
  const tar = await sample();
  assert.match((await layerError(tar.subarray(0, 1500))).message, /truncated tar/);
  const gz = zlib.gzipSync(tar);
  const corrupt = Buffer.from(gz);
  corrupt.fill(0x55, 40, 90);
  assert.match((await layerError(corrupt)).message, /gzip/);
  assert.match((await layerError(gz.subarray(0, gz.length - 100))).message, /truncated gzip|gzip/);
  const z = zstdCli(tar);
  if (z) {
    const bad = Buffer.from(z);
    bad.fill(0x13, 20, 60);
    assert.match((await layerError(bad)).message, /zstd/);
  }
  assert.match((await layerError(Buffer.from('{"this": "is json, not a layer"}'.repeat(40)))).message, /tar/);
});

test('a layer whose content does not match the config diffID is never applied', async () => {
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'a', content: 'A' }] },
    { entries: [{ name: 'b', content: 'B' }] },
  ]);
  const tampered = await buildTar([{ name: 'b', content: 'EVIL' }]);
  const model = new ImageModel();
  await assert.rejects(model.load(memoryReader(meta, [blobs[0], tampered])), (err: Error) => {
    assert.ok(err instanceof LayerlensError);
    assert.match(err.message, /layer 1: content digest mismatch/);
    return true;
  });
  assert.equal(model.appliedCount, 1);
  assert.equal(model.tree.lookupPath('/b'), undefined);
  assert.equal(model.layers[1].state, 'failed');
});

test('a missing layer blob is reported with its digest', async () => {
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'a', content: 'A' }] },
    { entries: [{ name: 'b', content: 'B' }] },
  ]);
  const model = new ImageModel();
  await assert.rejects(model.load(memoryReader(meta, [blobs[0]])), /lists layer 1 .* blob is missing/);
});

test('blobs without an index (one-pass pipes) are matched by diffID, in any order', async () => {
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'x', content: '1' }] },
    { entries: [{ name: 'x', content: '22' }] },
    { entries: [{ name: '.wh.x', content: '' }] },
  ]);
  const reader = {
    meta: async () => meta,
    async *blobs() {
      for (const i of [2, 0, 1]) yield { stream: Readable.from([blobs[i]]) };
    },
    close: async () => {},
  };
  const model = new ImageModel();
  await model.load(reader);
  const x = model.tree.lookupPath('/x')!;
  assert.deepEqual(
    x.versions.map((v) => `${v.layer}:${v.change}:${v.size}`),
    ['0:added:1', '1:modified:2', '2:removed:2'],
  );
});

test('a large layer is applied in slices: the event loop runs while it is half applied', async () => {
  const entries = Array.from({ length: 30_000 }, (_, i) => ({ name: `d${i % 50}/f${i}`, content: '' }));
  const { meta, blobs } = await memoryImage([{ entries }]);
  const model = new ImageModel();
  let sawPartial = false;
  let ticking = true;
  const tick = () => {
    if (model.appliedCount === 0 && model.tree.nodeCount > 1000) sawPartial = true;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  await model.load(memoryReader(meta, blobs));
  ticking = false;
  assert.ok(sawPartial, 'an event-loop turn ran between slices of the layer');
  assert.equal(model.tree.changesByLayer[0].length, 30_050);
});

test('entries of interleaved directories and unclean names keep their paths, as parsed and as applied', async () => {
  // A directory's name said once per run of entries in it: runs that come back, names written
  // unclean (`./`, `//`, `..`, a leading `/`, a trailing `/`), the root itself, and a name long
  // enough for V8 to slice rather than copy it.
  const long = 'a-file-name-longer-than-thirteen-characters.txt';
  const entries = [
    { name: './', type: 'directory' as const },
    { name: 'srv/', type: 'directory' as const },
    { name: 'srv/a', content: '1' },
    { name: 'srv/b', content: '2' },
    { name: 'opt/x', content: '3' },
    { name: 'srv/c', content: '4' },
    { name: './srv//d', content: '5' },
    { name: '/opt/y', content: '6' },
    { name: 'opt/sub/../z', content: '7' },
    { name: 'top', content: '8' },
    { name: `srv/deep/er/${long}`, content: '9' },
    { name: 'srv/deep/er/', type: 'directory' as const },
    { name: 'srv/a', content: 'again' },
  ];
  const expected = [
    '',
    'srv',
    'srv/a',
    'srv/b',
    'opt/x',
    'srv/c',
    'srv/d',
    'opt/y',
    'opt/z',
    'top',
    `srv/deep/er/${long}`,
    'srv/deep/er',
    'srv/a',
  ];
  const tar = await buildTar(entries);
  const parsed = await parseLayer(Readable.from([tar]));
  assert.deepEqual(names(parsed), expected);
  // Applied: every file where its cleaned name says, with the content of its last entry.
  const { meta, blobs } = await memoryImage([{ entries }]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs));
  const files = ['srv/a', 'srv/b', 'opt/x', 'srv/c', 'srv/d', 'opt/y', 'opt/z', 'top', `srv/deep/er/${long}`];
  for (const f of files) assert.equal(model.tree.lookupPath(f)?.versions[0]?.type, 'file', f);
  assert.equal(model.tree.lookupPath('srv/a')?.versions[0]?.size, 'again'.length);
  assert.equal(model.tree.lookupPath('srv/deep/er')?.versions[0]?.type, 'dir');
  assert.equal(model.tree.lookupPath('opt/sub'), undefined, '`opt/sub/..` is `opt`');
  assert.equal(model.tree.lookupPath('opt')?.versions[0]?.implicit, true, 'created by the walk, not by an entry');
  // Nothing else: the root's children are exactly the three top-level names.
  assert.deepEqual([...model.tree.root.children!.keys()].sort(), ['opt', 'srv', 'top']);
});

test('a layer compressed with bzip2 or xz (which docker load reads) is named, not called a broken tar', async () => {
  const layer = await buildTar([{ name: 'f', content: 'x' }]);
  for (const [tool, name] of [
    ['bzip2', 'bzip2'],
    ['xz', 'xz'],
  ]) {
    let packed: Buffer;
    try {
      packed = execFileSync(tool, ['-c'], { input: layer });
    } catch {
      continue; // the tool is not installed
    }
    await assert.rejects(parseLayer(Readable.from([packed])), (e: LayerlensError) => {
      assert.equal(e.code, 'UNSUPPORTED');
      assert.match(
        e.message,
        new RegExp(`compressed with ${name}, which \`docker load\` reads but layerlens does not`),
      );
      return true;
    });
  }
});
