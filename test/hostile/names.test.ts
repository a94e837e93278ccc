/**
 * Names keep their bytes in every view (issue 19 item 7): a name that is not UTF-8 (written by
 * Go's tar writer as a PAX path, as BuildKit writes it) shows as `\xNN` in the explorer's tree and
 * in `inspect --json`, never as U+FFFD; a name that holds a backslash stays apart from it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { memoryReader } from '../../src/sources/memory.js';
import { runCli } from '../support/hostile-cli.js';
import { shapeMembers, writeShape } from '../support/hostile-shapes.js';
import { imageOfTars } from '../support/image.js';
import { dir, file, pax, tar } from '../support/tar-craft.js';
import { explorerOn, text, type } from '../support/ui.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-names-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// "caf" + 0xE9 (latin-1 é: not UTF-8) in a PAX path; "d" + 0xFF in a ustar name; a real backslash.
const layer = tar([
  dir('names/'),
  pax([['path', Buffer.concat([Buffer.from('names/caf'), Buffer.from([0xe9]), Buffer.from('.txt')])]]),
  file('ignored', 'latin-1'),
  file(Buffer.concat([Buffer.from('names/d'), Buffer.from([0xff])]), 'ustar'),
  file('names/d\\xff', 'backslash'),
]);

test('the explorer shows \\xNN, and a backslash as \\\\', async () => {
  const { meta, blobs } = imageOfTars([layer]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs));
  const ex = explorerOn(model, { width: 160, height: 30 });
  type(ex, '\t'); // the tree
  type(ex, 'l'); // open names/
  const screen = text(ex);
  assert.ok(screen.includes('caf\\xe9.txt'), screen);
  assert.ok(screen.includes('d\\xff'), screen);
  assert.ok(screen.includes('d\\\\xff'), screen);
  assert.ok(!screen.includes('\ufffd'), 'no replacement character');
});

test('inspect --json holds the same names, and extract finds the file by them', async () => {
  const target = await writeShape('oci-dir', shapeMembers('oci-dir', [layer]), path.join(tmp, 'img'));
  const r = await runCli(['inspect', '--json', target]);
  assert.equal(r.status, 0, r.stderr);
  const paths = JSON.parse(r.stdout.toString()).layers[0].changes.map((c: { path: string }) => c.path);
  assert.deepEqual(paths, ['/names', '/names/caf\\xe9.txt', '/names/d\\\\xff', '/names/d\\xff']);
  assert.ok(!r.stdout.toString().includes('\ufffd'));
  const x = await runCli(['extract', target, '/names/caf\\xe9.txt']);
  assert.equal(x.status, 0, x.stderr);
  assert.equal(x.stdout.toString(), 'latin-1');
});
