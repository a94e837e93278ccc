/**
 * The tree is what a runtime unpacks, checked against the real Docker engine on random images:
 * three layers each, of files, directories, symlinks, hard links, whiteouts and opaque markers
 * over a few names, so that they replace, hide and redirect one another. Each image is written
 * as a `docker save` archive, loaded (`docker load`), and a container's file system exported
 * (`docker export`); layerlens's tree of the last layer must list the same paths, types, symlink
 * targets and file sizes.
 *
 * Left out of the comparison, each for a reason the findings report:
 * - images Docker refuses to load (entries no runtime can unpack; Docker also refuses layers
 *   that remove a directory they listed before, when it restores directory times at the end);
 * - layers whose whiteouts or opaque markers come after entries they hide, which the OCI spec
 *   and Docker read differently (`unpack-rewritten`, `whiteout`);
 * - hard links whose target the layer hides or that name a symlink (Docker links what stood at
 *   that name when it reached the link; the tree keeps the link and its target's path).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { memoryReader } from '../../src/sources/memory.js';
import { docker25Save, membersToTar } from '../support/archives.js';
import { CommandError, docker, requireEnv, skipReasonUnless } from '../support/harness.js';
import { exportedList } from '../support/docker-unpack.js';
import { listTree } from '../support/export-list.js';
import { imageOfTars } from '../support/image.js';
import { rng } from '../support/mutate.js';
import { type CraftEntry, dir, file, hardlink, symlink, tar } from '../support/tar-craft.js';

const skip = skipReasonUnless('tar');
const NAMES = ['a', 'b', 'c'];
const SEEDS = 3000;

/** A random layer of `n` entries over NAMES (no name twice: Docker refuses that outright). */
function randomLayer(rnd: () => number, n: number, lowerFiles: string[]): { entries: CraftEntry[]; files: string[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const path = () => Array.from({ length: 1 + Math.floor(rnd() * rnd() * 3) }, () => pick(NAMES)).join('/');
  const seen = new Set<string>();
  const entries: CraftEntry[] = [];
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = path();
    const r = rnd();
    const cut = p.lastIndexOf('/');
    const under = cut < 0 ? '' : p.slice(0, cut + 1);
    let name = p;
    let e: CraftEntry;
    if (r < 0.4) {
      e = file(p, `content ${i} ${Math.floor(rnd() * 1000)}`);
      files.push(p);
    } else if (r < 0.6) e = dir(`${p}/`);
    else if (r < 0.72) e = symlink(p, pick(['a', '../b', '/c', '/a/b', '.', 'nowhere']));
    else if (r < 0.8 && (files.length || lowerFiles.length)) e = hardlink(p, pick([...files, ...lowerFiles]));
    else if (r < 0.93) e = file((name = `${under}.wh.${p.slice(cut + 1)}`), '');
    else e = file((name = `${under}.wh..wh..opq`), '');
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push(e);
  }
  return { entries, files };
}

test('random images: the tree of the last layer is the file system Docker unpacks', {
  skip,
  timeout: 20 * 60_000,
}, async () => {
  const dir0 = await mkdtemp(join(requireEnv().workdir, 'unpack-vs-docker-'));
  const counts = { compared: 0, refusedByDocker: 0, readDifferently: 0, linksLeftOut: 0 };
  try {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rnd = rng(seed);
      const tars: Buffer[] = [];
      let lower: string[] = [];
      for (let l = 0; l < 3; l++) {
        const layer = randomLayer(rnd, 7, lower);
        tars.push(tar(layer.entries));
        lower = [...lower, ...layer.files];
      }
      const { meta, blobs } = imageOfTars(tars);
      const model = new ImageModel();
      await model.load(memoryReader(meta, blobs));
      const notes = model.tree.unpackNotes;
      // Entries no runtime unpacks (Docker refuses the layer), or a late whiteout or marker.
      if (notes.some((n) => n.problem === 'not-a-directory' || n.problem === 'symlink-loop')) continue;
      if (notes.some((n) => n.whiteout && n.problem === 'rewritten')) {
        counts.readDifferently++;
        continue;
      }
      const ours = listTree(model, model.tree.layerCount - 1);
      if (!ours) {
        counts.linksLeftOut++;
        continue;
      }
      const tag = `layerlens-it/unpack-vs-docker:s${seed}`;
      const archive = join(dir0, 'image.tar');
      await writeFile(archive, await membersToTar(docker25Save(tars, tag).members));
      try {
        await docker(['load', '-q', '-i', archive]);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        assert.match(err.stderr, /ApplyLayer|not a directory|no such file/, `seed ${seed}: ${err.message}`);
        counts.refusedByDocker++;
        continue;
      }
      const out = join(dir0, `s${seed}`);
      try {
        assert.deepEqual(ours, await exportedList(tag, out), `seed ${seed}: the tree and Docker's file system differ`);
        counts.compared++;
      } finally {
        await docker(['rmi', tag]);
        await rm(out, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(dir0, { recursive: true, force: true });
  }
  // Not vacuous: enough images went through the comparison (their number is fixed by the seeds).
  assert.ok(counts.compared >= 10, `only ${counts.compared} images compared (${JSON.stringify(counts)})`);
  process.stdout.write(`# unpack vs docker: ${JSON.stringify(counts)}\n`);
});
