/**
 * GNU sparse files and the typeflags the runtimes refuse, read as Go's archive/tar reads them
 * (what Docker and containerd unpack with; test/integration/tar-types.test.ts holds the same
 * against the Docker engine):
 * - `tar --sparse` in POSIX form (0.0, 0.1, 1.0): the file at its real name (not
 *   `GNUSparseFile.N/…`), its real size, its holes zeros; the entries after it where they are;
 * - `tar --sparse` in GNU form (typeflag 'S', extension blocks after the header): refused as the
 *   runtimes refuse it, and the blocks read as blocks, so the rest of the layer is framed right;
 * - crafted maps: a sparse name that renames the file, maps Go refuses, a real size of petabytes;
 * - typeflags no runtime unpacks ('7', 'D', 'V', …).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { entryList, parseLayer, type ParsedLayer } from '../../src/engine/parse-layer.js';
import { TarReader } from '../../src/engine/tar-reader.js';
import { indexTar } from '../../src/sources/archive/tar-index.js';
import type { LayerlensError } from '../../src/errors/index.js';
import { ImageModel } from '../../src/engine/image.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { githubToken } from '../support/fake-secrets.js';
import { imageOfTars } from '../support/image.js';
import { file, header, pax, paxSparse10, tar, type CraftEntry } from '../support/tar-craft.js';

const hasTar = (() => {
  try {
    return /GNU tar/.test(execFileSync('tar', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();
const skip = hasTar ? undefined : 'GNU tar not installed';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A sparse file of eight data regions (more than the four an old GNU header holds) and a hole at its end. */
function sparseFixture(): { dir: string; holes: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'll-sparse-'));
  const path = join(dir, 'holes');
  const fd = openSync(path, 'w');
  for (let i = 0; i < 8; i++)
    writeSync(fd, Buffer.from(`region ${i} `.repeat(40 + i)), 0, undefined, i * 65536 + 100 * i);
  ftruncateSync(fd, 8 * 65536 + 4321);
  closeSync(fd);
  writeFileSync(join(dir, 'after'), 'the entry after the sparse file\n');
  return { dir, holes: readFileSync(path) };
}

function gnuTar(dir: string, args: string[]): Buffer {
  return execFileSync('tar', ['-C', dir, '--sparse', ...args, '-cf', '-', 'holes', 'after'], { maxBuffer: 1 << 26 });
}

/** Every entry's data as the tar reader hands it on, the input given in pieces of `piece` bytes. */
function readAll(buf: Buffer, piece = buf.length): Map<string, { size: number; data: Buffer; flag: string }> {
  const out = new Map<string, { size: number; data: Buffer; flag: string }>();
  let cur: Buffer[] = [];
  let name = '';
  const reader = new TarReader(
    (h) => {
      name = h.name;
      cur = [];
      out.set(name, { size: h.size, data: Buffer.alloc(0), flag: h.typeflag });
      return { write: (c) => void cur.push(Buffer.from(c)) };
    },
    () => {
      out.get(name)!.data = Buffer.concat(cur);
    },
  );
  for (let i = 0; i < buf.length; i += piece) reader.write(buf.subarray(i, i + piece));
  reader.end();
  return out;
}

const parse = (buf: Buffer, opts = {}): Promise<ParsedLayer> => parseLayer(Readable.from([buf]), opts);

function entries(parsed: ParsedLayer): string[] {
  return entryList(parsed).map((e) => {
    if (e.kind === 'entry') return `${e.attrs.type} ${e.path} ${e.attrs.size}`;
    if (e.kind === 'refused') return `refused ${e.problem} ${e.name} ${e.tarType ?? ''}`.trim();
    return `${e.kind} ${e.parts.join('/')}`;
  });
}

for (const version of ['1.0', '0.1', '0.0']) {
  test(`tar --sparse, POSIX form ${version}: the file at its real name and size, its holes zeros`, {
    skip,
  }, async () => {
    const { dir, holes } = sparseFixture();
    try {
      const buf = gnuTar(dir, ['--format=posix', `--sparse-version=${version}`]);
      // (GNU tar did write the file sparse: its map is in the archive.)
      assert.ok(buf.includes('GNU.sparse.'), 'a sparse map in the archive');
      assert.ok(buf.length < holes.length, 'the holes are not in the archive');
      const parsed = await parse(buf, { contentDigests: true });
      assert.deepEqual(entries(parsed), [`file holes ${holes.length}`, 'file after 32']);
      const digests = entryList(parsed).map((e) =>
        e.kind === 'entry' ? Buffer.from(e.attrs.digest ?? '', 'latin1') : null,
      );
      assert.equal(digests[0]?.toString('hex'), sha(holes), 'the content digest is the unpacked file');
      for (const piece of [buf.length, 1, 511, 4096]) {
        const read = readAll(buf, piece);
        assert.equal(read.get('holes')?.data.equals(holes), true, `the file's bytes, in pieces of ${piece}`);
        assert.equal(read.get('after')?.data.toString(), 'the entry after the sparse file\n');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("tar --sparse, GNU form: typeflag 'S' is refused as the runtimes refuse it, its extension blocks read as blocks", {
  skip,
}, async () => {
  const { dir } = sparseFixture();
  try {
    const buf = gnuTar(dir, ['--format=gnu']);
    assert.equal(String.fromCharCode(buf[156]), 'S');
    assert.equal(buf[482], 1, 'an extension block follows the header (eight regions)');
    const parsed = await parse(buf);
    assert.deepEqual(entries(parsed), ['refused unhandled-type holes S', 'file after 32']);
    for (const piece of [buf.length, 1, 700]) {
      assert.equal(readAll(buf, piece).get('after')?.data.toString(), 'the entry after the sparse file\n');
    }
    // The archive indexer frames it the same way (and reads no sparse member as a file).
    const path = join(dir, 'gnu.tar');
    writeFileSync(path, buf);
    const handle = await open(path);
    try {
      const members = await indexTar(handle, buf.length, 'gnu.tar');
      assert.equal(members.get('holes')?.type, 'other');
      const after = members.get('after')!;
      assert.equal(
        buf.subarray(after.offset, after.offset + after.size).toString(),
        'the entry after the sparse file\n',
      );
    } finally {
      await handle.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a PAX sparse name renames the file: the tree shows the path a runtime writes, not the header's", async () => {
  const secret = Buffer.from('root:$6$salt$hash:19000:0:99999:7:::\n');
  const buf = tar([
    ...paxSparse10(
      [
        ['GNU.sparse.name', 'etc/shadow'],
        ['GNU.sparse.realsize', '8192'],
      ],
      [4096, secret.length],
      secret,
      'notes.txt',
    ),
    file('next', 'next\n'),
  ]);
  assert.deepEqual(entries(await parse(buf)), ['file etc/shadow 8192', 'file next 5']);
  const read = readAll(buf, 100).get('etc/shadow')!;
  assert.equal(read.data.length, 8192);
  assert.equal(read.data.subarray(4096, 4096 + secret.length).toString(), secret.toString());
  assert.equal(
    read.data.subarray(0, 4096).every((b) => b === 0),
    true,
  );
});

test('sparse format 0.0: offset and numbytes records in pairs, in order', async () => {
  const data = Buffer.from('0123456789');
  const ok = tar([
    pax([
      ['GNU.sparse.numblocks', '2'],
      ['GNU.sparse.offset', '0'],
      ['GNU.sparse.numbytes', '4'],
      ['GNU.sparse.offset', '100'],
      ['GNU.sparse.numbytes', '6'],
      ['GNU.sparse.size', '200'],
    ]),
    file('f', data),
  ]);
  const f = readAll(ok).get('f')!;
  assert.equal(f.size, 200);
  assert.equal(f.data.subarray(0, 4).toString(), '0123');
  assert.equal(f.data.subarray(100, 106).toString(), '456789');
  const swapped = tar([
    pax([
      ['GNU.sparse.numblocks', '1'],
      ['GNU.sparse.numbytes', '4'],
      ['GNU.sparse.offset', '0'],
    ]),
    file('f', '0123'),
  ]);
  await assert.rejects(parse(swapped), (e: LayerlensError) => e.code === 'CORRUPT' && /out of order/.test(e.message));
});

test('sparse maps Go refuses fail the layer with one line', async () => {
  const data = Buffer.from('abcdef');
  const cases: Array<[string, CraftEntry[]]> = [
    ['regions overlap', paxSparse10([['GNU.sparse.realsize', '100']], [0, 4, 2, 2], data)],
    ['a region past the real size', paxSparse10([['GNU.sparse.realsize', '5']], [0, 6], data)],
    ['less data than the map lists', paxSparse10([['GNU.sparse.realsize', '100']], [0, 10], data)],
    ['more data than the map lists', paxSparse10([['GNU.sparse.realsize', '100']], [0, 2], data)],
    ['a negative length', paxSparse10([['GNU.sparse.realsize', '100']], [0, -6], data)],
    [
      'a 0.1 map of the wrong length',
      [
        pax([
          ['GNU.sparse.numblocks', '2'],
          ['GNU.sparse.map', '0,6'],
          ['GNU.sparse.size', '10'],
        ]),
        file('f', data),
      ],
    ],
    [
      'a map that is not numbers',
      [
        pax([
          ['GNU.sparse.numblocks', '1'],
          ['GNU.sparse.map', '0,six'],
          ['GNU.sparse.size', '10'],
        ]),
        file('f', data),
      ],
    ],
    [
      'a sparse map on a symlink',
      [
        pax([
          ['GNU.sparse.major', '1'],
          ['GNU.sparse.minor', '0'],
        ]),
        { header: { name: 'l', typeflag: '2', linkname: 't' } },
      ],
    ],
    [
      'a 1.0 map past the entry',
      [
        pax([
          ['GNU.sparse.major', '1'],
          ['GNU.sparse.minor', '0'],
          ['GNU.sparse.realsize', '9'],
        ]),
        file('f', '2\n0\n'),
      ],
    ],
    [
      "an old GNU sparse header that is not GNU's",
      [{ header: { name: 's', typeflag: 'S', size: 0, format: 'ustar' } }],
    ],
  ];
  for (const [what, layer] of cases) {
    await assert.rejects(
      parse(tar(layer)),
      (e: LayerlensError) => e.code === 'CORRUPT' && !e.message.includes('\n') && e.message.length < 300,
      what,
    );
  }
});

test('a sparse version Go does not know leaves the entry a regular file', async () => {
  const buf = tar([
    pax([
      ['GNU.sparse.major', '2'],
      ['GNU.sparse.minor', '0'],
      ['GNU.sparse.name', 'elsewhere'],
    ]),
    file('f', 'raw'),
  ]);
  assert.deepEqual(entries(await parse(buf)), ['file f 3']);
});

test('a real size of petabytes is bounded like bytes: one line, at once, nothing expanded', async () => {
  const buf = tar([...paxSparse10([['GNU.sparse.realsize', String(2 ** 50)]], [2 ** 50 - 3, 3], Buffer.from('end'))]);
  const started = Date.now();
  await assert.rejects(parse(buf, { contentDigests: true }), (e: LayerlensError) => {
    assert.match(e.message, /sparse files at their real size/);
    assert.match(e.message, /LAYERLENS_MAX_LAYER_BYTES/);
    return true;
  });
  assert.ok(Date.now() - started < 5000);
});

test('typeflags no runtime unpacks are refused entries, not tree entries; a whiteout of any type stays one', async () => {
  const odd = (name: string, typeflag: string): CraftEntry => ({
    header: { name, typeflag, size: 5 },
    data: Buffer.from('hello'),
  });
  const buf = tar([
    odd('contiguous', '7'),
    odd('dumpdir', 'D'),
    odd('label', 'V'),
    odd('vendor', 'Z'),
    odd('.wh.gone', 'V'),
    { header: { name: 'fifo', typeflag: '6' } },
    file('ok', 'ok'),
  ]);
  assert.deepEqual(entries(await parse(buf)), [
    'refused unhandled-type contiguous 7',
    'refused unhandled-type dumpdir D',
    'refused unhandled-type label V',
    'refused unhandled-type vendor Z',
    'whiteout gone',
    'other fifo 0',
    'file ok 2',
  ]);
});

test('an old GNU sparse header chained to extension blocks cannot shift the entries after it', async () => {
  // The 'S' header says one extension block follows, then 512 bytes of data. Read as data, that
  // block would leave the last data block to be read as a header: a file "ghost" that is
  // crafted to swallow the next real header, "real", as its own data.
  const gnuS = header({ name: 'sp', typeflag: 'S', size: 512, format: 'gnu' });
  gnuS[482] = 1; // isextended
  gnuS.write('00000001000\0', 483, 'latin1'); // real size 512
  gnuS.write('00000000000\0', 386, 'latin1'); // region 0: offset 0 …
  gnuS.write('00000001000\0', 398, 'latin1'); // … length 512
  let sum = 0;
  gnuS.fill(0x20, 148, 156);
  for (const b of gnuS) sum += b;
  gnuS.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  const extension = Buffer.alloc(512); // no more regions, no more blocks
  const ghost = header({ name: 'ghost', size: 1024 });
  const buf = Buffer.concat([gnuS, extension, ghost, tar([file('real', 'real bytes')])]);
  assert.deepEqual(entries(await parse(buf)), ['refused unhandled-type sp S', 'file real 10']);
});

test("the checks read a sparse file's data, not its holes: a leading hole does not make it binary", async () => {
  const token = githubToken();
  const body = Buffer.from(`GITHUB_TOKEN=${token}\n`);
  const layer = tar(
    paxSparse10(
      [
        ['GNU.sparse.name', 'srv/deploy.env'],
        ['GNU.sparse.realsize', String(65536 + body.length)],
      ],
      [65536, body.length],
      body,
    ),
  );
  const { meta, blobs } = imageOfTars([layer]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector({}) });
  const findings = runChecks(model, { reference: 'memory' });
  assert.deepEqual(
    findings.filter((f) => f.category === 'secret').map((f) => `${f.ruleId} ${f.path}`),
    ['secret-github-pat /srv/deploy.env'],
  );
});
