/** Node names and run directories: each a string of its own, shared where equal, and exact. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { buildTar } from '../../src/engine/build-tar.js';
import { NameTable } from '../../src/engine/names.js';
import { entryList, parseLayer } from '../../src/engine/parse-layer.js';

test('intern gives back an equal string for every kind of name, past the table bound too', () => {
  const t = new NameTable();
  const odd = [
    'a',
    '__init__.py',
    'some_module_name.cpython-311.pyc',
    'Ünïcödé-lätin1-only-näme',
    '日本語のファイル名です.txt',
    'emoji-😀-in-a-long-name',
    'lone-\ud800-surrogate-name',
    `${'x'.repeat(300)}`,
  ];
  for (const n of odd) {
    const path = `usr/lib/some/long/directory/${n}`;
    assert.equal(t.intern(path.slice(path.lastIndexOf('/') + 1)), n);
  }
  // More distinct long names than the table keeps: still each its own, equal string.
  for (let i = 0; i < 140_000; i++) {
    const n = `module_number_${i}.py`;
    assert.equal(t.intern(`dir/${n}`.slice(4)), n);
  }
  for (const n of odd) assert.equal(t.intern(n), n);
});

test('runs: a tar going back and forth between two directories keeps each once; paths exact', async () => {
  const specs = [];
  for (let i = 0; i < 50; i++) {
    specs.push({ name: `usr/lib/python3/site-packages/pkg/m${i}.py`, content: 'x' });
    specs.push({ name: `usr/lib/python3/site-packages/pkg/__pycache__/m${i}.cpython-311.pyc`, content: 'y' });
  }
  // Names written unclean, a root entry between runs, and a run coming back after it.
  specs.push({ name: './usr//lib/./python3/site-packages/pkg/late.py', content: 'z' });
  specs.push({ name: 'top.txt', content: 't' });
  specs.push({ name: 'usr/lib/python3/site-packages/pkg/after-root.py', content: 'w' });
  const parsed = await parseLayer(Readable.from([await buildTar(specs)]));
  const paths = entryList(parsed).map((e) => (e.kind === 'entry' ? e.path : e.kind));
  assert.deepEqual(paths, [
    ...Array.from({ length: 50 }, (_, i) => [
      `usr/lib/python3/site-packages/pkg/m${i}.py`,
      `usr/lib/python3/site-packages/pkg/__pycache__/m${i}.cpython-311.pyc`,
    ]).flat(),
    'usr/lib/python3/site-packages/pkg/late.py',
    'top.txt',
    'usr/lib/python3/site-packages/pkg/after-root.py',
  ]);
  assert.deepEqual(parsed.dirs, [
    '',
    'usr/lib/python3/site-packages/pkg',
    'usr/lib/python3/site-packages/pkg/__pycache__',
  ]);
});
