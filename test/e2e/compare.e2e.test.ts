/**
 * End to end: `layerlens OLD NEW` (the explorer's compare view) through the real CLI in a real
 * terminal (tmux), on two `docker save` archives written here: the layer lists lined up, the
 * merged tree, a changed file's diff, extract of the old version, a difference panel, quit.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildTar } from '../../src/engine/build-tar.js';
import { docker25Save, membersToTar } from '../support/archives.js';
import { cli, killServer, Pane, tmuxMissing } from '../support/tmux.js';

const noTmux = tmuxMissing();
let dir: string;
const token = `ghp_${randomBytes(18).toString('hex')}`;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'layerlens-e2e-compare-'));
  const base = await buildTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/sh', content: '#!fake\n', mode: 0o755 },
  ]);
  const app = (port: string, extra: Array<{ name: string; content: string }>) =>
    buildTar([
      { name: 'srv/', type: 'directory' },
      { name: 'srv/app.ini', content: `name = shop\nport = ${port}\n` },
      ...extra,
    ]);
  writeFileSync(path.join(dir, 'old.tar'), await membersToTar(docker25Save([base, await app('80', [])]).members));
  writeFileSync(
    path.join(dir, 'new.tar'),
    await membersToTar(
      docker25Save([base, await app('8080', [{ name: 'srv/keys.ini', content: `token = ${token}\n` }])]).members,
    ),
  );
});
after(() => {
  killServer();
  rmSync(dir, { recursive: true, force: true });
});

test('layerlens OLD NEW: lined-up layers, merged tree, a diff, extract the old version, panels, quit', {
  skip: noTmux,
  timeout: 90_000,
}, async () => {
  const old = path.join(dir, 'old.tar');
  const neu = path.join(dir, 'new.tar');
  const pane = Pane.start('compare', dir, cli(`${JSON.stringify(old)} ${JSON.stringify(neu)}`));
  try {
    let s = await pane.waitFor(/✔ \+1 ~1 -0 files/);
    assert.match(s, /layerlens +\S+ → \S+/);
    assert.match(s, /Layers old \| new/);
    assert.match(s, /= L0 .* L0 /);
    assert.match(s, /~ L1 .* L1 /);
    assert.match(s, /Changes old → new/);
    assert.ok(!s.includes(token), 'no secret on screen');
    // The changed file: filter to it, view its diff.
    pane.keys('/', 'app.ini', 'Enter');
    s = await pane.waitFor(/~ .*app\.ini {2}\(size, content\)/);
    pane.keys('Down', 'Down', 'v');
    s = await pane.waitFor(/old L1 → new L1 · diff/);
    assert.match(s, /- port = 80\b/);
    assert.match(s, /\+ port = 8080/);
    // Extract the old version next to the archives.
    pane.keys('x');
    s = await pane.waitFor(/Extract the old or the new version\?/);
    pane.keys('o');
    s = await pane.waitFor(/Extract \/srv\/app\.ini \(the old image's layer 1\) to: app\.ini\.old/);
    // (The explorer runs in the repository: the file goes to the test's directory, typed whole.)
    const target = path.join(dir, 'app.ini.old');
    pane.keys('C-u');
    pane.keys('-l', target);
    pane.keys('Enter');
    s = await pane.waitFor(/extracted \/srv\/app\.ini from the old image's layer 1/);
    assert.equal(readFileSync(target, 'utf8'), 'name = shop\nport = 80\n');
    pane.keys('Escape', 'Escape');
    // The findings panel: the new token, masked.
    pane.keys('f');
    s = await pane.waitFor(/\[Findings\]/);
    assert.match(s, /GitHub/);
    assert.ok(!s.includes(token));
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});
