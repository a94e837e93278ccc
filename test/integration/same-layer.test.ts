/**
 * Layers that rewrite their own entries, checked against the real Docker engine's unpack (the
 * layers are written by GNU tar: `tar -c`, then `tar -r` appends):
 * - a file written over a directory the same layer filled (through a symlink, so no name repeats):
 *   Docker removes the directory with what the layer put in it; layerlens's tree of the layer is
 *   what `docker export` gives, and the removed file's bytes, still in the blob, are reported;
 * - a path named twice: Docker refuses the layer; layerlens reports the duplicate and reads the
 *   first copy's bytes as well;
 * - a whiteout after the entry it names: Docker removes the entry, the OCI spec keeps it (so does
 *   the tree); layerlens reports that the readings disagree.
 */
import assert from 'node:assert/strict';
import { link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateContent, readLayerFile } from '../../src/engine/layer-file.js';
import { ImageModel } from '../../src/engine/image.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { githubToken } from '../support/fake-secrets.js';
import { dockerFiles, imported, unpackTest } from '../support/docker-unpack.js';
import { CommandError, run } from '../support/harness.js';
import { imageOfTars, liveTree } from '../support/image.js';

async function load(layer: Buffer) {
  const { meta, blobs } = imageOfTars([layer]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector({}) });
  return { model, findings: runChecks(model, { reference: 'memory', now: new Date('2026-12-04T00:00:00Z') }) };
}

unpackTest(
  'a file written over a directory its own layer filled: the tree is what Docker unpacks; the removed bytes are reported',
  async (dir) => {
    const token = githubToken();
    await mkdir(join(dir, 'd1/x'), { recursive: true });
    await mkdir(join(dir, 'd2/s'), { recursive: true });
    await writeFile(join(dir, 'd1/x/f'), `token=${token}\n`);
    await writeFile(join(dir, 'd1/keep'), 'keep\n');
    await symlink('.', join(dir, 'd1/s'));
    await writeFile(join(dir, 'd2/s/x'), 'now a file\n');
    const tarPath = join(dir, 'layer.tar');
    await run('tar', ['-cf', tarPath, '-C', join(dir, 'd1'), 'x', 'keep', 's']);
    await run('tar', ['-rf', tarPath, '-C', join(dir, 'd2'), 's/x']); // s/x is x, through s -> .
    await imported(tarPath, 'dir', async (image) => {
      const unpacked = await dockerFiles(image, dir);
      const { model, findings } = await load(await readFile(tarPath));
      assert.deepEqual(
        liveTree(model, 0).map((p) => p.replace(/\/$/, '')),
        unpacked.paths.map((p) => p.replace(/\/$/, '')),
      );
      assert.deepEqual(unpacked.paths, ['/keep', '/s', '/x']);
      assert.equal((await readLayerFile(model, 0, '/x')).data.toString(), (await unpacked.read('x')).toString());
      // x/f is in no file system, but its bytes are in the layer: reported.
      const where = (id: string) =>
        findings.filter((f) => f.ruleId === id).map((f) => `${f.path} ${f.layerIndex}->${f.deletedInLayerIndex}`);
      assert.deepEqual(where('secret-github-pat'), ['/x/f 0->0']);
      assert.deepEqual(where('deleted-file'), ['/x/f 0->0']);
      const [note] = findings.filter((f) => f.ruleId === 'unpack-rewritten');
      assert.equal(note.path, '/x');
      assert.equal(note.properties?.files, 1);
      assert.equal(note.properties?.duplicate, true, 'x/ and s/x: two names, one path');
    });
  },
);

unpackTest(
  'a path named twice in one layer: Docker refuses the layer; layerlens reports it and reads both copies',
  async (dir) => {
    const token = githubToken();
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app/config.env'), `token=${token}\n`);
    const tarPath = join(dir, 'layer.tar');
    await run('tar', ['-cf', tarPath, '-C', dir, 'app']);
    await writeFile(join(dir, 'app/config.env'), 'token=from-the-vault\n');
    await run('tar', ['-rf', tarPath, '-C', dir, 'app/config.env']);
    const refused = await imported(tarPath, 'dup', async () => {}).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof CommandError, 'Docker imported a layer that names a path twice');
    assert.match(`${refused.stderr}`, /duplicates of file paths not supported/);
    const { model, findings } = await load(await readFile(tarPath));
    assert.equal((await readLayerFile(model, 0, '/app/config.env')).data.toString(), 'token=from-the-vault\n');
    const [pat] = findings.filter((f) => f.ruleId === 'secret-github-pat');
    assert.equal(pat.path, '/app/config.env');
    assert.equal(pat.properties?.withinLayer, true);
    assert.notEqual(pat.severity, 'info');
    const [note] = findings.filter((f) => f.ruleId === 'unpack-rewritten');
    assert.equal(note.properties?.duplicate, true);
    assert.match(note.message, /Docker refuses a layer whose tar names a path twice/);
  },
);

unpackTest(
  'a whiteout after the entry it names, in one layer: Docker removes the entry, the spec (and the tree) keep it; noted',
  async (dir) => {
    await mkdir(join(dir, 'd'));
    await writeFile(join(dir, 'd/x'), 'written, then whited out\n');
    await writeFile(join(dir, 'd/.wh.x'), '');
    await writeFile(join(dir, 'd/y'), 'kept\n');
    const tarPath = join(dir, 'layer.tar');
    await run('tar', ['-cf', tarPath, '-C', join(dir, 'd'), 'x', '.wh.x', 'y']);
    await imported(tarPath, 'wh', async (image) => {
      const unpacked = await dockerFiles(image, dir);
      assert.deepEqual(unpacked.paths, ['/y'], 'Docker removes what the layer wrote before the whiteout');
      const { model, findings } = await load(await readFile(tarPath));
      assert.deepEqual(liveTree(model, 0), ['/x', '/y']);
      const [note] = findings.filter((f) => f.ruleId === 'unpack-rewritten');
      assert.equal(note.path, '/x');
      assert.match(note.message, /Docker and containerd remove it when they reach the whiteout/);
    });
  },
);

unpackTest(
  'a hard link to a file its layer then replaces keeps the first bytes: the link is what Docker unpacks, its secret is live',
  async (dir) => {
    const token = githubToken();
    await mkdir(join(dir, 'd1'), { recursive: true });
    await mkdir(join(dir, 'd2/s'), { recursive: true });
    await writeFile(join(dir, 'd1/x'), `token=${token}\n`);
    await link(join(dir, 'd1/x'), join(dir, 'd1/l')); // GNU tar writes l as a hard link to x
    await symlink('.', join(dir, 'd1/s'));
    await writeFile(join(dir, 'd2/s/x'), 'now the other file\n');
    const tarPath = join(dir, 'layer.tar');
    await run('tar', ['-cf', tarPath, '-C', join(dir, 'd1'), 'x', 'l', 's']);
    await run('tar', ['-rf', tarPath, '-C', join(dir, 'd2'), 's/x']); // x again, through s -> .
    await imported(tarPath, 'link', async (image) => {
      const unpacked = await dockerFiles(image, dir);
      const { model, findings } = await load(await readFile(tarPath));
      assert.deepEqual(unpacked.paths, ['/l', '/s', '/x']);
      assert.equal((await unpacked.read('l')).toString(), `token=${token}\n`, 'Docker: the link keeps the first x');
      // The viewer and extract read the link as Docker wrote it; x is the new file.
      const loc = locateContent(model, '/l', 0)!;
      const l = await readLayerFile(model, loc.layer, loc.path, undefined, loc.version.entry);
      assert.equal(l.data.toString(), (await unpacked.read('l')).toString());
      assert.equal((await readLayerFile(model, 0, '/x')).data.toString(), (await unpacked.read('x')).toString());
      // The token is in the final image, at /l: not "in no file system", not a deleted file.
      const secret = findings.filter((f) => f.ruleId === 'secret-github-pat');
      assert.deepEqual(
        secret.map((f) => `${f.path} ${f.deletedInLayerIndex}`),
        ['/l null'],
      );
      assert.match(secret[0].message, /present in the final image/);
      assert.equal(findings.filter((f) => f.ruleId === 'deleted-file' || f.ruleId === 'overwritten-file').length, 0);
    });
  },
);
