import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileTree } from '../../src/engine/tree.js';
import type { EntryAttrs } from '../../src/engine/types.js';
import { VersionStore, sameVersion, versionKey } from '../../src/engine/version-store.js';

const file = (size: number, extra: Partial<EntryAttrs> = {}): EntryAttrs => ({
  type: 'file',
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 1_700_000_000,
  ...extra,
});

test('slots keep every field across segment boundaries and the first segment growing', () => {
  const st = new VersionStore();
  const n = 40_000; // past two full segments, the first one grown from its small start
  for (let i = 0; i < n; i++)
    st.add(i % 2 ? 'dir' : 'file', i * 3, i & 0o7777, i, i + 1, 1_600_000_000 + i, i % 7, 'added', undefined, i);
  assert.equal(st.length, n);
  for (const i of [0, 63, 64, 127, 16_383, 16_384, 32_767, 32_768, n - 1]) {
    const v = st.view(i);
    assert.deepEqual(
      [v.type, v.size, v.mode, v.uid, v.gid, v.mtime, v.layer, v.change, v.previousLayer, v.entry],
      [i % 2 ? 'dir' : 'file', i * 3, i & 0o7777, i, i + 1, 1_600_000_000 + i, i % 7, 'added', undefined, i],
      `slot ${i}`,
    );
  }
});

test('numbers that do not fit 32 bits, and the slots marks themselves, read back as written', () => {
  const st = new VersionStore();
  // A base-256 uid, a PAX uid past 2^32, a negative mtime, a size past 2^53's neighbours, and
  // the two int32 values the store uses as marks (-2^31 means "none", -2^31+1 "wide").
  const odd = [2 ** 40, -1, -(2 ** 31), -(2 ** 31) + 1, 2 ** 31, 0.5];
  for (const x of odd) {
    const i = st.add('file', 2 ** 52 + 1, x, x, x, -12345.5, 3, 'modified', x, 9);
    const v = st.view(i);
    assert.deepEqual([v.mode, v.uid, v.gid, v.previousLayer, v.size, v.mtime], [x, x, x, x, 2 ** 52 + 1, -12345.5]);
  }
});

test('rare fields, the digest and the inspector result live beside the columns and copy with a slot', () => {
  const a = new VersionStore();
  const b = new VersionStore();
  const i = a.addAttrs(
    { ...file(5), type: 'other', special: 'char-device', devMajor: 1, devMinor: 3, xattrs: { 'user.x': 'y' } },
    0,
    'added',
    undefined,
    { found: 1 },
    7,
    true,
  );
  const v = a.view(i);
  v.digest = 'd';
  assert.deepEqual(
    [v.special, v.devMajor, v.devMinor, v.xattrs, v.content, v.implicit],
    ['char-device', 1, 3, { 'user.x': 'y' }, { found: 1 }, true],
  );
  const j = b.copy(a, i, 2, 'modified', 0, 11);
  const w = b.view(j);
  assert.deepEqual(
    [w.special, w.devMajor, w.xattrs, w.digest, w.content, w.layer, w.change, w.previousLayer, w.entry],
    ['char-device', 1, { 'user.x': 'y' }, 'd', { found: 1 }, 2, 'modified', 0, 11],
  );
  assert.equal(w.implicit, undefined, 'implicit is a placement, not an attribute: not copied');
  // The copy's rare fields are its own: a link resolved in one tree does not move the other's.
  w.linkTarget = '/elsewhere';
  assert.equal(v.linkTarget, undefined);
});

test('a result or a rare field set on a plain slot later is found, survives edits of its flags, and clears', () => {
  // (The store marks the slots that have either in their flags byte and asks its side maps only
  // for those: a mark lost by a later edit would hide a secret's result or a link's target.)
  const st = new VersionStore();
  const plain = Array.from({ length: 70 }, (_, k) => st.addAttrs(file(k), 1, 'added', undefined, undefined, k));
  const i = plain[64]; // past the first segment's growth
  assert.equal(st.content(i), undefined);
  assert.equal(st.rareOf(i), undefined);
  st.setContent(i, { secrets: [] });
  st.setRare(i, 'linkTarget', '/t');
  for (const edit of [
    () => st.setType(i, 'hardlink'),
    () => st.setChange(i, 'removed'),
    () => st.setImplicit(i, true),
    () => st.setImplicit(i, false),
  ])
    edit();
  assert.deepEqual(
    [st.content(i), st.rareOf(i)?.linkTarget, st.type(i), st.change(i)],
    [{ secrets: [] }, '/t', 'hardlink', 'removed'],
  );
  const copy = st.copy(st, i, 2, 'modified', 1, 99);
  assert.deepEqual([st.content(copy), st.rareOf(copy)?.linkTarget], [{ secrets: [] }, '/t']);
  st.setContent(i, undefined);
  assert.equal(st.content(i), undefined);
  assert.deepEqual(st.content(copy), { secrets: [] }, 'the copy keeps its own');
  // Neighbours never set stay empty.
  for (const k of [plain[63], plain[65]]) assert.deepEqual([st.content(k), st.rareOf(k)], [undefined, undefined]);
});

test('digests: read back per slot in every segment, none where none was set, cleared, copied to another store', () => {
  const a = new VersionStore();
  const n = 50_000; // past three segments
  for (let i = 0; i < n; i++) a.add('file', i, 0o644, 0, 0, 0, 0, 'added', undefined, i);
  // Only the third segment and a few slots of the first get digests (a comparison sets them on
  // regular files only): the second segment has none, and reads as none.
  const digestOf = (i: number) => `sha-${i}`.padEnd(32, '.');
  const set = [0, 1, 63, 64, 16_383, 32_768, 40_000, n - 1];
  for (const i of set) a.setDigest(i, digestOf(i));
  for (const i of [2, 100, 16_384, 20_000, 32_767, 40_001]) assert.equal(a.digest(i), undefined, `slot ${i}`);
  for (const i of set) assert.equal(a.view(i).digest, digestOf(i), `slot ${i}`);
  a.setDigest(64, undefined);
  assert.equal(a.digest(64), undefined);
  // Copies keep the digest where the source had one, and only there.
  const b = new VersionStore();
  for (const i of [0, 2, 40_000, n - 1, 64]) b.copy(a, i, 1, 'modified', 0, i);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((j) => b.digest(j)),
    [digestOf(0), undefined, digestOf(40_000), digestOf(n - 1), undefined],
  );
  // A store that never held a digest copies none and reads none.
  const c = new VersionStore();
  c.copy(b, 1, 2, 'modified', 1, 0);
  assert.equal(c.digest(0), undefined);
});

test('views are made per ask: sameVersion and versionKey name the version, === does not', () => {
  const tree = new FileTree();
  tree.beginLayer(0);
  tree.put(['etc', 'passwd'], file(10), 0);
  const node = tree.lookupPath('/etc/passwd')!;
  const a = node.liveAt(0)!;
  const b = node.versionAt(0)!;
  assert.notEqual(a, b);
  assert.ok(sameVersion(a, b));
  assert.equal(versionKey(a), versionKey(b));
  assert.ok(!sameVersion(a, tree.lookupPath('/etc')!.liveAt(0)));
  assert.ok(!sameVersion(a, undefined));
  // A plain object is only ever the same as itself.
  const plain = { ...file(1), layer: 0, change: 'added' as const, entry: -1 };
  assert.ok(sameVersion(plain, plain));
  assert.ok(!sameVersion(plain, a));
});

test('a version superseded in its own layer stays readable where it was kept', () => {
  const tree = new FileTree();
  tree.beginLayer(0);
  tree.put(['app', 'key'], file(3), 0, undefined, 1);
  tree.put(['app', 'key'], file(9), 0, undefined, 2); // the same name again: the first is a copy
  assert.equal(tree.inLayerCopies.length, 1);
  const copy = tree.inLayerCopies[0].version;
  assert.deepEqual([copy.size, copy.entry, copy.layer], [3, 1, 0]);
  const node = tree.lookupPath('/app/key')!;
  assert.deepEqual(
    node.versions.map((v) => [v.size, v.entry]),
    [[9, 2]],
  );
});

test('every node of a tree has one shape (made as one literal: version-store and tree.ts newNode)', () => {
  // V8 allocates objects made by one literal site in the old generation once they are seen to
  // survive; a second way to make nodes (a `new`, a field added later) would give them two shapes.
  const script = `
    const { FileTree } = await import(${JSON.stringify(new URL('../../src/engine/tree.ts', import.meta.url).href)});
    const t = new FileTree();
    t.beginLayer(0);
    t.put(['a', 'b', 'c'], { type: 'file', size: 1, mode: 420, uid: 0, gid: 0, mtime: 0 }, 0);
    t.put(['a', 'd'], { type: 'dir', size: 0, mode: 493, uid: 0, gid: 0, mtime: 0 }, 0);
    const nodes = [...t.allNodes];
    console.log(nodes.length, nodes.every((n) => %HaveSameMap(n, nodes[0])), %HasFastProperties(nodes[1]));
  `;
  const r = spawnSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    },
  );
  assert.equal(r.stdout.trim(), '5 true true', r.stderr);
});
