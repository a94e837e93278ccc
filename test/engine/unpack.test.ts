/**
 * The tree is the filesystem a container gets: names cleaned as the runtimes clean them, entries
 * that would climb out of the root refused, symlinked parents resolved inside the root, hardlink
 * targets resolved likewise, and every such entry noted for the findings. The layers are written
 * by hand (test/support/tar-craft.ts): no honest tar writer produces most of these.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLayerFile } from '../../src/engine/layer-file.js';
import type { UnpackNote } from '../../src/engine/types.js';
import { changeLines, liveTree, loadTars } from '../support/image.js';
import { dir, file, hardlink, pax, symlink, tar } from '../support/tar-craft.js';

const notes = (m: { tree: { unpackNotes: UnpackNote[] } }) =>
  m.tree.unpackNotes.map((n) => `${n.layer} ${n.problem} ${n.name}${n.path ? ' @' + n.path : ''}`);

test('names are cleaned as runtimes clean them: x/../etc/os-release is /etc/os-release', async () => {
  const m = await loadTars([
    tar([dir('etc/'), file('etc/os-release', 'ID=debian\n')]),
    tar([file('x/../etc/os-release', 'ID=alpine\n'), file('./usr//bin/./tool', 't'), file('/../../abs', 'a')]),
  ]);
  assert.deepEqual(liveTree(m, 1), ['/abs', '/etc/', '/etc/os-release', '/usr/', '/usr/bin/', '/usr/bin/tool']);
  assert.equal(m.tree.lookupPath('/etc/os-release')!.liveAt(1)!.change, 'modified');
  assert.equal(m.tree.lookupPath('/x'), undefined);
  // The re-reader finds the bytes of the entry that wrote the path, whatever its name in the tar.
  assert.equal((await readLayerFile(m, 1, '/etc/os-release')).data.toString(), 'ID=alpine\n');
  assert.deepEqual(notes(m), []);
});

test('an entry or hardlink above the root is refused and noted; the rest of the layer applies', async () => {
  const m = await loadTars([
    tar([
      dir('etc/'),
      file('../../etc/passwd', 'root::0:0::/:/bin/sh\n'),
      file('a/../../b', 'x'),
      hardlink('hl', '../../etc/shadow'),
      file('.././.wh.victim'),
      file('ok', 'fine'),
    ]),
  ]);
  assert.deepEqual(liveTree(m, 0), ['/etc/', '/ok']);
  assert.deepEqual(notes(m), [
    '0 escape ../../etc/passwd',
    '0 escape a/../../b',
    '0 link-escape hl',
    '0 escape .././.wh.victim',
  ]);
  assert.equal(m.tree.unpackNotes[2].link, '../../etc/shadow');
});

test('a write under a symlinked parent lands where the symlink points, inside the root', async () => {
  const m = await loadTars([
    tar([dir('etc/'), file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n'), dir('usr/'), dir('usr/lib/')]),
    tar([
      symlink('sl', '/etc'),
      file('sl/passwd', 'root::0:0::/root:/bin/sh\n'),
      symlink('usr/lib64', 'lib'),
      file('usr/lib64/libx.so', 'ELF'),
      symlink('up', '../../../../etc'),
      file('up/hosts', '127.0.0.1 x\n'),
      symlink('missing', '/opt/new'),
      file('missing/file', 'n'),
    ]),
  ]);
  assert.deepEqual(changeLines(m, 1), [
    'added dir /opt',
    'added dir /opt/new',
    'added file /etc/hosts',
    'added file /opt/new/file',
    'added file /usr/lib/libx.so',
    'added symlink /missing',
    'added symlink /sl',
    'added symlink /up',
    'added symlink /usr/lib64',
    'modified file /etc/passwd',
  ]);
  assert.equal(m.tree.lookupPath('/sl')!.liveAt(1)!.type, 'symlink');
  assert.equal((await readLayerFile(m, 1, '/etc/passwd')).data.toString(), 'root::0:0::/root:/bin/sh\n');
  assert.deepEqual(notes(m), [
    '1 through-symlink sl/passwd @/etc/passwd',
    '1 through-symlink usr/lib64/libx.so @/usr/lib/libx.so',
    '1 through-symlink up/hosts @/etc/hosts',
    '1 through-symlink missing/file @/opt/new/file',
  ]);
  assert.deepEqual([m.tree.unpackNotes[0].symlink, m.tree.unpackNotes[0].symlinkTarget], ['/sl', '/etc']);
});

test('a whiteout under a symlinked parent deletes through it; a hardlink target resolves through it', async () => {
  const m = await loadTars([
    tar([dir('etc/'), file('etc/shadow', 'root:*:1::::::\n'), file('etc/motd', 'hi'), symlink('sl', 'etc')]),
    tar([file('sl/.wh.motd'), hardlink('copy', 'sl/shadow')]),
  ]);
  assert.deepEqual(changeLines(m, 1), ['added hardlink /copy', 'removed file /etc/motd']);
  assert.equal(m.tree.lookupPath('/copy')!.liveAt(1)!.linkTarget, '/etc/shadow');
  assert.deepEqual(notes(m), ['1 through-symlink sl/motd @/etc/motd']);
  assert.equal(m.tree.unpackNotes[0].whiteout, true);
});

test('a parent that loops through symlinks, or is a file, is refused like the runtimes refuse it', async () => {
  const m = await loadTars([
    tar([
      symlink('a', 'b'),
      symlink('b', 'a'),
      file('a/x', 'loop'),
      symlink('self', 'self/deeper'),
      file('self/y', 'loop'),
      file('f', 'a file'),
      file('f/child', 'under a file'),
    ]),
  ]);
  assert.deepEqual(liveTree(m, 0), ['/a', '/b', '/f', '/self']);
  assert.equal(m.tree.lookupPath('/f')!.liveAt(0)!.type, 'file');
  assert.deepEqual(notes(m), ['0 symlink-loop a/x', '0 symlink-loop self/y', '0 not-a-directory f/child @/f']);
});

const copies = (m: {
  tree: { inLayerCopies: Array<{ node: { path: string }; version: { layer: number; size: number }; how: string }> };
}) => m.tree.inLayerCopies.map((c) => `${c.version.layer} ${c.how} ${c.node.path} ${c.version.size}`);

test('a symlink or directory twice in one layer: the last taken, and noted (no bytes kept aside)', async () => {
  const m = await loadTars([
    tar([
      symlink('link', '/safe'),
      symlink('link', '/etc/shadow'),
      dir('d/', { mode: 0o755 }),
      dir('d/', { mode: 0o700 }),
    ]),
  ]);
  assert.equal(m.tree.lookupPath('/link')!.liveAt(0)!.linkTarget, '/etc/shadow');
  assert.equal(m.tree.lookupPath('/d')!.liveAt(0)!.mode & 0o777, 0o700);
  assert.deepEqual(copies(m), []);
  assert.deepEqual(notes(m), ['0 rewritten link @/link', '0 rewritten d @/d']);
  assert.ok(m.tree.unpackNotes.every((n) => n.duplicate && n.files === 0));
});

test('a name twice in one layer: the tree and the re-reader take the last; the first is kept aside and noted', async () => {
  const m = await loadTars([tar([file('dup', 'first'), file('dup', 'second, longer')])]);
  const v = m.tree.lookupPath('/dup')!.liveAt(0)!;
  assert.equal(v.size, 'second, longer'.length);
  assert.equal(v.change, 'added');
  assert.equal((await readLayerFile(m, 0, '/dup')).data.toString(), 'second, longer');
  // The first copy is in no file system, but in the blob: the checks of shipped bytes read it.
  assert.deepEqual(copies(m), ['0 overwritten /dup 5']);
  assert.deepEqual(notes(m), ['0 rewritten dup @/dup']);
  assert.equal(m.tree.unpackNotes[0].duplicate, true);
});

test('an entry over a directory the same layer filled removes what the layer wrote into it, as a runtime does', async () => {
  // Docker and containerd remove an existing path before writing an entry over it (unless both
  // are directories), whatever layer put it there: the layer's own a/x and a/d/y go with a.
  const m = await loadTars([
    tar([dir('a/'), file('a/low', 'lower'), file('a/both', 'lower copy')]),
    tar([
      file('a/x', 'own'),
      file('a/both', 'rewritten here'),
      dir('a/d/'),
      file('a/d/y', 'deeper'),
      file('a', 'now a file'),
      file('b/keep', 'untouched'),
    ]),
  ]);
  assert.deepEqual(liveTree(m, 1), ['/a', '/b/', '/b/keep']);
  assert.deepEqual(changeLines(m, 1), [
    'added dir /b',
    'added file /b/keep',
    'modified file /a',
    'removed file /a/both',
    'removed file /a/low',
  ]);
  // Written and removed within layer 1, no lower version: no version at all.
  for (const p of ['/a/x', '/a/d', '/a/d/y']) assert.equal(m.tree.lookupPath(p)!.versionCount, 0, p);
  // Rewritten in layer 1, then removed: the removal is of layer 0's copy.
  const both = m.tree.lookupPath('/a/both')!;
  assert.deepEqual(
    both.versions.map((v) => `${v.layer} ${v.change} ${v.previousLayer ?? ''}`),
    ['0 added ', '1 removed 0'],
  );
  assert.deepEqual(copies(m).sort(), ['1 deleted /a/both 14', '1 deleted /a/d/y 6', '1 deleted /a/x 3']);
  assert.deepEqual(notes(m), ['1 rewritten a @/a']);
  assert.equal(m.tree.unpackNotes[0].files, 3);
  assert.equal((await readLayerFile(m, 1, '/a')).data.toString(), 'now a file');
});

test('whiteouts and opaque markers hide only lower layers (the spec); a whiteout after the layer wrote the path is noted', async () => {
  const m = await loadTars([
    tar([dir('opt/'), file('opt/old', 'lower'), dir('srv/'), file('srv/low', 'lower')]),
    tar([
      file('opt/new', 'own'),
      file('opt/.wh..wh..opq', ''),
      file('keep', 'own'),
      file('.wh.keep', ''),
      file('srv/own', 'own'),
      file('.wh.srv', ''),
      file('.wh.gone', ''),
      file('later', 'own, after its whiteout'),
      file('.wh.later', ''), // noted: written before
      file('.wh.first', ''),
      file('first', 'own, after its whiteout'), // not noted: every reading agrees
    ]),
  ]);
  assert.deepEqual(liveTree(m, 1), ['/first', '/keep', '/later', '/opt/', '/opt/new', '/srv/', '/srv/own']);
  assert.deepEqual(copies(m), []);
  // Docker and containerd remove what the layer wrote before its whiteout; the spec keeps it.
  assert.deepEqual(notes(m), ['1 rewritten keep @/keep', '1 rewritten srv @/srv', '1 rewritten later @/later']);
  assert.ok(m.tree.unpackNotes.every((n) => n.whiteout));
});

test('names keep their bytes: invalid UTF-8 as \\xNN, a backslash as \\\\, from ustar, GNU and PAX alike', async () => {
  const bad = Buffer.from([0x66, 0xff, 0xfe]); // "f" and two bytes that are not UTF-8
  const m = await loadTars([
    tar([
      file(bad, 'ustar name'),
      pax([['path', Buffer.concat([Buffer.from('p'), bad])]]),
      file('ignored', 'pax name'),
      file('f\\xff\\xfe', 'a real backslash name'),
      file('caf\u00e9', 'utf-8'),
    ]),
  ]);
  assert.deepEqual(liveTree(m, 0), ['/caf\u00e9', '/f\\\\xff\\\\xfe', '/f\\xff\\xfe', '/pf\\xff\\xfe']);
  assert.equal((await readLayerFile(m, 0, '/f\\xff\\xfe')).data.toString(), 'ustar name');
  assert.equal((await readLayerFile(m, 0, '/f\\\\xff\\\\xfe')).data.toString(), 'a real backslash name');
  assert.equal((await readLayerFile(m, 0, '/pf\\xff\\xfe')).data.toString(), 'pax name');
});

test('a directory replaced through a symlink is no directory for the entries after it, in the same run', async () => {
  // a/b/c -> .. points at a, so a/b/c/b is a/b: a file that replaces the directory a/b by a name
  // that does not pass through it. The entries after it in a/b have no directory to go into.
  const m = await loadTars([
    tar([
      dir('a/'),
      dir('a/b/'),
      file('a/b/x', 'one'),
      symlink('a/b/c', '..'),
      file('a/b/c/b', 'now a file'),
      file('a/b/y', 'no directory'),
      dir('a/b/g/'),
    ]),
  ]);
  assert.equal(m.tree.lookupPath('/a/b')!.liveAt(0)!.type, 'file');
  assert.equal((await readLayerFile(m, 0, '/a/b')).data.toString(), 'now a file');
  // Nothing was put into the file, and what the layer had put into the directory went with it.
  assert.equal(m.tree.lookupPath('/a/b/y'), undefined);
  assert.equal(m.tree.lookupPath('/a/b/g'), undefined);
  assert.deepEqual(liveTree(m, 0), ['/a/', '/a/b']);
  assert.deepEqual(copies(m), ['0 deleted /a/b/x 3']);
  assert.deepEqual(notes(m), [
    '0 through-symlink a/b/c/b @/a/b',
    '0 rewritten a/b @/a/b',
    '0 not-a-directory a/b/y @/a/b',
    '0 not-a-directory a/b/g @/a/b',
  ]);
});

test('late whiteouts: each noted once, however often repeated; only an entry before it counts; through symlinks as applied', async () => {
  const m = await loadTars([
    tar([dir('big/'), file('big/a', 'lower'), dir('etc/'), file('etc/conf', 'lower')]),
    tar([
      ...Array.from({ length: 50 }, () => file('.wh.big', '')), // before the layer's own big/new: agreed
      file('big/new', 'own'),
      ...Array.from({ length: 50 }, () => file('.wh.big', '')), // after it: noted once
      symlink('link', 'etc'),
      file('etc/own', 'own'),
      file('link/.wh.own', ''), // the whiteout of /etc/own, named through the symlink
    ]),
  ]);
  assert.deepEqual(
    m.tree.unpackNotes.filter((n) => n.problem === 'rewritten').map((n) => `${n.name} @${n.path}`),
    ['big @/big', 'link/own @/etc/own'],
  );
  assert.deepEqual(liveTree(m, 1), ['/big/', '/big/new', '/etc/', '/etc/conf', '/etc/own', '/link']);
});

test('an opaque marker after the layer wrote under directories it did not list: noted; before them, or over listed ones, not', async () => {
  const m = await loadTars([
    tar([dir('opt/'), dir('opt/lib/'), file('opt/lib/old', 'lower'), dir('srv/'), dir('var/')]),
    tar([
      file('opt/lib/new', 'own, under a directory only a lower layer listed'),
      file('opt/.wh..wh..opq', ''), // after it: runtimes remove opt/lib, new and all
      dir('srv/app/'),
      file('srv/app/x', 'own, under a directory this layer listed'),
      file('srv/.wh..wh..opq', ''), // after them, but srv/app was listed before it: kept by all
      file('var/.wh..wh..opq', ''), // before: kept by all
      file('var/cache/y', 'own, after the marker'),
    ]),
  ]);
  assert.deepEqual(
    m.tree.unpackNotes.map((n) => `${n.problem} ${n.name} @${n.path}${n.opaque ? ' opaque' : ''}`),
    ['rewritten opt/.wh..wh..opq @/opt opaque'],
  );
  // The tree keeps the spec's reading: the lower opt/lib/old hidden, the layer's own entries kept.
  assert.deepEqual(liveTree(m, 1), [
    '/opt/',
    '/opt/lib/',
    '/opt/lib/new',
    '/srv/',
    '/srv/app/',
    '/srv/app/x',
    '/var/',
    '/var/cache/',
    '/var/cache/y',
  ]);
});
