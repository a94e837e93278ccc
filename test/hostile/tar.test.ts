/**
 * Crafted layer tars (issue 13 items 1, 7, 8, 9; issue 17's one decoder): sizes (negative
 * base-256, beyond 2^53, not a number, beyond the stream, PAX sizes), names (over PATH_MAX, two
 * thousand levels deep), PAX and GNU records (malformed, oversized, global, repeated, in their
 * precedence), framing (a header after the end block, a device whose size frames nothing, bad
 * checksums, a stream cut short). Each layer is read by the engine in-process and must give the
 * exact outcome written next to it; the ones that once looped or crashed also run through the
 * CLI from every source shape, for exit 2 with one plain line in bounded time and memory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { ImageModel } from '../../src/engine/image.js';
import { LayerlensError } from '../../src/errors/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { RUNNER_OVERHEAD_MB, assertOneLineError, runCli } from '../support/hostile-cli.js';
import { shapeMembers, writeShape, type Shape } from '../support/hostile-shapes.js';
import { imageOfTars, liveTree } from '../support/image.js';
import { dir, file, gnuLong, pax, paxSparse10, symlink, tar, type CraftEntry } from '../support/tar-craft.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-tar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function load(layer: Buffer, compress?: 'gzip'): Promise<ImageModel> {
  const { meta, blobs } = imageOfTars([layer], [compress]);
  const m = new ImageModel();
  await m.load(memoryReader(meta, blobs));
  return m;
}

async function fails(layer: Buffer, code: string, re: RegExp, compress?: 'gzip'): Promise<string> {
  try {
    await load(layer, compress);
  } catch (err) {
    assert.ok(err instanceof LayerlensError, String((err as Error)?.stack));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    assert.match(err.message, /^layer 0: /, 'the message names the layer');
    assert.ok(!err.message.includes('\n'));
    return err.message;
  }
  assert.fail(`expected ${code}`);
}

/** A size field as raw bytes (12 of them). */
const rawSize = (text: string) => Buffer.from(text.padEnd(12, '\0').slice(0, 12), 'latin1');

describe('sizes are checked once, in the decoder, before they frame any data', () => {
  for (const size of [-512n, -1024n, -4096n, -1n]) {
    test(`base-256 size ${size} (once: a loop until out of memory, or a raw RangeError)`, async () => {
      const layer = tar([{ header: { name: 'evil', size } }, file('after', 'x')]);
      await fails(layer, 'CORRUPT', /entry "evil" has a negative size \(-\d+\)/);
    });
  }
  test('base-256 sizes beyond 2^53, octal sizes that are not numbers', async () => {
    await fails(tar([{ header: { name: 'big', size: 2n ** 60n } }]), 'CORRUPT', /"big": size field beyond 2\^53/);
    await fails(
      tar([{ header: { name: 'odd', size: rawSize('0000001x000') } }]),
      'CORRUPT',
      /"odd": size field is not a number/,
    );
  });
  test('a size beyond the stream: at its header when the layer size is known, at the end when compressed', async () => {
    const layer = tar([{ header: { name: 'huge', size: 2 ** 40 }, data: Buffer.alloc(600) }]);
    await fails(layer, 'TRUNCATED', /"huge" needs 1099511627776 bytes, only 2048 are left in the layer/);
    await fails(layer, 'TRUNCATED', /truncated/, 'gzip');
  });
  test('PAX sizes: negative, not decimal, beyond 2^53; a header-only type ignores its size', async () => {
    for (const [v, re] of [
      ['-5', /entry "f" has a negative size \(-5\)/],
      ['0x10', /PAX size "0x10" is not a whole number/],
      ['1e3', /PAX size "1e3" is not a whole number/],
      ['99999999999999999999', /PAX size 99999999999999999999 is beyond 2\^53/],
    ] as const) {
      await fails(tar([pax([['size', v]]), file('f', 'hello')]), 'CORRUPT', re);
    }
    const m = await load(tar([pax([['size', '-5000']]), dir('d/'), file('after', 'x')]));
    assert.deepEqual(liveTree(m, 0), ['/after', '/d/']);
  });
});

describe('PAX and GNU records', () => {
  test('malformed PAX records fail the layer, as they fail it in the runtimes', async () => {
    const bad = [
      Buffer.from('x path=a\n'),
      Buffer.from('99 path=a\n'),
      Buffer.from('9 pathxx\n'),
      Buffer.from('10 path=ab'),
      Buffer.from('12 path=a\u0000b\n'),
      Buffer.from('3 a=\n'),
    ];
    for (const records of bad) await fails(tar([pax(records), file('f')]), 'CORRUPT', /PAX record/);
  });
  test('PAX and GNU records over 1 MiB are refused before they are read', async () => {
    const huge = { header: { name: 'PaxHeader', typeflag: 'x', size: 2 << 20 } } satisfies CraftEntry;
    await fails(tar([huge, file('f')]), 'CORRUPT', /PAX extended header of 2097152 bytes/);
    const long = { header: { name: '././@LongLink', typeflag: 'L', size: 2 << 20, format: 'gnu' as const } };
    await fails(tar([long, file('f')]), 'CORRUPT', /GNU long name record of 2097152 bytes/);
  });
  test("global PAX records are checked, then ignored but for their path's parents (Docker makes them); a second x header replaces the first", async () => {
    const m = await load(
      tar([
        pax([['path', 'etc/shadow']], 'g'),
        file('kept-name', 'a'),
        pax([['path', 'first']]),
        pax([['mtime', '5']]),
        file('own-name', 'b'),
      ]),
    );
    // Not a name for the entries after it; Docker creates its path's parent, /etc (test/integration/tar-types.test.ts).
    assert.deepEqual(liveTree(m, 0), ['/etc/', '/kept-name', '/own-name']);
    assert.equal(m.tree.lookupPath('/own-name')!.liveAt(0)!.mtime, 5);
  });
  test('a GNU long name wins over a PAX path (the order Go applies them in)', async () => {
    const m = await load(tar([pax([['path', 'from-pax']]), gnuLong('from-gnu-' + 'n'.repeat(120)), file('short')]));
    assert.deepEqual(liveTree(m, 0), ['/from-gnu-' + 'n'.repeat(120)]);
  });
  test('records with no entry after them: the layer is cut short', async () => {
    await fails(tar([file('a', 'x'), pax([['path', 'b']])], { end: false }), 'TRUNCATED', /truncated/);
  });
});

describe('names: bounded, and as deep as a runtime can go', () => {
  test('a name longer than PATH_MAX is refused as an entry no runtime unpacks; the rest applies', async () => {
    const long = Array.from({ length: 2500 }, () => 'ab').join('/'); // 7,499 bytes
    const m = await load(tar([pax([['path', long]]), file('x', 'never'), file('ok', 'fine')]));
    assert.deepEqual(liveTree(m, 0), ['/ok']);
    const note = m.tree.unpackNotes[0];
    assert.equal(note.problem, 'name-too-long');
    assert.ok(note.name.length <= 256, 'the note keeps the name cut short');
  });
  test('a path of 2,000 levels within PATH_MAX is applied, every level a directory', async () => {
    const deep = Array.from({ length: 2000 }, () => 'd').join('/') + '/leaf';
    const m = await load(tar([pax([['path', deep]]), file('x', 'deep file')]));
    assert.equal(m.tree.lookupPath('/' + deep)!.liveAt(0)!.size, 'deep file'.length);
    assert.equal(m.tree.nodeCount, 2002);
  });
});

describe('framing, as Go frames it', () => {
  test('a header after the first end block fails; anything after two end blocks is ignored', async () => {
    const after1 = Buffer.concat([tar([file('a')], { end: false }), Buffer.alloc(512), tar([file('hidden')])]);
    await fails(after1, 'CORRUPT', /after the end-of-archive block/);
    const m = await load(Buffer.concat([tar([file('a')]), Buffer.from('trailing garbage, not a header')]));
    assert.deepEqual(liveTree(m, 0), ['/a']);
  });
  test('a device or fifo frames no data whatever its size: the next block is the next header', async () => {
    // Read the device's size as data (as a reader that is not Go does) and `hidden` vanishes.
    const layer = tar([{ header: { name: 'dev-null', typeflag: '3', size: 512 } }, file('hidden', 'in plain sight')]);
    const m = await load(layer);
    assert.deepEqual(liveTree(m, 0), ['/dev-null', '/hidden']);
  });
  test("a NUL typeflag is a file, or a directory when the name ends in '/'", async () => {
    const m = await load(
      tar([{ header: { name: 'old-dir/', typeflag: '\0' } }, { header: { name: 'old-file', typeflag: '\0' } }]),
    );
    assert.equal(m.tree.lookupPath('/old-dir')!.liveAt(0)!.type, 'dir');
    assert.equal(m.tree.lookupPath('/old-file')!.liveAt(0)!.type, 'file');
  });
  test('a bad checksum after the first header, and a stream cut inside an entry', async () => {
    await fails(
      tar([file('a', 'x'), { header: { name: 'b', badChecksum: true } }]),
      'CORRUPT',
      /bad header checksum after entry 1/,
    );
    await fails(tar([file('a', 'x'.repeat(2000))]).subarray(0, 1200), 'TRUNCATED', /truncated/, 'gzip');
  });
  test('xattrs beyond what Linux stores make an entry no runtime unpacks', async () => {
    const big = 'v'.repeat(70 * 1024);
    const m = await load(tar([pax([['SCHILY.xattr.user.big', big]]), file('fat'), file('thin')]));
    assert.deepEqual(liveTree(m, 0), ['/thin']);
    assert.equal(m.tree.unpackNotes[0].problem, 'xattrs-too-large');
  });
  test('symlink tricks reach the findings: outside the root, through a symlink', async () => {
    const m = await load(tar([file('../../escape', 'x'), symlink('sl', '/etc'), dir('etc/'), file('sl/passwd', 'p')]));
    assert.deepEqual(
      m.tree.unpackNotes.map((n) => n.problem),
      ['escape', 'through-symlink'],
    );
  });
});

describe('through the CLI, from every source: the sizes that once looped or crashed', () => {
  const negative = tar([
    file('etc/os-release', 'ID=x\n'),
    { header: { name: 'evil', size: -512n } },
    file('after', 'x'),
  ]);
  const cases: Array<[string, () => Promise<{ args: string[]; stdin?: Buffer }>]> = [];
  for (const shape of ['docker-legacy', 'docker-oci', 'oci-dir'] as Shape[]) {
    cases.push([
      shape,
      async () => {
        const target = path.join(tmp, shape + (shape === 'oci-dir' ? '' : '.tar'));
        await writeShape(shape, shapeMembers(shape, [negative]), target);
        return { args: [target] };
      },
    ]);
  }
  cases.push([
    'a gzip docker save on stdin',
    async () => {
      const target = path.join(tmp, 'stdin.tar');
      await writeShape('docker-legacy', shapeMembers('docker-legacy', [negative]), target);
      return { args: ['-'], stdin: zlib.gzipSync(readFileSync(target)) };
    },
  ]);
  for (const [label, make] of cases) {
    test(label, async () => {
      const { args, stdin } = await make();
      for (const command of [['inspect'], ['scan'], ['extract', '--output', path.join(tmp, 'out')]]) {
        const full =
          command[0] === 'extract' ? ['extract', ...args, '/after', ...command.slice(1)] : [...command, ...args];
        const r = await runCli(full, { stdin, killAfterMs: 30_000 });
        const line = assertOneLineError(r, `${label}: ${command[0]}`);
        assert.match(line, /layer (0|blob \S+): corrupt tar archive: entry "evil" has a negative size \(-512\)/);
        assert.ok(r.ms < 20_000, `${Math.round(r.ms)} ms`);
        assert.ok(r.rssMb! < 150 + RUNNER_OVERHEAD_MB, `${Math.round(r.rssMb!)} MB`);
      }
    });
  }
});

describe('sparse files through the CLI: holes are bounded like bytes and never held', () => {
  /** A PAX 1.0 sparse file `name` of `realSize` bytes whose last three bytes are its only data. */
  const sparseLayer = (name: string, realSize: number) =>
    tar(
      paxSparse10(
        [
          ['GNU.sparse.name', name],
          ['GNU.sparse.realsize', String(realSize)],
        ],
        [realSize - 3, 3],
        Buffer.from('end'),
      ),
    );
  test('a file of a petabyte: one line, exit 2, at once', async () => {
    const target = path.join(tmp, 'sparse-pb.tar');
    await writeShape('docker-oci', shapeMembers('docker-oci', [sparseLayer('huge', 2 ** 50)]), target);
    for (const command of ['inspect', 'scan']) {
      const r = await runCli([command, target], { killAfterMs: 30_000 });
      const line = assertOneLineError(r, command);
      assert.match(line, /larger than allowed once unpacked \(its sparse files at their real size\)/);
      assert.ok(r.ms < 10_000, `${Math.round(r.ms)} ms`);
    }
  });
  test('extract of a 768 MiB hole: the file is written whole, in bounded memory', async () => {
    const size = 768 << 20;
    const target = path.join(tmp, 'sparse-hole.tar');
    await writeShape('docker-oci', shapeMembers('docker-oci', [sparseLayer('holes', size)]), target);
    const out = path.join(tmp, 'holes.out');
    const r = await runCli(['extract', target, '/holes', '--output', out], { killAfterMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const written = readFileSync(out);
    assert.equal(written.length, size);
    assert.equal(written.subarray(size - 3).toString(), 'end');
    assert.equal(
      written.subarray(0, size - 3).every((b) => b === 0),
      true,
    );
    rmSync(out);
    assert.ok(r.rssMb! < 200 + RUNNER_OVERHEAD_MB, `${Math.round(r.rssMb!)} MB`);
  });
});
