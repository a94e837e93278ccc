/**
 * The explorer's `/regex/` filter is typed by the user and run over names the image chose. An
 * image can hold names made for a pattern a user may well type (`/a.*b.*c/`: thousands of starts,
 * each trying every split of the name), each test then taking seconds. The CLI's V8 settings
 * (cli/v8-tuning.ts, imported here as the CLI imports it first) hand such a test to V8's linear
 * engine, and the filter stays caseless without the `i` flag that engine does not run. Measured
 * before the fix: 2.1 s a name of 4,011 characters; after it, ~2 ms. The bound is far from both.
 */
import '../../src/cli/v8-tuning.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explorerOn, loadedImage } from '../support/ui.js';

const BOUND_MS = 1500;

test('a /regex/ filter over names made to backtrack: done in bounded time, with the right rows', async () => {
  // 20 files of 4,011-character paths of `ab` (components of 200: what a runtime can create).
  const dir = Array.from({ length: 19 }, () => 'ab'.repeat(100)).join('/');
  const entries = [
    { name: 'etc/', type: 'directory' as const },
    { name: 'etc/Abc.conf', content: 'x' },
    { name: 'etc/hosts', content: 'x' },
    ...Array.from({ length: 20 }, (_, i) => ({ name: `${dir}/${'ab'.repeat(95)}${i}`, content: '' })),
  ];
  const model = await loadedImage([{ entries }]);
  const ex = explorerOn(model, { width: 120, height: 40, full: false });
  for (const [filter, want] of [
    ['/a.*b.*c/', ['/etc', '/etc/Abc.conf']], // caseless: the `A` of Abc counts
    ['/A.*b.*c/', ['/etc', '/etc/Abc.conf']], // a capital: case-sensitive
    ['/x.*b.*c/', []],
  ] as const) {
    const start = performance.now();
    ex.applyFilter(filter);
    while (!ex.filterSlice()) {}
    const ms = performance.now() - start;
    assert.ok(ms < BOUND_MS, `${filter}: ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
    assert.equal(ex.tree.filterText, filter);
    const rows = ex.tree.rows().map((r) => r.node.path);
    assert.deepEqual(rows, want, filter);
  }
});
