/**
 * The unpack check: layer entries a runtime refuses or writes elsewhere become findings, with the
 * layer, the entry as the tar names it and, for a write through a symlink, the path it changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { MAX_UNPACK_NOTES } from '../../src/engine/limits.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { imageOfTars } from '../support/image.js';
import { dir, file, hardlink, symlink, tar } from '../support/tar-craft.js';

async function findings(tars: Buffer[]) {
  const { meta, blobs } = imageOfTars(tars);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs));
  return runChecks(model, { reference: 'memory', now: new Date('2026-11-28T00:00:00Z') }).filter(
    (f) => f.category === 'unpack',
  );
}

test('escape, link escape and a write through a symlink are high; a loop is medium', async () => {
  const fs = await findings([
    tar([dir('etc/'), file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n')]),
    tar([
      file('../../etc/cron.d/evil', '* * * * * root sh\n'),
      hardlink('hl', '../../../etc/shadow'),
      symlink('sl', '/etc'),
      file('sl/passwd', 'root::0:0::/root:/bin/sh\n'),
      symlink('loop', 'loop'),
      file('loop/x', 'x'),
    ]),
  ]);
  const by = (id: string) => fs.filter((f) => f.ruleId === id);
  assert.deepEqual(
    by('unpack-path-escape').map((f) => [f.severity, f.layerIndex, f.path, f.properties?.entry]),
    [
      ['high', 1, null, '../../etc/cron.d/evil'],
      ['high', 1, null, 'hl'],
    ],
  );
  const through = by('unpack-through-symlink');
  assert.equal(through.length, 1);
  assert.equal(through[0].severity, 'high');
  assert.equal(through[0].path, '/etc/passwd');
  assert.match(
    through[0].message,
    /Layer 1 holds an entry named "sl\/passwd" under the symlink \/sl -> \/etc: a runtime writes it to \/etc\/passwd/,
  );
  assert.deepEqual(
    by('unpack-refused').map((f) => [f.severity, f.properties?.problem]),
    [['medium', 'symlink-loop']],
  );
  // Stable ids: the same image gives the same findings.
  assert.equal(new Set(fs.map((f) => f.id)).size, fs.length);
});

test('a layer of many such entries: the first ones listed, the rest counted in one finding', async () => {
  const entries = Array.from({ length: MAX_UNPACK_NOTES + 25 }, (_, i) => file(`../x${i}`, 'x'));
  const fs = await findings([tar(entries)]);
  assert.equal(fs.length, MAX_UNPACK_NOTES + 1);
  assert.match(fs.find((f) => f.properties?.more)!.message, /holds 25 more entries like those above \(escape\)/);
});

test('an ordinary image has no unpack finding', async () => {
  assert.deepEqual(
    await findings([
      tar([dir('etc/'), file('etc/hosts', 'x'), symlink('lib', 'usr/lib'), dir('usr/'), dir('usr/lib/')]),
    ]),
    [],
  );
});

test('the bytes of entries no runtime unpacks are read for secrets as shipped, with why and where', async () => {
  const { githubToken } = await import('../support/fake-secrets.js');
  const tok = () => `token=${githubToken()}\n`;
  const { meta, blobs } = imageOfTars([
    tar([
      file('plain.txt', 'nothing here\n'),
      file('app/contiguous.env', tok(), { typeflag: '7' }),
      file('app/vendor.env', tok(), { typeflag: 'Z' }),
      file('../../outside/escape.env', tok()),
      file('blocker', 'a file\n'),
      file('blocker/under.env', tok()),
      symlink('loop', 'loop'),
      file('loop/in-loop.env', tok()),
      file('app/live.env', tok()),
    ]),
  ]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector() });
  const secrets = runChecks(model, { reference: 'memory', now: new Date('2026-11-28T00:00:00Z') }).filter(
    (f) => f.category === 'secret',
  );
  assert.deepEqual(
    secrets.map((f) => [f.path, f.properties?.refusedEntry ?? 'live', f.properties?.entry ?? null]).sort(),
    [
      ['/app/contiguous.env', 'unhandled-type', 1],
      ['/app/live.env', 'live', null],
      ['/app/vendor.env', 'unhandled-type', 2],
      ['/blocker/under.env', 'not-a-directory', 5],
      ['/loop/in-loop.env', 'symlink-loop', 7],
      ['/outside/escape.env', 'escape', 3],
    ],
  );
  for (const f of secrets.filter((f) => f.properties?.refusedEntry)) {
    assert.equal(f.deletedInLayerIndex, null);
    assert.match(f.message, /in no file system, but its bytes ship in layer 0/);
  }
  // Nothing the runtimes refuse is in the tree.
  assert.equal(model.tree.lookupPath('/app/contiguous.env'), undefined);
  assert.equal(model.tree.lookupPath('/blocker')?.liveAt(0)?.type, 'file');
  // The same image twice: the same ids.
  const again = new ImageModel();
  await again.load(memoryReader(meta, blobs), { inspectContent: createContentInspector() });
  const ids = runChecks(again, { reference: 'memory', now: new Date('2026-11-28T00:00:00Z') })
    .filter((f) => f.category === 'secret')
    .map((f) => f.id)
    .sort();
  assert.deepEqual(ids, secrets.map((f) => f.id).sort());
});
