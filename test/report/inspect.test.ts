/**
 * The inspect document written in pieces is the same text JSON.stringify gives for the whole
 * document; changes come in tree order (depth first, names in code-unit order), with every kind
 * of change and field, and names that need escaping.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectDocument, inspectJson, layerChanges } from '../../src/report/inspect.js';
import { loadLayers } from '../support/image.js';

test('inspectJson is JSON.stringify(inspectDocument, null, 2), piece by piece', async () => {
  const m = await loadLayers([
    {
      entries: [
        { name: 'a/', type: 'directory' },
        { name: 'a/b', content: 'x' },
        { name: 'a-c', content: 'y' },
        { name: 'q"uote\\d\u0007', content: 'z' },
        { name: 'link', type: 'symlink', linkname: 'a/b' },
        { name: 'hard', type: 'link', linkname: 'a/b' },
      ],
    },
    {
      entries: [
        { name: 'a/.wh.b', content: '' },
        { name: 'a-c', content: 'changed' },
      ],
    },
    { entries: [] },
  ]);
  const pieces = [...inspectJson(m)];
  assert.ok(pieces.length > 5, 'written in pieces');
  assert.equal(pieces.join(''), JSON.stringify(inspectDocument(m), null, 2) + '\n');
  assert.deepEqual(JSON.parse(pieces.join('')).layers[2].changes, []);
  // Tree order: /a, its children, then /a-c ('/' sorts after '-' in a whole-path sort, not here).
  assert.deepEqual(
    [...layerChanges(m, 0)].map((c) => c.path),
    ['/a', '/a/b', '/a-c', '/hard', '/link', '/q"uote\\\\d\u0007'],
  );
  const l1 = [...layerChanges(m, 1)];
  assert.deepEqual(
    l1.map((c) => `${c.change} ${c.path} ${c.previousLayer}`),
    ['removed /a/b 0', 'modified /a-c 0'],
  );
});

test('a change set of a path 1,300 levels deep (near PATH_MAX): each level once, each path whole', async () => {
  const deep = Array.from({ length: 1300 }, (_, i) => `d${i % 10}`).join('/');
  const m = await loadLayers([{ entries: [{ name: deep + '/f', content: 'x' }] }]);
  const changes = [...layerChanges(m, 0)];
  assert.equal(changes.length, 1301);
  assert.equal(changes[1300].path, `/${deep}/f`);
  assert.equal(changes[649].path, '/' + deep.split('/').slice(0, 650).join('/'));
});

test("a layer's changes list only what it changed and the directories above, never the unchanged files beside them", async () => {
  const many = Array.from({ length: 300 }, (_, i) => ({ name: `lib/big/f${i}`, content: `${i}` }));
  const m = await loadLayers([
    {
      entries: [
        { name: 'lib/', type: 'directory' },
        { name: 'lib/big/', type: 'directory' },
        ...many,
        { name: 'etc/x', content: 'x' },
      ],
    },
    {
      entries: [
        // One file of the 300 rewritten, one added; a directory's mode changed alone; a file with
        // a whiteout in its own layer (which hides lower layers only: the file stays).
        { name: 'lib/big/f7', content: 'seven' },
        { name: 'lib/big/new', content: 'n' },
        { name: 'etc/', type: 'directory', mode: 0o700 },
        { name: 'tmp/gone', content: 'g' },
        { name: 'tmp/.wh.gone', content: '' },
      ],
    },
  ]);
  assert.deepEqual(
    [...layerChanges(m, 1)].map((c) => `${c.change} ${c.path}`),
    ['modified /etc', 'modified /lib/big/f7', 'added /lib/big/new', 'added /tmp', 'added /tmp/gone'],
  );
  assert.equal([...layerChanges(m, 0)].length, 2 + 300 + 2);
});
