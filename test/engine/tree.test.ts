import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeLines, liveTree, loadLayers } from '../support/image.js';

const dir = (name: string, extra = {}) => ({ name, type: 'directory' as const, ...extra });
const file = (name: string, content = 'x', extra = {}) => ({ name, content, ...extra });

test('a file added then whited out stays in history and leaves the aggregated tree', async () => {
  const m = await loadLayers([
    { entries: [dir('root/'), dir('root/.ssh/'), file('root/.ssh/id_rsa', 'KEY')] },
    { entries: [dir('root/.ssh/'), file('root/.ssh/.wh.id_rsa', '')] },
  ]);
  assert.deepEqual(changeLines(m, 1), ['removed file /root/.ssh/id_rsa']);
  assert.deepEqual(liveTree(m, 1), ['/root/', '/root/.ssh/']);
  assert.deepEqual(liveTree(m, 0), ['/root/', '/root/.ssh/', '/root/.ssh/id_rsa']);
  const node = m.tree.lookupPath('/root/.ssh/id_rsa')!;
  assert.deepEqual(
    node.versions.map((v) => `${v.layer}:${v.change}`),
    ['0:added', '1:removed'],
  );
  assert.equal(node.versions[1].previousLayer, 0);
  assert.equal(node.versions[1].size, 3);
});

test("slotsInto lists a path's versions oldest first, as `versions` does, into a reused buffer", async () => {
  const m = await loadLayers([
    { entries: [dir('etc/'), file('etc/a', 'one'), file('etc/b')] },
    { entries: [dir('etc/'), file('etc/a', 'three')] },
    { entries: [dir('etc/'), file('etc/.wh.a', '')] },
    { entries: [dir('etc/'), file('etc/a', 'fourth!')] },
  ]);
  const buf: number[] = [7, 7, 7, 7, 7, 7]; // longer than any history: only the first n are written
  for (const path of ['/etc/a', '/etc/b', '/etc']) {
    const node = m.tree.lookupPath(path)!;
    const n = node.slotsInto(buf);
    const views = node.versions;
    assert.equal(n, views.length, path);
    assert.deepEqual(
      buf.slice(0, n).map((s) => `${node.store.layer(s)}:${node.store.change(s)}:${node.store.size(s)}`),
      views.map((v) => `${v.layer}:${v.change}:${v.size}`),
      path,
    );
  }
  assert.equal(m.tree.lookupPath('/etc/a')!.slotsInto(buf), 4);
});

test('whiteout of a directory removes its whole subtree, recorded per path', async () => {
  const m = await loadLayers([
    { entries: [dir('opt/'), dir('opt/app/'), dir('opt/app/sub/'), file('opt/app/sub/f'), file('opt/keep')] },
    { entries: [dir('opt/'), file('opt/.wh.app', '')] },
  ]);
  assert.deepEqual(changeLines(m, 1), [
    'removed dir /opt/app',
    'removed dir /opt/app/sub',
    'removed file /opt/app/sub/f',
  ]);
  assert.deepEqual(liveTree(m, 1), ['/opt/', '/opt/keep']);
});

test('whiteout hides lower layers only: the same layer may re-add the path', async () => {
  const m = await loadLayers([
    { entries: [dir('opt/'), dir('opt/app/'), file('opt/app/old')] },
    // re-created directory listed BEFORE its whiteout in the tar: order must not matter
    { entries: [dir('opt/app/'), file('opt/app/new'), file('opt/.wh.app', '')] },
  ]);
  assert.deepEqual(changeLines(m, 1), [
    'added file /opt/app/new',
    'modified dir /opt/app',
    'removed file /opt/app/old',
  ]);
  assert.deepEqual(liveTree(m, 1), ['/opt/', '/opt/app/', '/opt/app/new']);
});

test('opaque directory applies before the layer entries whatever their order', async () => {
  const m = await loadLayers([
    { entries: [dir('etc/'), dir('etc/conf.d/'), file('etc/conf.d/a'), file('etc/conf.d/b')] },
    { entries: [dir('etc/conf.d/'), file('etc/conf.d/c'), file('etc/conf.d/.wh..wh..opq', '')] },
  ]);
  assert.deepEqual(liveTree(m, 1), ['/etc/', '/etc/conf.d/', '/etc/conf.d/c']);
  assert.deepEqual(changeLines(m, 1), [
    'added file /etc/conf.d/c',
    'removed file /etc/conf.d/a',
    'removed file /etc/conf.d/b',
  ]);
});

test('type replacement: file over dir drops the subtree, dir over file, symlink over file', async () => {
  const m = await loadLayers([
    { entries: [dir('a/'), file('a/x'), file('b'), file('c')] },
    {
      entries: [
        file('a', 'now a file'),
        dir('b/'),
        file('b/inner'),
        { name: 'c', type: 'symlink', linkname: '/etc/passwd' },
      ],
    },
  ]);
  assert.deepEqual(liveTree(m, 1), ['/a', '/b/', '/b/inner', '/c']);
  assert.deepEqual(changeLines(m, 1), [
    'added file /b/inner',
    'modified dir /b',
    'modified file /a',
    'modified symlink /c',
    'removed file /a/x',
  ]);
  assert.equal(m.tree.lookupPath('/c')!.liveAt(1)!.linkTarget, '/etc/passwd');
});

test('dir entry repeated with the same attributes is not a change; a chmod is', async () => {
  const m = await loadLayers([
    { entries: [dir('srv/'), dir('tmp/', { mode: 0o755 })] },
    { entries: [dir('srv/'), dir('tmp/', { mode: 0o1777 }), file('srv/x')] },
  ]);
  assert.deepEqual(changeLines(m, 1), ['added file /srv/x', 'modified dir /tmp']);
  assert.equal(m.tree.lookupPath('/tmp')!.liveAt(1)!.mode, 0o1777);
});

test('hardlinks count their bytes once; PAX uid/gid/mtime and xattrs are applied', async () => {
  const m = await loadLayers([
    {
      entries: [
        dir('data/'),
        file('data/file', '12345'),
        { name: 'data/hard', type: 'link', linkname: 'data/file' },
        file('usr-ping', 'bin', {
          mode: 0o4755,
          pax: { uid: '3000000', gid: '42', 'SCHILY.xattr.security.capability': 'CAP' },
        }),
      ],
    },
  ]);
  const hard = m.tree.lookupPath('/data/hard')!.liveAt(0)!;
  assert.equal(hard.type, 'hardlink');
  assert.equal(hard.size, 0);
  assert.equal(hard.linkTarget, '/data/file');
  assert.equal(m.tree.stats(0).addedBytes, 5 + 3);
  const ping = m.tree.lookupPath('/usr-ping')!.liveAt(0)!;
  assert.equal(ping.uid, 3000000);
  assert.equal(ping.gid, 42);
  assert.equal(ping.mode & 0o4000, 0o4000);
  assert.deepEqual(ping.xattrs, { 'security.capability': 'CAP' });
});

test('long names (PAX path) and implicit parent directories', async () => {
  const long = 'd/' + 'x'.repeat(150) + '/' + 'y'.repeat(120);
  const m = await loadLayers([{ entries: [file(long, 'z')] }]);
  assert.ok(m.tree.lookupPath('/' + long));
  assert.deepEqual(liveTree(m, 0).length, 3);
  assert.equal(m.tree.lookupPath('/d')!.liveAt(0)!.implicit, true);
});

test('names with control characters and a leading slash are kept as data; .. is cleaned or refused', async () => {
  const m = await loadLayers([{ entries: [file('../../etc/evil'), file('/abs'), file('esc\x1b]0;t\x07')] }]);
  assert.equal(m.tree.lookup(['..', '..', 'etc', 'evil']), undefined);
  assert.equal(m.tree.lookupPath('/etc/evil'), undefined);
  assert.deepEqual(
    m.tree.unpackNotes.map((n) => `${n.problem} ${n.name}`),
    ['escape ../../etc/evil'],
  );
  assert.ok(m.tree.lookupPath('/abs'));
  assert.ok(m.tree.lookup(['esc\x1b]0;t\x07']));
});

test('devices and fifos are kept with their kind', async () => {
  const m = await loadLayers([
    {
      entries: [
        dir('dev/'),
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'dev/p', type: 'fifo' },
      ],
    },
  ]);
  const n = m.tree.lookupPath('/dev/null')!.liveAt(0)!;
  assert.equal(n.type, 'other');
  assert.equal(n.special, 'char-device');
  assert.equal(n.devMinor, 3);
  assert.equal(m.tree.lookupPath('/dev/p')!.liveAt(0)!.special, 'fifo');
});

test('gzip layers decode by magic bytes and diffIDs are verified', async () => {
  const m = await loadLayers([{ entries: [file('a', 'A')], compress: 'gzip' }, { entries: [file('b', 'B')] }]);
  assert.equal(m.layers[0].compression, 'gzip');
  assert.equal(m.layers[1].compression, 'tar');
  assert.deepEqual(liveTree(m, 1), ['/a', '/b']);
});
