/**
 * The inspect document written in pieces is the same text JSON.stringify gives for the whole
 * document; changes come in tree order (depth first, names in code-unit order), with every kind
 * of change and field, and names that need escaping.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectDocument, inspectJson, layerChanges } from '../../src/report/inspect.js';
import { safeJson } from '../../src/text/safe-json.js';
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

test('the JSON text of changes is safeJson of the document: names and link targets that need escaping, pieces past 64 KiB', async () => {
  // Every class of character the JSON writer treats apart: printable ASCII (its own text), `"`
  // and `\\`, C0 controls, DEL and C1 controls, bidi and zero-width format characters, U+2028,
  // letters beyond ASCII and an emoji (raw in JSON), as whole names, inside names, and in a
  // directory whose children then inherit its escaped text.
  const odd = [
    'plain',
    'q"uote',
    'back\\slash',
    'tab\there',
    'del\u007f',
    'csi\u009b[2J',
    'rtl\u202eexe.txt',
    'zw\u200bsp',
    'ls\u2028x',
    'über',
    'emoji\u{1f600}',
  ];
  const entries = [];
  for (const o of odd) {
    entries.push({ name: `${o}/`, type: 'directory' as const });
    entries.push({ name: `${o}/${o}`, content: o });
    entries.push({ name: `${o}/to-${o}`, type: 'symlink' as const, linkname: `../${o}/${o}` });
  }
  // Enough changes for several pieces of text (each change is ~200 bytes).
  for (let i = 0; i < 1500; i++) entries.push({ name: `many/f${i}`, content: `${i}` });
  const m = await loadLayers([{ entries }, { entries: [{ name: `${odd[1]}/.wh.${odd[1]}`, content: '' }] }]);
  const pieces = [...inspectJson(m)];
  const text = pieces.join('');
  assert.equal(text, safeJson(inspectDocument(m)) + '\n');
  assert.ok(pieces.filter((p) => p.length >= 64 << 10).length >= 3, 'the changes come in pieces of ~64 KiB');
  // What safeJson escapes is escaped in the paths and link targets (the document's own check).
  assert.ok(!/[\u007f-\u009f\u2028\u202e\u200b]/u.test(text));
  // Every change is there (the names as the engine decoded them: a `\\` doubled, C0 controls
  // as escapes), and parses back to the path and link target the object form holds.
  const parsed = JSON.parse(text);
  const objects = [...layerChanges(m, 0)];
  assert.equal(parsed.layers[0].changes.length, 3 * odd.length + 1 + 1500);
  assert.deepEqual(
    parsed.layers[0].changes.map((c: { path: string; linkTarget?: string }) => [c.path, c.linkTarget]),
    objects.map((c) => [c.path, c.linkTarget]),
  );
  assert.equal(objects.filter((c) => c.linkTarget !== undefined).length, odd.length);
  assert.deepEqual(
    parsed.layers[1].changes.map((c: { change: string; path: string; previousLayer: number }) => [
      c.change,
      c.path,
      c.previousLayer,
    ]),
    [['removed', `/${odd[1]}/${odd[1]}`, 0]], // (a quote needs no decoding)
  );
});
