/**
 * One layer, many ways to write its headers, held to the Docker engine's unpack (`docker import`,
 * then `docker export`): seeded random layers whose entries are written with a name in the ustar
 * field, split into prefix and name, in a PAX `path` record or a GNU long-name record over a
 * decoy name (or both, where the GNU record wins), with `./` or `/` in front; link targets in
 * the header, a PAX `linkpath` or a GNU long-link record over a decoy; sizes in octal, in
 * base-256, or in a PAX `size` record over a decoy size; NUL typeflags and trailing slashes; and
 * global PAX headers, which the runtimes ignore. layerlens's tree must list what Docker wrote.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { memoryReader } from '../../src/sources/memory.js';
import { exportedList } from '../support/docker-unpack.js';
import { listTree } from '../support/export-list.js';
import { docker, requireEnv, skipReasonUnless } from '../support/harness.js';
import { imageOfTars } from '../support/image.js';
import { rng } from '../support/mutate.js';
import { type CraftEntry, gnuLong, header, padded, pax, type RawHeader } from '../support/tar-craft.js';

const SEEDS = 100;
let globals = 0;
const COMPONENTS = ['a', 'b', 'é', 'x'.repeat(60), 'y'.repeat(99), 'z'.repeat(120)];

/** The blocks of one entry, its name, link target and size written the way `rnd` picks. */
function encode(
  rnd: () => number,
  e: { name: string; type: 'file' | 'dir' | 'symlink' | 'hardlink'; link?: string; data?: Buffer },
): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const blocks: Buffer[] = [];
  const add = (c: CraftEntry) => {
    blocks.push(header(c.header));
    if (c.data?.length) blocks.push(padded(c.data));
  };
  let name = e.type === 'dir' && rnd() < 0.7 ? `${e.name}/` : e.name;
  name = pick(['', '', '', './', '/']) + name;
  const bytes = Buffer.byteLength(name);
  const h: RawHeader = { mode: e.type === 'dir' ? 0o755 : 0o644 };
  const records: Array<[string, string]> = [];
  let gnu: string | undefined;
  // The name.
  const cut = name.lastIndexOf('/', name.length - 2);
  const way = pick(['plain', 'prefix', 'pax', 'gnu', 'both']);
  if (way === 'plain' && bytes <= 100) h.name = name;
  else if (way === 'prefix' && cut > 0 && cut <= 155 && Buffer.byteLength(name.slice(cut + 1)) <= 100) {
    h.prefix = name.slice(0, cut);
    h.name = name.slice(cut + 1);
  } else if (way === 'gnu' || way === 'both') {
    gnu = name;
    h.name = 'decoy-gnu';
    if (way === 'both') records.push(['path', 'decoy-pax']);
  } else {
    records.push(['path', name]);
    h.name = 'decoy-pax';
  }
  // The type.
  if (e.type === 'file') h.typeflag = rnd() < 0.3 ? '\0' : '0';
  else if (e.type === 'dir') h.typeflag = '5';
  else h.typeflag = e.type === 'symlink' ? '2' : '1';
  // The link target.
  let gnuLink: string | undefined;
  if (e.link !== undefined) {
    const lw = pick(['plain', 'pax', 'gnu']);
    if (lw === 'plain' && Buffer.byteLength(e.link) <= 100) h.linkname = e.link;
    else if (lw === 'gnu') {
      gnuLink = e.link;
      h.linkname = 'decoy-link';
    } else {
      records.push(['linkpath', e.link]);
      h.linkname = 'decoy-link';
    }
  }
  // The size.
  const size = e.data?.length ?? 0;
  const sw = pick(['octal', 'base256', 'pax']);
  if (sw === 'pax' && e.type === 'file') {
    records.push(['size', String(size)]);
    h.size = size + 7; // a decoy: the PAX record frames the data
  } else h.size = sw === 'base256' ? BigInt(size) : size;
  if (rnd() < 0.15) {
    // (Named apart: Docker counts a global header as a path, named by its own path record, makes
    // its parent directories, and refuses a layer that names a path twice.)
    const n = globals++;
    const g = pax(
      [
        ['path', `global-${n}/decoy`],
        ['comment', 'ignored'],
      ],
      'g',
    );
    g.header.name = `global-header-${n}`;
    add(g);
  }
  if (records.length) add(pax(records));
  if (gnu !== undefined) add(gnuLong(gnu, 'L'));
  if (gnuLink !== undefined) add(gnuLong(gnuLink, 'K'));
  h.format = gnu !== undefined || gnuLink !== undefined || typeof h.size === 'bigint' ? 'gnu' : 'ustar';
  if (h.format === 'gnu' && h.prefix !== undefined) {
    // (GNU headers have no prefix field: put the name whole in a GNU record instead.)
    add(gnuLong(`${h.prefix}/${h.name}`, 'L'));
    h.prefix = undefined;
    h.name = 'decoy-gnu';
  }
  add({ header: h, data: e.data });
  return Buffer.concat(blocks);
}

/** A random layer: parents before children, no path twice (Docker refuses that), links to earlier files. */
export function randomLayer(rnd: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  const files: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const depth = 1 + Math.floor(rnd() * 3);
    const path = Array.from({ length: depth }, () => pick(COMPONENTS)).join('/');
    if (used.has(path) || [...used].some((u) => path.startsWith(`${u}/`) && !dirs.has(u))) continue;
    // Its parents, as directories of their own (unless a file is there).
    const segs = path.split('/');
    let ok = true;
    for (let k = 1; k < segs.length; k++) {
      const p = segs.slice(0, k).join('/');
      if (used.has(p) && !dirs.has(p)) ok = false;
    }
    if (!ok) continue;
    for (let k = 1; k < segs.length; k++) {
      const p = segs.slice(0, k).join('/');
      if (!used.has(p)) {
        used.add(p);
        dirs.add(p);
        parts.push(encode(rnd, { name: p, type: 'dir' }));
      }
    }
    used.add(path);
    const r = rnd();
    if (r < 0.45) {
      parts.push(
        encode(rnd, { name: path, type: 'file', data: Buffer.from(`file ${i} `.repeat(1 + Math.floor(rnd() * 90))) }),
      );
      files.push(path);
    } else if (r < 0.65) {
      dirs.add(path);
      parts.push(encode(rnd, { name: path, type: 'dir' }));
    } else if (r < 0.85 || !files.length)
      parts.push(encode(rnd, { name: path, type: 'symlink', link: pick(['a', '../b', `/${'t'.repeat(130)}`, 'é/x']) }));
    else parts.push(encode(rnd, { name: path, type: 'hardlink', link: pick(files) }));
  }
  parts.push(Buffer.alloc(1024));
  lastParts = parts;
  return Buffer.concat(parts);
}

/** (The entries of the last random layer, one Buffer each: for narrowing a failure down.) */
export let lastParts: Buffer[] = [];

test('header encodings: the tree is what Docker unpacks, however the names, links and sizes are written', {
  skip: skipReasonUnless('tar'),
  timeout: 10 * 60_000,
}, async () => {
  const dir0 = await mkdtemp(join(requireEnv().workdir, 'encodings-'));
  let compared = 0;
  try {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const layer = randomLayer(rng(seed));
      const { meta, blobs } = imageOfTars([layer]);
      const model = new ImageModel();
      await model.load(memoryReader(meta, blobs));
      const ours = listTree(model, 0);
      assert.ok(ours, `seed ${seed}: a hard link the tree cannot list`);
      const tarPath = join(dir0, `s${seed}.tar`);
      await writeFile(tarPath, layer);
      const tag = `layerlens-it/encodings:s${seed}`;
      await docker(['import', tarPath, tag]);
      const out = join(dir0, `s${seed}`);
      try {
        assert.deepEqual(ours, await exportedList(tag, out), `seed ${seed}: the tree and Docker's file system differ`);
        compared++;
      } finally {
        await docker(['rmi', tag]);
        await rm(out, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(dir0, { recursive: true, force: true });
  }
  assert.equal(compared, SEEDS);
});
