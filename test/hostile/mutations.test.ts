/**
 * Hostile metadata and hostile archive bytes (issue 13): every metadata document of each archive
 * shape (docker save legacy, Docker 25+ OCI layout + manifest.json, OCI layout directory) has each
 * of its fields replaced by a value of every other type or removed, and is replaced whole (not
 * JSON, the wrong type, nested 100,000 deep); the archives are then cut, flipped, zeroed, padded
 * with garbage by a seeded generator, read from a file and through the one-pass (stdin) reader.
 *
 * Each case runs what `scan` and `inspect --json` run (hostile-batch.ts, many cases in one child)
 * and must end in one plain LayerlensError line, or in the very tree the unmutated image gives
 * (a metadata change that is accepted must not change the filesystem); in bounded time, in a
 * child of bounded peak RSS. A sample of cases also runs through the CLI for its exit status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { buildTar } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import { openImage } from '../../src/sources/open.js';
import { canonicalDump } from '../support/dump.js';
import type { BatchCase, BatchResult } from '../support/hostile-batch.js';
import { RAW_JS_ERROR, ROOT, assertOneLineError, runCli } from '../support/hostile-cli.js';
import { ROLES, SHAPES, shapeMembers, writeShape, type Role, type Shape } from '../support/hostile-shapes.js';
import { REMOVE, REPLACEMENTS, WHOLE_DOCUMENT, jsonPaths, randomMutations, setAt } from '../support/mutate.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-mutations-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let tars: Buffer[];
let baseline: string;
const cases: Array<BatchCase & { label: string }> = [];

/** The documents of a shape as the builder makes them (to enumerate their fields). */
function documents(shape: Shape): Map<Role, unknown> {
  const docs = new Map<Role, unknown>();
  shapeMembers(shape, tars, (role, doc) => void docs.set(role, doc));
  return docs;
}

let n = 0;
async function addCase(shape: Shape, label: string, rewrite: Parameters<typeof shapeMembers>[2]): Promise<void> {
  const target = path.join(tmp, `case-${n++}${shape === 'oci-dir' ? '' : '.tar'}`);
  await writeShape(shape, shapeMembers(shape, tars, rewrite), target);
  cases.push({ id: String(cases.length), path: target, how: 'auto', label: `${shape}: ${label}` });
}

before(async () => {
  tars = await Promise.all([
    buildTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'bin/', type: 'directory' },
      { name: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
      { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
    ]),
    buildTar([
      { name: 'app/', type: 'directory' },
      { name: 'app/config.yml', content: 'mode: prod\n' },
      { name: 'app/same', type: 'link', linkname: 'app/config.yml' },
      { name: 'etc/.wh.os-release', content: '' },
    ]),
  ]);
  // The tree every accepted case must give: the unmutated image, read in-process.
  const dir = await writeShape('oci-dir', shapeMembers('oci-dir', tars), path.join(tmp, 'baseline'));
  const model = new ImageModel();
  await model.load(await openImage(dir, { source: 'auto', pull: false, insecure: false, plainHttp: false }));
  baseline = createHash('sha256').update(canonicalDump(model)).digest('hex');

  // Structured: each field of each document, set to each other type or removed; the config's
  // fields in one shape of each kind (the same checks read it in all), the others' in every shape.
  for (const shape of SHAPES) {
    const docs = documents(shape);
    for (const role of ROLES[shape]) {
      const doc = docs.get(role);
      const fieldByField = role !== 'config' || shape !== 'docker-oci';
      if (fieldByField) {
        for (const p of jsonPaths(doc)) {
          for (const { label, value } of [...REPLACEMENTS, { label: 'removed', value: REMOVE }]) {
            await addCase(shape, `${role} ${p.join('.')} ${label}`, (r, d) =>
              r === role ? setAt(d, p, value) : undefined,
            );
          }
        }
      }
      for (const { label, bytes } of WHOLE_DOCUMENT) {
        await addCase(shape, `${role} replaced: ${label}`, (r) => (r === role ? bytes : undefined));
      }
    }
  }
  // Random: the archive files' bytes, read by content and through the one-pass reader; a gzip'd
  // archive (read in one pass too) with its compressed bytes changed.
  for (const [i, shape] of (['docker-legacy', 'docker-oci'] as const).entries()) {
    const archive = readFileSync(await writeShape(shape, shapeMembers(shape, tars), path.join(tmp, `${shape}.tar`)));
    const metadataFrom = archive.length - 8 * 1024; // where manifest, config and index lie
    for (const [j, m] of randomMutations(1300 + i, 80, archive.length, metadataFrom).entries()) {
      const file = path.join(tmp, `random-${shape}-${j}.tar`);
      writeFileSync(file, m.apply(archive));
      cases.push({ id: String(cases.length), path: file, how: 'auto', label: `${shape}: ${m.label}` });
      if (j % 2 === 0)
        cases.push({ id: String(cases.length), path: file, how: 'stdin', label: `${shape} on stdin: ${m.label}` });
    }
    const gz = zlib.gzipSync(archive);
    for (const [j, m] of randomMutations(1400 + i, 20, gz.length, 0).entries()) {
      const file = path.join(tmp, `random-${shape}-${j}.tar.gz`);
      writeFileSync(file, m.apply(gz));
      cases.push({ id: String(cases.length), path: file, how: 'auto', label: `${shape}.tar.gz: ${m.label}` });
    }
  }
});

/** Peak RSS a batch child may reach: tsx (~100 MB) and small images, whatever the mutations. */
const BATCH_RSS_MB = 400;
/** Time any one case may take (they are tiny images; a hang or a loop is what this catches). */
const CASE_MS = 5_000;

test('every mutated document and archive ends in one plain error or in the unmutated tree', async () => {
  const casesFile = path.join(tmp, 'cases.json');
  writeFileSync(casesFile, JSON.stringify(cases));
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/support/hostile-batch.ts'), casesFile],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      timeout: 600_000,
    },
  );
  assert.equal(r.status, 0, `the batch child failed (${r.signal ?? r.status}): ${r.stderr.slice(-2000)}`);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const { maxRssMb } = lines.pop() as { maxRssMb: number };
  const results = lines as BatchResult[];
  assert.equal(results.length, cases.length);
  const problems: string[] = [];
  let accepted = 0;
  for (const res of results) {
    const c = cases[Number(res.id)];
    if (res.ms > CASE_MS) problems.push(`${c.label}: took ${Math.round(res.ms)} ms`);
    if (res.dump !== undefined) {
      accepted++;
      if (res.dump !== baseline) problems.push(`${c.label}: accepted with a different tree`);
      continue;
    }
    const e = res.error!;
    if (!e.layerlens) problems.push(`${c.label}: not a LayerlensError: ${e.stack ?? e.message}`);
    else if (e.message.includes('\n') || RAW_JS_ERROR.test(e.message))
      problems.push(`${c.label}: not one plain line: ${e.message}`);
  }
  assert.deepEqual(problems, [], `${problems.length} of ${cases.length} cases:\n${problems.slice(0, 40).join('\n')}`);
  assert.ok(maxRssMb < BATCH_RSS_MB, `the batch child peaked at ${Math.round(maxRssMb)} MB`);
  // Both outcomes happen: most mutations are refused, some are harmless (a label removed …).
  assert.ok(accepted > 20 && accepted < cases.length - 100, `${accepted} of ${cases.length} accepted`);
});

test('through the CLI: a mutated document is exit 2 and one plain line, for inspect and scan alike', async () => {
  const samples: Array<[Shape, Role, (d: unknown) => unknown]> = [
    // (Not `null`: Go reads a null element as an empty entry, and so does layerlens: go-json.ts.)
    ['docker-legacy', 'config', (d) => setAt(d, ['history', 0], 'text')],
    ['docker-oci', 'config', (d) => setAt(d, ['config', 'Env', 1], 42)],
    ['oci-dir', 'config', (d) => setAt(d, ['config', 'Labels', 'maintainer'], 7)],
    ['oci-dir', 'config', (d) => setAt(d, ['config', 'Env'], 'PATH=/bin')],
    ['oci-dir', 'manifest', (d) => setAt(d, ['layers', 0, 'size'], -5)],
    ['oci-dir', 'index.json', (d) => setAt(d, ['manifests', 0, 'platform', 'os'], 7)],
    ['docker-legacy', 'manifest.json', () => Buffer.from('['.repeat(100_000))],
  ];
  for (const [shape, role, change] of samples) {
    const target = path.join(tmp, `cli-${n++}${shape === 'oci-dir' ? '' : '.tar'}`);
    await writeShape(
      shape,
      shapeMembers(shape, tars, (r, d) => (r === role ? change(d) : undefined)),
      target,
    );
    for (const args of [
      ['inspect', '--json', target],
      ['scan', target],
    ]) {
      const res = await runCli(args, { killAfterMs: 30_000 });
      const line = assertOneLineError(res, `${args[0]} ${shape} ${role}`);
      assert.match(line, /config|manifest|index|descriptor|JSON/, line);
      assert.equal(res.stdout.length, 0, 'nothing on stdout');
    }
  }
});
