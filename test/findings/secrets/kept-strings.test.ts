/**
 * What a file's findings keep: their own strings, not views of the window of text they were
 * found in. (A cut of 13 characters or more is a view in V8, and each finding of a tree of
 * packages kept its 64 KiB window alive: ~95 MB of a scan's peak.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

test("a file's findings hold none of the text they were found in", () => {
  // Files of one window each (~60 KB of lines), the secrets at their end: a token under a key
  // name (evidence and key), a generic assignment, and a bundle's module (a reason naming it).
  const filler = `${'const x = 1; '.repeat(5)}\n`.repeat(900);
  const files = 120;
  const kept: unknown[] = [];
  const before = heapAfterCollection();
  for (let i = 0; i < files; i++) {
    const text =
      `${filler}// node_modules/some-lib-${i}/index.js\n` +
      `GITHUB_TOKEN=${f.githubToken()}\npayments_api_key = "${f.alnum(32)}"\n`;
    const ms = scanFile(`/srv/app/dist/bundle-${i}.js`, text);
    assert.ok(
      ms.some((m) => m.ruleId === 'secret-github-pat'),
      `file ${i}: the token is found`,
    );
    assert.ok(
      ms.some((m) => m.key === 'payments_api_key' && m.reason?.includes(`some-lib-${i}/index.js`)),
      `file ${i}: the key name and the bundled module are kept`,
    );
    kept.push(ms);
  }
  const grown = heapAfterCollection() - before;
  const window = filler.length;
  // Views would keep every window: files × ~60 KB (7 MB). Own strings: a few hundred bytes a file.
  assert.ok(
    grown < (files * window) / 8,
    `the findings of ${files} files hold ${(grown / 1e6).toFixed(1)} MB (windows of ${window} bytes)`,
  );
  assert.equal(kept.length, files);
});
