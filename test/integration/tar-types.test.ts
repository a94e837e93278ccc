/**
 * Sparse files and typeflags, held to the real Docker engine's unpack (`docker import`, then
 * `docker export`):
 * - `tar --sparse` in POSIX form (GNU tar, sparse formats 1.0, 0.1 and 0.0): Docker writes the file
 *   at its real name and size; layerlens's tree of the layer is the export's file list, and the
 *   file's bytes (holes and all) are the exported file's;
 * - a crafted sparse name (`GNU.sparse.name`) that renames the file: Docker writes it there, the
 *   tree shows it there, and the secret in it is reported at that path;
 * - `tar --sparse` in GNU form (typeflag 'S') and typeflags of no runtime ('7', 'D', 'V'):
 *   Docker refuses the layer, naming the type; layerlens reports the same entry and type.
 */
import assert from 'node:assert/strict';
import { readFile, truncate, writeFile, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLayerFile } from '../../src/engine/layer-file.js';
import { ImageModel } from '../../src/engine/image.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { dockerFiles, imported, unpackTest } from '../support/docker-unpack.js';
import { githubToken } from '../support/fake-secrets.js';
import { CommandError, run } from '../support/harness.js';
import { imageOfTars, liveTree } from '../support/image.js';
import { file, pax, paxSparse10, tar } from '../support/tar-craft.js';

async function load(layer: Buffer) {
  const { meta, blobs } = imageOfTars([layer]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector({}) });
  return { model, findings: runChecks(model, { reference: 'memory', now: new Date('2026-12-04T00:00:00Z') }) };
}

/** A sparse file of six data regions (more than an old GNU header holds) and holes between and after. */
async function sparseFile(path: string): Promise<void> {
  const fh = await openFile(path, 'w');
  try {
    for (let i = 0; i < 6; i++) await fh.write(Buffer.from(`region ${i}\n`.repeat(30 + i)), 0, undefined, i * 40_000);
  } finally {
    await fh.close();
  }
  await truncate(path, 6 * 40_000 + 9_999);
}

const sameTree = (model: ImageModel, paths: string[]) =>
  assert.deepEqual(
    liveTree(model, 0).map((p) => p.replace(/\/$/, '')),
    paths.map((p) => p.replace(/\/$/, '')),
  );

for (const version of ['1.0', '0.1', '0.0']) {
  unpackTest(
    `tar --sparse, POSIX form ${version}: the tree and the file's bytes are what Docker unpacks`,
    async (dir) => {
      await sparseFile(join(dir, 'holes'));
      await writeFile(join(dir, 'after'), 'after\n');
      const tarPath = join(dir, 'layer.tar');
      await run('tar', [
        '-cf',
        tarPath,
        '--sparse',
        '--format=posix',
        `--sparse-version=${version}`,
        '-C',
        dir,
        'holes',
        'after',
      ]);
      const layer = await readFile(tarPath);
      assert.ok(layer.includes('GNU.sparse.'), 'GNU tar wrote the file sparse');
      await imported(tarPath, `sparse-${version.replace('.', '')}`, async (image) => {
        const unpacked = await dockerFiles(image, dir);
        assert.deepEqual(unpacked.paths, ['/after', '/holes']);
        const { model } = await load(layer);
        sameTree(model, unpacked.paths);
        const exported = await unpacked.read('holes');
        assert.equal(exported.length, 6 * 40_000 + 9_999);
        assert.equal(model.tree.lookupPath('/holes')?.versionAt(0)?.size, exported.length);
        assert.equal(
          (await readLayerFile(model, 0, '/holes')).data.equals(exported),
          true,
          'the same bytes, holes and all',
        );
      });
    },
  );
}

unpackTest(
  'a sparse name renames the file: Docker writes it there, the tree shows it there, its secret is found there',
  async (dir) => {
    const token = githubToken();
    const body = Buffer.from(`GITHUB_TOKEN=${token}\n`);
    const layer = tar([
      ...paxSparse10(
        [
          ['GNU.sparse.name', 'srv/deploy.env'],
          ['GNU.sparse.realsize', String(4096 + body.length)],
        ],
        [4096, body.length],
        body,
        'README.txt',
      ),
      file('after', 'after\n'),
    ]);
    const tarPath = join(dir, 'layer.tar');
    await writeFile(tarPath, layer);
    await imported(tarPath, 'sparse-name', async (image) => {
      const unpacked = await dockerFiles(image, dir);
      assert.deepEqual(unpacked.paths, ['/after', '/srv/', '/srv/deploy.env']);
      const { model, findings } = await load(layer);
      sameTree(model, unpacked.paths);
      assert.equal(
        (await readLayerFile(model, 0, '/srv/deploy.env')).data.equals(await unpacked.read('srv/deploy.env')),
        true,
      );
      const secret = findings.find((f) => f.ruleId.startsWith('secret-github'));
      assert.equal(secret?.path, '/srv/deploy.env');
      assert.ok(!JSON.stringify(findings).includes(token), 'masked');
    });
  },
);

unpackTest(
  "tar --sparse in GNU form, and typeflags '7', 'D', 'V': Docker refuses the layer; layerlens names the entry and its type",
  async (dir) => {
    await sparseFile(join(dir, 'holes'));
    const gnuPath = join(dir, 'gnu.tar');
    await run('tar', ['-cf', gnuPath, '--sparse', '--format=gnu', '-C', dir, 'holes']);
    const layers: Array<[string, string, Buffer]> = [['S', 'holes', await readFile(gnuPath)]];
    for (const flag of ['7', 'D', 'V']) {
      layers.push([
        flag,
        `odd-${flag}`,
        tar([
          file('ok', 'ok\n'),
          { header: { name: `odd-${flag}`, typeflag: flag, size: 3 }, data: Buffer.from('odd') },
        ]),
      ]);
    }
    for (const [flag, name, layer] of layers) {
      const tarPath = join(dir, `type-${flag}.tar`);
      await writeFile(tarPath, layer);
      const refused = await imported(tarPath, `type-${flag.charCodeAt(0)}`, async () => {}).then(
        () => '',
        (e: unknown) => (e instanceof CommandError ? e.message : String(e)),
      );
      assert.match(refused, new RegExp(`unhandled tar header type ${flag.charCodeAt(0)}\\b`), `Docker on '${flag}'`);
      const { model, findings } = await load(layer);
      assert.equal(model.tree.lookupPath(`/${name}`), undefined, 'not in the tree');
      const note = findings.find((f) => f.ruleId === 'unpack-refused');
      assert.equal(note?.properties?.tarType, flag);
      assert.equal(note?.properties?.entry, name);
    }
  },
);

unpackTest(
  "an entry Docker refuses ('7', an unknown type) is a file to GNU tar: its secret is reported where tar extracts it",
  async (dir) => {
    for (const flag of ['7', 'Q']) {
      const token = `token=${githubToken()}\n`;
      const layer = tar([file('ok', 'ok\n'), file(`conf/${flag}.env`, token, { typeflag: flag })]);
      const tarPath = join(dir, `bytes-${flag}.tar`);
      await writeFile(tarPath, layer);
      const out = join(dir, `out-${flag}`);
      await run('mkdir', ['-p', out]);
      // GNU tar warns about the unknown type (exit status 0 or 2) and extracts the bytes as a file.
      await run('tar', ['-xf', tarPath, '-C', out]).catch((e: unknown) => {
        if (!(e instanceof CommandError)) throw e;
      });
      assert.equal(await readFile(join(out, `conf/${flag}.env`), 'utf8'), token, `GNU tar on '${flag}'`);
      const { model, findings } = await load(layer);
      assert.equal(model.tree.lookupPath(`/conf/${flag}.env`), undefined, 'not in the tree');
      const secret = findings.find((f) => f.ruleId.startsWith('secret-github'));
      assert.equal(secret?.path, `/conf/${flag}.env`, `the secret in the '${flag}' entry`);
      assert.equal(secret?.properties?.tarType, flag);
      // And the bytes the finding says to extract are those.
      const read = await readLayerFile(model, 0, `/conf/${flag}.env`, undefined, secret?.properties?.entry as number);
      assert.equal(read.data.toString(), token);
    }
  },
);

unpackTest(
  "a PAX global header: ignored as a name, but Docker makes its path's parent directories; so does the tree",
  async (dir) => {
    const layer = tar([pax([['path', 'ghost/sub/x']], 'g'), file('ok', 'ok\n')]);
    const tarPath = join(dir, 'global.tar');
    await writeFile(tarPath, layer);
    await imported(tarPath, 'global', async (image) => {
      const unpacked = await dockerFiles(image, dir);
      assert.deepEqual(unpacked.paths, ['/ghost/', '/ghost/sub/', '/ok']);
      const { model } = await load(layer);
      sameTree(model, unpacked.paths);
    });
  },
);
