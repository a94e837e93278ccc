/**
 * The bounds of src/engine/limits.ts through the CLI (issue 13: every size, count and depth
 * bounded; docs/limits.md): each one, set low by its environment variable, ends a command with
 * one line naming it and how to change it; the heap bound turns what would be V8 running out of
 * memory into that line too; `inspect --json` writes a large change set in little more memory
 * than the tree itself takes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { sha256 } from '../../src/engine/build-tar.js';
import { RUNNER_OVERHEAD_MB, assertOneLineError, runCli } from '../support/hostile-cli.js';
import { layoutOfBlobs, shapeMembers, writeShape } from '../support/hostile-shapes.js';
import { file, manyFiles, tar } from '../support/tar-craft.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-limits-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
let many: string; // 200,000 files in one directory
let small: string; // three small layers

before(async () => {
  const t = manyFiles(200_000);
  many = layoutOfBlobs(path.join(tmp, 'many'), [
    { blob: zlib.gzipSync(t, { level: 1 }), diffId: sha256(t), mediaType: GZIP },
  ]);
  small = await writeShape(
    'oci-dir',
    shapeMembers('oci-dir', [tar([file('a', 'a')]), tar([file('b', 'b')]), tar([file('c', 'c')])]),
    path.join(tmp, 'small'),
  );
});

test('each count and size limit, set low, is one line naming it and its variable', async () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [
      { LAYERLENS_MAX_ENTRIES: '50000' },
      many,
      /more than 50,000 tar entries, the limit .*: to read it, run again with LAYERLENS_MAX_ENTRIES=200000$/,
    ],
    [{ LAYERLENS_MAX_LAYERS: '2' }, small, /lists 3 layers \(limit 2; set LAYERLENS_MAX_LAYERS/],
    [
      { LAYERLENS_MAX_JSON_BYTES: '100' },
      small,
      /too large to be image metadata \(limit 100 bytes; set LAYERLENS_MAX_JSON_BYTES/,
    ],
    [{ LAYERLENS_MAX_PATH_BYTES: 'lots' }, small, /LAYERLENS_MAX_PATH_BYTES="lots": use a whole number/],
  ];
  for (const [env, image, re] of cases) {
    const r = await runCli(['scan', image], { env });
    assert.match(assertOneLineError(r, JSON.stringify(env)), re);
  }
});

test('over the entry budget: the line says what to run instead, and scan then reads the image', async () => {
  const over = await runCli(['scan', '--format', 'json', many], { env: { LAYERLENS_MAX_ENTRIES: '60000' } });
  const line = assertOneLineError(over, 'LAYERLENS_MAX_ENTRIES');
  const advised = /run again with LAYERLENS_MAX_ENTRIES=(\d+)$/.exec(line);
  assert.ok(advised, line);
  assert.equal(advised[1], '240000');
  const again = await runCli(['scan', '--format', 'json', many], { env: { LAYERLENS_MAX_ENTRIES: advised[1] } });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout.toString()).image.layers.length, 1);
});

test('a lower LAYERLENS_MAX_PATH_BYTES refuses longer names as entries no runtime unpacks', async () => {
  const r = await runCli(['scan', '--format', 'json', small], { env: { LAYERLENS_MAX_PATH_BYTES: '0' } });
  assert.equal(r.status, 0, r.stderr);
  const refused = JSON.parse(r.stdout.toString()).findings.filter(
    (f: { ruleId: string }) => f.ruleId === 'unpack-refused',
  );
  assert.equal(refused.length, 3);
  assert.match(refused[0].message, /longer than a path may be/);
});

test('the heap bound: loading stops with one line, never with V8 out of memory', async () => {
  // Set by the variable (well below what the 200,000 files need: at 60 MB, and then at 40, a load
  // that kept less for a moment fit, and the test failed once) …
  const byEnv = await runCli(['inspect', many], { env: { LAYERLENS_MAX_HEAP_BYTES: '24M' } });
  assert.match(
    assertOneLineError(byEnv, 'LAYERLENS_MAX_HEAP_BYTES'),
    /the image needs more memory than allowed \(\d+ MB in use, limit 24 MB\): to read it, raise LAYERLENS_MAX_HEAP_BYTES \(now 24M\)$/,
  );
  assert.ok(byEnv.rssMb! < 300 + RUNNER_OVERHEAD_MB, `${Math.round(byEnv.rssMb!)} MB`);
  // … and by default, below four fifths of the heap Node was given (40 MB: the 200,000 files fit in 48
  // since the tree's versions are in typed arrays, outside the heap, issue 16), however small it
  // is (at 48 MB and less the limit once sat at the old generation's very size, and V8 ran out
  // before a check saw it) …
  for (const small of ['--max-old-space-size=32', '--max-old-space-size=24']) {
    const tight = await runCli(['inspect', '--json', many], { nodeFlags: [small] });
    assert.match(assertOneLineError(tight, small), /needs more memory than allowed/);
    assert.equal(tight.signal, null);
  }
  const byNode = await runCli(['inspect', '--json', many], { nodeFlags: ['--max-old-space-size=40'] });
  const line = assertOneLineError(byNode, '--max-old-space-size');
  assert.equal(byNode.signal, null);
  // … saying what to run with instead, which then reads the image.
  const advised =
    /needs more memory than allowed .*: give Node more heap: run it again with NODE_OPTIONS=(--max-old-space-size=\d+)$/.exec(
      line,
    );
  assert.ok(advised, line);
  const again = await runCli(['inspect', many], { nodeFlags: [advised[1]] });
  assert.equal(again.status, 0, again.stderr);
});

test('the heap bound sits below the share of the heap where V8 gives up, at every heap size', async () => {
  // V8 aborts ("Ineffective mark-compacts near heap limit", a native stack trace) once the old
  // generation is 80% full and four full collections in a row leave the program too little time.
  // The bound was 90% of it: an image that needed between the two could end in that abort (the
  // tiny-files image at --max-old-space-size=150, one run in two). 500,000 files need ~75 MB.
  const dir = mkdtempSync(path.join(tmpdir(), 'layerlens-heap-'));
  try {
    const t = manyFiles(500_000);
    const big = layoutOfBlobs(path.join(dir, 'big'), [
      { blob: zlib.gzipSync(t, { level: 1 }), diffId: sha256(t), mediaType: GZIP },
    ]);
    for (const mb of [90, 100, 110]) {
      const flag = `--max-old-space-size=${mb}`;
      const r = await runCli(['inspect', '--json', big], { nodeFlags: [flag] });
      assert.equal(r.signal, null, `${flag}: ${r.stderr.slice(0, 300)}`);
      if (r.status === 0) continue;
      const line = assertOneLineError(r, flag);
      const limit = /limit (\d+) MB\)/.exec(line);
      assert.ok(limit, line);
      assert.ok(Number(limit[1]) <= 0.8 * mb, `${flag}: a bound of ${limit[1]} MB is past 80% of the heap`);
    }
    // At 90 MB the files do not fit below the bound: the test saw the bound at least once.
    const tight = await runCli(['inspect', '--json', big], { nodeFlags: ['--max-old-space-size=90'] });
    assert.match(assertOneLineError(tight, 'at 90 MB'), /needs more memory than allowed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspect --json of 200,000 files in one directory: little more memory than the tree', async () => {
  const text = await runCli(['inspect', many], { killAfterMs: 120_000 });
  const json = await runCli(['inspect', '--json', many], { killAfterMs: 120_000 });
  assert.equal(text.status, 0, text.stderr);
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout.toString());
  assert.equal(doc.layers[0].changes.length, 200_001);
  assert.equal(doc.layers[0].changes[1].path, '/dir/f0');
  // The text form holds the tree only; the document of 200,001 changes (~40 MB) adds ~15 MB.
  assert.ok(json.rssMb! < text.rssMb! + 50, `json ${Math.round(json.rssMb!)} MB, text ${Math.round(text.rssMb!)} MB`);
});
