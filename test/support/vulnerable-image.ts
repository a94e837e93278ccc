/**
 * A small image with known vulnerabilities for the explorer's tests (unit and e2e): a Debian 12
 * base layer (os-release, a dpkg database, coreutils' file list) ended by debian's `CMD ["bash"]`,
 * then a layer of node_modules (lodash 4.17.20, minimist 0.0.8 nested and the fixed 1.2.6, the
 * made-up layerlens-test-unrated). Real tars, read by the real engine; the database is built by
 * `db update` from the OSV fixtures (test/support/vuln-db.ts).
 */
import { mapHistory } from '../../src/engine/history.js';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageMeta } from '../../src/engine/types.js';
import { createContentInspector } from '../../src/findings/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { memoryImage } from './image.js';

const dpkg = (pkgs: Array<[string, string, string?]>) =>
  pkgs
    .map(
      ([n, v, src]) =>
        `Package: ${n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${v}\n${src ? `Source: ${src}\n` : ''}`,
    )
    .join('\n');
const pkgJson = (name: string, version: string) => JSON.stringify({ name, version });

export const NPM_COMMAND = 'RUN npm install lodash@4.17.20 minimist@1.2.6 layerlens-test-unrated@1 # buildkit';

/** The image's metadata and layer blobs (history: ADD rootfs, CMD ["bash"], RUN npm install). */
export async function vulnerableImage(): Promise<{ meta: ImageMeta; blobs: Buffer[] }> {
  const { meta, blobs } = await memoryImage([
    {
      createdBy: '/bin/sh -c #(nop) ADD file:4b1d2c3e in / ',
      entries: [
        {
          name: 'etc/os-release',
          content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
        },
        {
          name: 'var/lib/dpkg/status',
          content: dpkg([
            ['libc6', '2.36-9+deb12u7', 'glibc'],
            ['coreutils', '9.1-1'],
            ['tar', '1.34+dfsg-1.2+deb12u1'],
          ]),
        },
        { name: 'var/lib/dpkg/info/coreutils.list', content: '/.\n/bin\n/bin/cat\n/bin/ls\n' },
        { name: 'bin/cat', content: 'cat' },
        { name: 'bin/ls', content: 'ls' },
      ],
    },
    {
      createdBy: NPM_COMMAND,
      entries: [
        { name: 'app/node_modules/lodash/package.json', content: pkgJson('lodash', '4.17.20') },
        { name: 'app/node_modules/lodash/lodash.js', content: 'module.exports = {};\n' },
        { name: 'app/node_modules/minimist/package.json', content: pkgJson('minimist', '1.2.6') },
        {
          name: 'app/node_modules/old/node_modules/minimist/package.json',
          content: pkgJson('minimist', '0.0.8'),
        },
        {
          name: 'app/node_modules/layerlens-test-unrated/package.json',
          content: pkgJson('layerlens-test-unrated', '1.0.0'),
        },
      ],
    },
  ]);
  const cfg = meta.config;
  cfg.config = { User: '1000' };
  cfg.history = [
    cfg.history![0],
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    cfg.history![1],
  ];
  meta.history = mapHistory(cfg);
  return { meta, blobs };
}

/** The image loaded by the engine with the content inspector (as the explorer loads it). */
export async function loadedVulnerableImage(): Promise<ImageModel> {
  const { meta, blobs } = await vulnerableImage();
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector() });
  return model;
}

export { fixtureDb } from './vuln-db.js';
