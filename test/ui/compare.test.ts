/**
 * The explorer's compare view (`layerlens OLD NEW`) on two real in-process images loaded together:
 * the layer lists side by side, the merged tree with the layer-change marks, the viewer's diff of
 * a changed file, extract of either version, the difference panels, and findings jumps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ImageModel } from '../../src/engine/image.js';
import type { Explorer } from '../../src/ui/explorer.js';
import { dispatch } from '../../src/ui/keys.js';
import { helpBody } from '../../src/ui/render-screen.js';
import { plain } from '../../src/ui/style.js';
import { testReader, type TestImage } from '../support/findings-image.js';
import * as f from '../support/fake-secrets.js';
import { compareExplorerOn, explorerOn, loadedImage, press, text, type } from '../support/ui.js';

const dir = mkdtempSync(path.join(tmpdir(), 'layerlens-compare-ui-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const token = f.githubToken();
const dpkg = (v: string) => ({
  name: 'var/lib/dpkg/status',
  content: `Package: openssl\nStatus: install ok installed\nVersion: ${v}\nArchitecture: amd64\n`,
});
const base = {
  entries: [
    { name: 'bin/sh', content: '#!fake\n', mode: 0o755 },
    { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  ],
  createdBy: 'ADD file:base in /',
};
const OLD: TestImage = {
  layers: [
    base,
    {
      entries: [
        dpkg('3.0.11-1'),
        { name: 'srv/config.ini', content: 'name = app\nport = 80\nmode = dev\n' },
        { name: 'srv/old.txt', content: 'obsolete\n' },
        { name: 'srv/current', type: 'symlink', linkname: 'v1' },
      ],
      createdBy: '/bin/sh -c install',
    },
  ],
  config: { Env: ['MODE=dev'] },
};
const NEW: TestImage = {
  layers: [
    base,
    {
      entries: [
        dpkg('3.0.13-1'),
        { name: 'srv/config.ini', content: `name = app\nport = 8080\nmode = dev\ntoken = ${token}\n` },
        { name: 'srv/new.txt', content: 'fresh\n' },
        { name: 'srv/current', type: 'symlink', linkname: 'v2' },
      ],
      createdBy: '/bin/sh -c install',
    },
  ],
  config: { Env: ['MODE=prod'], ExposedPorts: { '22/tcp': {} } },
};

async function compareView(): Promise<{ ex: Explorer; models: ImageModel[] }> {
  return compareExplorerOn([await testReader(OLD), await testReader(NEW)], { cwd: dir, titles: ['app:1', 'app:2'] });
}

test('the compare screen: both names, the layer rows lined up and marked, the merged tree with change marks', async () => {
  const { ex } = await compareView();
  const s = text(ex);
  assert.match(s, /layerlens\s+memory → memory/);
  assert.match(s, /✔ \+1 ~3 -1 files · \d+ new findings · \d+ resolved/);
  assert.match(s, /Layers old \| new/);
  assert.match(s, /= L0 [\d.]+ k?B +L0 [\d.]+ k?B +ADD file:base in \//, 'the shared base, aligned');
  assert.match(s, /~ L1 [\d.]+ k?B +L1 [\d.]+ k?B +RUN install/, 'the same step with other content');
  assert.match(s, /Changes old → new/);
  assert.match(s, /\+1 ~3 -1/);
  // The same symbols and colours as a layer's changes.
  ex.tree.expandAll();
  const t = text(ex);
  assert.match(t, /│\+ +-rw-r--r-- .*new\.txt/);
  assert.match(t, /│- +-rw-r--r-- .*old\.txt/);
  assert.match(t, /│~ +-rw-r--r-- .*config\.ini {2}\(size, content\)/);
  assert.match(t, /~ .*current → v2 {2}\(target\)/);
  assert.match(t, /- .*old\.txt {2}\(only in old\)/);
  assert.ok(!t.includes(token), 'no secret on screen');
});

test('v on a changed text file: the two versions as a diff, secrets masked', async () => {
  const { ex } = await compareView();
  assert.ok(ex.tree.reveal('/srv/config.ini', 1));
  press(ex, 'v');
  await ex.idle();
  const s = text(ex);
  assert.match(s, /View \/srv\/config\.ini/);
  assert.match(s, /old L1 → new L1 · diff/);
  assert.match(s, /- port = 80\b/);
  assert.match(s, /\+ port = 8080/);
  assert.match(s, /\s {2}name = app/);
  assert.match(s, /\+ token = ghp_…\(40 chars\)/);
  assert.ok(!s.includes(token));
  press(ex, 'escape');
  // An added file opens as the new image has it; a removed one as the old had it.
  ex.tree.reveal('/srv/old.txt', 1);
  press(ex, 'v');
  await ex.idle();
  assert.match(text(ex), /old L1 · only in old: removed in new/);
  assert.match(text(ex), /obsolete/);
});

test('x: a changed file asks which version; either is written as that image has it', async () => {
  const { ex } = await compareView();
  ex.tree.reveal('/srv/config.ini', 1);
  press(ex, 'x');
  assert.equal(ex.prompt?.kind, 'extract-side');
  assert.match(text(ex), /Extract the old or the new version\?/);
  press(ex, 'o');
  assert.equal(ex.prompt?.kind, 'extract-path');
  assert.match(text(ex), /Extract \/srv\/config\.ini \(the old image's layer 1\) to: config\.ini\.old/);
  press(ex, 'enter');
  await ex.idle();
  assert.equal(readFileSync(path.join(dir, 'config.ini.old'), 'utf8'), 'name = app\nport = 80\nmode = dev\n');
  press(ex, 'x', 'n', 'enter');
  await ex.idle();
  assert.match(readFileSync(path.join(dir, 'config.ini'), 'utf8'), /port = 8080/);
  assert.match(text(ex), /extracted \/srv\/config\.ini from the new image's layer 1/);
  // A file only one image holds goes straight to the path prompt.
  ex.tree.reveal('/srv/old.txt', 1);
  press(ex, 'x');
  assert.equal((ex.prompt as { kind: string } | null)?.kind, 'extract-path');
  press(ex, 'escape');
});

test('the difference panels: packages, vulnerabilities, image config, history, findings with jumps', async () => {
  const { ex } = await compareView();
  type(ex, 'd');
  assert.match(text(ex), /\[Packages\]/);
  assert.match(text(ex), /↑ openssl 3\.0\.11-1 → 3\.0\.13-1/);
  type(ex, 'u');
  assert.match(text(ex), /not checked: no vulnerability database/);
  type(ex, 'i');
  assert.match(text(ex), /ENV\s+~ MODE=dev → prod/);
  assert.match(text(ex), /EXPOSE\s+\+ 22\/tcp/);
  type(ex, 'c');
  assert.match(text(ex), /= ADD file:base in \//);
  assert.match(text(ex), /~ RUN install/);
  assert.match(text(ex), /identical up to layer 0; they part at layer 1/);
  type(ex, 'f');
  const s = text(ex);
  assert.match(s, /\[Findings\]/);
  assert.match(s, /GitHub/);
  // The new secret is first: Enter goes to its file in the merged tree.
  press(ex, 'enter');
  assert.equal(ex.tree.cursor?.path, '/srv/config.ini');
  assert.match(text(ex), /finding 1\/\d+/);
});

test('one image: the compare view’s panel keys say where they belong', async () => {
  const ex = explorerOn(await loadedImage([{ entries: [{ name: 'a', content: '1' }] }]));
  dispatch(ex, { kind: 'key', name: 'd' });
  assert.match(text(ex), /d: a panel of the compare view \(layerlens OLD NEW\)/);
});

test('the one-image keys keep working on the merged tree: filter, kinds, all files, collapse, help', async () => {
  const { ex } = await compareView();
  ex.tree.expandAll();
  type(ex, '/config\r');
  let s = text(ex);
  assert.match(s, /config\.ini/);
  assert.ok(!/new\.txt/.test(s), 'filtered out');
  press(ex, 'escape');
  // 3 hides the removed entries; a shows the whole new filesystem (unchanged files too).
  type(ex, '3');
  assert.ok(!/old\.txt/.test(text(ex)));
  type(ex, '3a');
  s = text(ex);
  assert.match(s, /New filesystem, old’s removed files marked/);
  assert.match(s, /os-release/, 'an unchanged file of both');
  assert.match(s, /old\.txt {2}\(only in old\)/);
  type(ex, '-');
  assert.ok(!/os-release/.test(text(ex)), 'collapsed');
  type(ex, '?');
  assert.ok(ex.help);
  const help = helpBody(100)
    .map((l) => plain(l))
    .join(' ')
    .replace(/\s+/g, ' ');
  assert.match(help, /comparing two images: c history, f findings, u vulns, d packages, i image/);
});

test('an empty merged tree says why: a filter or hidden kinds, not "the two final filesystems are the same"', async () => {
  const { ex } = await compareView();
  assert.match(text(ex), /Changes old → new/);
  type(ex, '/nothing-has-this-name\r');
  let s = text(ex);
  assert.match(s, /no path matches the filter/);
  assert.doesNotMatch(s, /final filesystems are the same/);
  press(ex, 'escape');
  type(ex, '123');
  s = text(ex);
  assert.match(s, /every change between the two is of a kind hidden \(added, modified, removed\)/);
  assert.doesNotMatch(s, /final filesystems are the same/);
  type(ex, 'a4');
  assert.match(text(ex), /no path of the kinds shown \(hiding added, modified, removed, unmodified\)/);
});
