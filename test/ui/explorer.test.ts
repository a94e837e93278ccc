import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { memoryReader } from '../../src/sources/memory.js';
import { githubToken } from '../support/fake-secrets.js';
import { memoryImage } from '../support/image.js';
import type { DemoSecrets } from '../../src/sources/demo/index.js';
import { createContentInspector, earlyFindings, runChecks, type Finding } from '../../src/findings/index.js';
import { Explorer } from '../../src/ui/explorer.js';
import { screen } from '../../src/ui/render-screen.js';
import {
  explorerOn,
  HOSTILE_LAYERS,
  loadedDemo,
  loadedImage,
  nonSgrEscapes,
  press,
  text,
  type,
} from '../support/ui.js';

let model: ImageModel;
let secrets: DemoSecrets;
let dir: string;

before(async () => {
  ({ model, secrets } = await loadedDemo());
  dir = mkdtempSync(path.join(tmpdir(), 'layerlens-ui-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('first screen: layers with commands, tree, history; the frame is exactly the terminal', () => {
  const ex = explorerOn(model, { width: 150, height: 40 });
  const lines = text(ex).split('\n');
  assert.equal(lines.length, 40);
  for (const l of lines) assert.equal([...l].length, 150, `line width: ${l}`);
  const s = lines.join('\n');
  assert.match(s, /Layers/);
  assert.match(s, /RUN apt-get update/);
  assert.match(s, /COPY config\.prod\.yml \/app\/config\.yml/);
  assert.match(s, /Filesystem at layer 0/);
  assert.match(s, /\[History\].* layer 0 /);
  // The ARG value leaked into history is masked in the layers list.
  assert.ok(!s.includes(secrets.dbPassword), 'build arg value is masked');
  assert.match(s, /DB_PASSWORD=FAKE…\(\d+ chars\)/);
});

test('one findings domain: while loading the explorer lists the checks’ own findings (same ids, rules, severities)', () => {
  const early = earlyFindings(model, model.meta!.reference);
  const full = runChecks(model, { reference: model.meta!.reference });
  const byId = new Map(full.map((f) => [f.id, f]));
  assert.ok(early.length >= 8, `early findings: ${early.length}`);
  for (const f of early) {
    const same = byId.get(f.id);
    assert.ok(same, `early finding ${f.ruleId} ${f.path ?? f.key} is in the full checks`);
    assert.equal(same.ruleId, f.ruleId);
    assert.equal(same.severity, f.severity);
    assert.equal(same.title, f.title);
  }
  const key = early.find((f) => f.path === '/root/.ssh/id_rsa' && f.ruleId === 'deleted-file');
  assert.ok(key, 'the deleted id_rsa is found while loading');
  assert.equal(key.layerIndex, 3);
  assert.equal(key.deletedInLayerIndex, 4);
  assert.equal(early.find((f) => f.path === '/app/config.yml')?.ruleId, 'overwritten-file');
  // The port table is the port check's: 3306 is what scan says it is, in every view.
  const ports = (fs: typeof early) =>
    fs
      .filter((f) => f.category === 'port')
      .map((f) => `${f.key}:${f.severity}`)
      .sort();
  assert.deepEqual(ports(early), ['22/tcp:high', '2375/tcp:critical', '3306/tcp:medium', '8080/tcp:low']);
  assert.deepEqual(ports(early), ports(full));
  // One order: the early list is in the order of the full list.
  const order = early.map((f) => f.id);
  assert.deepEqual(
    full.filter((f) => order.includes(f.id)).map((f) => f.id),
    order,
  );
  for (const f of early) assert.match(f.ruleId, /^[a-z]+(?:-[a-z0-9]+)*$/, 'kebab-case rule ids');
});

test('n jumps to the first finding with a file: layer and path selected in the tree', () => {
  const ex = explorerOn(model);
  const first = ex.findings.findIndex((f) => f.path === '/root/.ssh/id_rsa');
  ex.findingIndex = first;
  type(ex, 'n');
  assert.equal(ex.layer, 3);
  assert.equal(ex.tree.cursor?.path, '/root/.ssh/id_rsa');
  const s = text(ex);
  assert.match(s, /id_rsa\s+⚑ deleted in L4/);
  assert.match(s, /finding \d+\/\d+ \[high\]/);
  type(ex, 'n');
  assert.notEqual(ex.findingIndex, first);
});

test('findings panel: Enter on a finding jumps to it', () => {
  const ex = explorerOn(model);
  type(ex, 'f');
  assert.equal(ex.focus, 'side');
  const i = ex.findings.findIndex((f) => f.path === '/app/config.yml');
  while (ex.findingIndex < i) press(ex, 'down');
  press(ex, 'enter');
  assert.equal(ex.layer, 5);
  assert.equal(ex.tree.cursor?.path, '/app/config.yml');
  assert.equal(ex.focus, 'tree');
});

test('mode switch: a toggles changes-only and aggregated', () => {
  const ex = explorerOn(model);
  type(ex, ']]]]]]');
  assert.equal(ex.layer, 6);
  assert.match(text(ex), /Filesystem at layer 6/);
  type(ex, 'a');
  const s = text(ex);
  assert.match(s, /Changes in layer 6/);
  assert.match(s, /config\.yml\s+\(replaces L5\)/);
  assert.doesNotMatch(s, /busybox/);
  type(ex, 'a');
  assert.match(text(ex), /busybox/);
});

test('viewer: a deleted file is read from the layer that holds it, secrets masked until r', async () => {
  const ex = explorerOn(model);
  ex.tree.reveal('/root/.ssh/id_rsa', 3);
  ex.selectLayer(3);
  ex.tree.reveal('/root/.ssh/id_rsa', 3);
  type(ex, 'v');
  await ex.idle();
  assert.ok(ex.viewer?.doc, ex.viewer?.error);
  let s = text(ex);
  assert.match(s, /View \/root\/\.ssh\/id_rsa/);
  assert.match(s, /layer 3 · deleted in layer 4/);
  assert.match(s, /BEGIN RSA PRIVATE KEY/);
  assert.match(s, /MII.…\(\d+ chars\)/, 'the key body masked as one value, by the private-key rule');
  assert.match(s, /1 masked \(r reveals\)/);
  const keyLine = secrets.privateKeyPem.split('\n')[1];
  assert.ok(!s.includes(keyLine.slice(4, 20)), 'key body is masked');
  // The hex view masks the same bytes (b), and r reveals both.
  type(ex, 'b');
  s = text(ex);
  assert.match(s, /· hex · 1 masked \(r reveals\)/);
  assert.match(s, /\|EY-----\.MII.••••\|/);
  assert.ok(
    !s.includes(Buffer.from(keyLine.slice(4, 8)).toString('hex').match(/../g)!.join(' ')),
    'no key byte in hex',
  );
  type(ex, 'r');
  s = text(ex);
  assert.match(s, /secrets shown \(r masks\)/);
  assert.ok(!s.includes('•'), 'revealed in hex');
  assert.match(s, /\|EY-----\.MII[A-Za-z0-9+/]{5}\|/);
  type(ex, 'b');
  assert.ok(text(ex).includes(keyLine.slice(0, 60)), 'revealed in text');
  type(ex, 'r');
  type(ex, '\x1b');
  assert.equal(ex.viewer, null);
});

test('viewer: overwritten config shows the token masked; binaries as hex', async () => {
  const ex = explorerOn(model);
  ex.selectLayer(5);
  assert.ok(ex.tree.reveal('/app/config.yml', 5));
  type(ex, 'v');
  await ex.idle();
  let s = text(ex);
  assert.match(s, /overwritten in layer 6/);
  assert.ok(!s.includes(secrets.githubToken), 'token masked');
  assert.match(s, /token: ghp_…\(40 chars\)/);
  type(ex, '\x1b');
  ex.selectLayer(0);
  assert.ok(ex.tree.reveal('/bin/busybox', 0));
  type(ex, 'v');
  await ex.idle();
  s = text(ex);
  assert.match(s, /· hex/);
  assert.match(s, /00000000 {2}7f 45 4c 46/);
  assert.match(s, /\|\.ELF/);
});

test('extract: asks for a path, writes 0600, never overwrites silently', async () => {
  const ex = explorerOn(model, { cwd: dir });
  ex.selectLayer(3);
  ex.tree.reveal('/root/.ssh/id_rsa', 3);
  type(ex, 'x');
  assert.equal(ex.prompt?.kind, 'extract-path');
  assert.match(text(ex), /Extract \/root\/\.ssh\/id_rsa \(layer 3\) to: id_rsa/);
  type(ex, '\r');
  await ex.idle();
  const target = path.join(dir, 'id_rsa');
  assert.ok(readFileSync(target, 'utf8').includes(secrets.privateKeyPem));
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.match(ex.message?.text ?? '', /extracted .*id_rsa.*layer 3/);
  // Again: the file exists → asked, and "n" keeps it.
  writeFileSync(target, 'mine');
  type(ex, 'x\r');
  await ex.idle();
  assert.equal(ex.prompt?.kind, 'extract-overwrite');
  assert.match(text(ex), /exists\. Overwrite\? y\/N/);
  type(ex, 'n');
  assert.equal(readFileSync(target, 'utf8'), 'mine');
  // And "y" overwrites.
  type(ex, 'x\r');
  await ex.idle();
  type(ex, 'y');
  await ex.idle();
  assert.ok(readFileSync(target, 'utf8').includes('PRIVATE KEY'));
});

test('export: JSON of the findings to a confirmed path, says where it wrote', async () => {
  const ex = explorerOn(model, { cwd: dir });
  type(ex, 'e');
  assert.match(text(ex), /Export findings as: json {2}sarif {2}markdown/);
  type(ex, 'j');
  assert.equal(ex.prompt?.kind, 'export-path');
  type(ex, '\r');
  await ex.idle();
  const target = path.join(dir, 'layerlens-findings.json');
  const doc = JSON.parse(readFileSync(target, 'utf8'));
  const list = doc.findings ?? doc.results ?? doc;
  assert.ok(JSON.stringify(list).includes('/root/.ssh/id_rsa'));
  assert.match(ex.message?.text ?? '', /wrote \d+ findings as json to .*layerlens-findings\.json/);
  type(ex, 'ej\r');
  await ex.idle();
  assert.equal(ex.prompt?.kind, 'export-overwrite');
  type(ex, '\x1b');
  assert.equal(ex.prompt, null);
});

test('export: SARIF and Markdown through the report writers', async () => {
  const ex = explorerOn(model, { cwd: dir });
  type(ex, 'es\r');
  await ex.idle();
  const sarif = JSON.parse(readFileSync(path.join(dir, 'layerlens-findings.sarif'), 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(JSON.stringify(sarif).includes('id_rsa'));
  type(ex, 'em\r');
  await ex.idle();
  const md = readFileSync(path.join(dir, 'layerlens-findings.md'), 'utf8');
  assert.match(md, /id_rsa/);
  assert.ok(!md.includes(secrets.githubToken), 'no secret in full in the report');
});

test('demo secrets are generated per run, and the explorer refuses without a terminal', async () => {
  const { demoImage } = await import('../../src/sources/demo/index.js');
  const a = await demoImage();
  const b = await demoImage();
  assert.notEqual(a.secrets.githubToken, b.secrets.githubToken);
  assert.notEqual(a.secrets.privateKeyPem, b.secrets.privateKeyPem);
  assert.match(a.secrets.githubToken, /^ghp_[A-Za-z0-9]{36}$/);
  const { canRunExplorer } = await import('../../src/ui/terminal.js');
  if (!process.stdout.isTTY) {
    const r = canRunExplorer({ stdinIsData: false });
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /layerlens scan/);
  }
});

test('help overlay lists every binding and closes with Esc', () => {
  const ex = explorerOn(model);
  type(ex, '?');
  const s = text(ex);
  for (const k of [
    'Shift+Tab',
    'changes only',
    'filter paths',
    'show / hide added',
    'extract the file',
    'export the findings',
    'reveal',
  ])
    assert.ok(s.includes(k), k);
  type(ex, '\x1b');
  assert.equal(ex.help, false);
});

test('resize: narrow terminals stack panels; tiny ones say so; nothing is wider than the terminal', () => {
  const ex = explorerOn(model, { width: 80, height: 24 });
  let lines = text(ex).split('\n');
  assert.equal(lines.length, 24);
  for (const l of lines) assert.equal([...l].length, 80);
  assert.equal(ex.layout().wide, false);
  ex.resize(200, 60);
  lines = text(ex).split('\n');
  assert.equal(lines.length, 60);
  assert.equal(ex.layout().wide, true);
  assert.equal(ex.tree.rows().length, ex.layout().treeRows);
  ex.resize(30, 8);
  assert.match(text(ex), /terminal too small/);
});

test('side panels: ports with risks, image with masked env, history with the leaked build arg', () => {
  const ex = explorerOn(model);
  type(ex, 'p');
  let s = text(ex);
  assert.match(s, /2375\/tcp\s+CRIT Docker Engine API \(plain\)/);
  assert.match(s, /3306\/tcp\s+MED {2}MySQL \/ MariaDB/, 'the port check’s table, as scan rates it');
  assert.match(s, /docker run -P/);
  type(ex, 'i');
  s = text(ex);
  assert.match(s, /User\s+root {2}⚠ runs as root/);
  assert.match(s, /APP_SECRET_KEY=FAKE…\(\d+ chars\)/);
  assert.ok(!s.includes(secrets.envSecret));
  assert.match(s, /Wasted/);
  type(ex, 'c');
  ex.selectLayer(7);
  s = text(ex);
  assert.match(s, /build args recorded in history/);
  assert.match(s, /\|1 DB_PASSWORD=FAKE…/);
  assert.match(s, /EXPOSE map\[22\/tcp/);
  assert.match(s, /USER root/);
});

test('filter typed live: substring, regex, bad regex, Esc clears', () => {
  const ex = explorerOn(model);
  ex.selectLayer(7);
  type(ex, '/id_rsa');
  assert.equal(ex.filterEditing, true);
  let s = text(ex);
  assert.match(s, /\/ id_rsa▏/);
  type(ex, '\r');
  assert.equal(ex.tree.filterText, 'id_rsa');
  type(ex, '/');
  for (let i = 0; i < 6; i++) press(ex, 'backspace');
  type(ex, '/conf(/');
  s = text(ex);
  assert.match(s, /not a valid regex: unterminated group/);
  type(ex, '\x1b');
  assert.equal(ex.tree.filterText, '');
  type(ex, '/\\.yml$/\r');
  s = text(ex);
  assert.match(s, /config\.yml/);
  assert.doesNotMatch(s, /busybox/);
});

test('hostile names: escapes shown as text, never written raw to the terminal', async () => {
  const hostile = await loadedImage(HOSTILE_LAYERS);
  const ex = explorerOn(hostile);
  ex.tree.expandAll();
  const raw = screen(ex).join('\n');
  assert.deepEqual(nonSgrEscapes(raw), []);
  const s = text(ex);
  assert.ok(s.includes('esc-title-\\e]0;PWNED\\x07'), s);
  assert.ok(s.includes('clear-\\e[2J\\e[H-screen'));
  assert.ok(s.includes('invoice-\\u202efdp.exe'));
  assert.ok(s.includes('new\\nline'));
  assert.ok(s.includes('link-to-esc → target-\\e]0;PWNED\\x07'));
  assert.ok(s.includes('LABEL x=\\e]0;PWNED-BY-HISTORY\\x07'));
  // File content too.
  ex.tree.reveal('/hostile/content.txt', 0);
  type(ex, 'v');
  await ex.idle();
  const v = screen(ex).join('\n');
  assert.deepEqual(nonSgrEscapes(v), []);
  assert.ok(text(ex).includes('\\e]0;PWNED-BY-CONTENT\\x07\\e[2J\\u202eevil'));
});

test('filter: /etc/passwd is text (no regex, no error); /…/ is a regex, smart case; errors in plain words', () => {
  const ex = explorerOn(model);
  ex.selectLayer(7);
  type(ex, '//etc/passwd\r');
  assert.equal(ex.tree.filterError, undefined);
  assert.equal(ex.tree.filterIsRegex, false);
  let s = text(ex);
  assert.match(s, /passwd/);
  assert.match(s, /\/ \/etc\/passwd {2}text/);
  assert.doesNotMatch(s, /busybox/);
  type(ex, '/');
  for (let i = 0; i < 12; i++) press(ex, 'backspace');
  type(ex, '/CONFIG\\.YML$/\r');
  assert.equal(ex.tree.filterIsRegex, true);
  assert.deepEqual(ex.tree.rows(), [], 'capitals make a regex case-sensitive');
  type(ex, '/');
  for (let i = 0; i < 14; i++) press(ex, 'backspace');
  type(ex, '/config\\.yml$/\r');
  s = text(ex);
  assert.match(s, /config\.yml/);
  assert.match(s, / regex · Esc clears/);
  type(ex, '/');
  for (let i = 0; i < 14; i++) press(ex, 'backspace');
  type(ex, '/[a-/\r');
  assert.match(text(ex), /not a valid regex: unterminated character class; without \/…\/ it is text/);
  assert.doesNotMatch(text(ex), /Invalid regular expression/, 'never the raw JavaScript message');
});

test('v on a directory or a symlink says what it is (and follows the link); < > move the divider', () => {
  const ex = explorerOn(model);
  ex.selectLayer(0);
  ex.tree.reveal('/bin', 0);
  type(ex, 'v');
  assert.equal(ex.viewer, null);
  assert.match(ex.message?.text ?? '', /\/bin is a directory: → or Enter opens it/);
  ex.tree.reveal('/bin/ash', 0);
  type(ex, 'v');
  assert.equal(ex.tree.cursor?.path, '/bin/busybox', 'v on a symlink goes to its target');
  assert.match(ex.message?.text ?? '', /\/bin\/ash → \/bin\/busybox: moved to \/bin\/busybox/);
  const before = ex.layout().layers.width;
  type(ex, '>>');
  assert.equal(ex.layout().layers.width, before + 8);
  type(ex, '<');
  assert.equal(ex.layout().layers.width, before + 4);
  assert.equal(ex.tree.height, ex.layout().treeRows);
});

test('export to a folder that does not exist: one line in plain words with the path', async () => {
  const ex = explorerOn(model, { cwd: dir });
  type(ex, 'ej');
  const p = ex.prompt as { value: string };
  p.value = path.join(dir, 'no-such-folder', 'out.json');
  type(ex, '\r');
  await ex.idle();
  assert.equal(ex.message?.kind, 'error');
  assert.equal(
    ex.message?.text,
    `cannot write ${path.join(dir, 'no-such-folder', 'out.json')}: the folder ${path.join(dir, 'no-such-folder')} does not exist`,
  );
  assert.doesNotMatch(ex.message?.text ?? '', /ENOENT|open '/);
});

test('History shows the layer’s digest, diffID and sizes; the Image panel the efficiency, also as dive counts it', () => {
  const ex = explorerOn(model);
  ex.selectLayer(1);
  type(ex, 'c');
  let s = text(ex);
  const d = model.meta!.layers[1];
  assert.ok(s.includes(`diffID   ${d.diffId!.slice(0, 40)}`), 'the diffID');
  assert.match(s, /size {5}3\.7 MB uncompressed · \d\.\d MB stored \(gzip\)/);
  type(ex, 'i');
  s = text(ex);
  assert.match(s, /Efficiency\s+\d+\.\d% \(dive: \d+\.\d%\)/);
  assert.match(s, /User wasted\s+\d+\.\d% of the [\d.]+ [kM]B added above the base layer/);
  assert.match(s, /Top waste\s+[\d.]+ [kM]B {2}\/var\/cache\/apt\/archives\//);
});

test('a failed layer: later layers are marked not read, and the screen says which layers are verified', async () => {
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'a.txt', content: 'one\n' }] },
    { entries: [{ name: 'b.txt', content: 'two\n' }] },
    { entries: [{ name: 'c.txt', content: 'three\n' }] },
    { entries: [{ name: 'd.txt', content: 'four\n' }] },
  ]);
  // Layer 1's bytes no longer match its diffID: tampered.
  blobs[1] = Buffer.from(blobs[1]);
  blobs[1][600] ^= 0x20;
  const m = new ImageModel();
  await assert.rejects(m.load(memoryReader(meta, blobs)));
  const ex = explorerOn(m, { width: 160, height: 30 });
  const s = text(ex);
  assert.match(s, /✖ layer 1: content digest mismatch/);
  assert.match(s, /Layer 0 is verified and shown\./);
  assert.match(s, /1\s+failed/);
  assert.match(s, /2\s+not read/);
  assert.match(s, /3\s+not read/);
  ex.selectLayer(3);
  assert.match(text(ex), /layer 3 was not read: layer 1 failed\. Layer 0 is verified and shown\./);
  assert.doesNotMatch(text(ex), /loading…|queued/, 'nothing pretends to be still loading');
});

test('an empty findings list says whether the checks ran: none, none yet, or the image was not read completely', async () => {
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'a.txt', content: 'one\n' }] },
    { entries: [{ name: 'b.txt', content: 'two\n' }] },
  ]);
  meta.config.config = { User: '10001' }; // (no finding about the config)
  const clean = new ImageModel();
  await clean.load(memoryReader(meta, blobs));
  // The full checks still running (their promise not settled), none found while loading.
  let ex = new Explorer({ model: clean, early: () => [], findings: () => new Promise<Finding[]>(() => {}) });
  ex.resize(160, 30);
  ex.sync();
  type(ex, 'f');
  assert.match(text(ex), /no findings yet \(the checks are running…\)/);
  const tampered = blobs.map((b) => Buffer.from(b));
  tampered[1][600] ^= 0x20;
  const failed = new ImageModel();
  await assert.rejects(failed.load(memoryReader(meta, tampered)));
  ex = explorerOn(failed, { width: 160, height: 30 });
  type(ex, 'f');
  const s = text(ex);
  assert.match(s, /no findings in what was read: the image was not read completely/);
  assert.doesNotMatch(s, /still loading/);
  type(ex, 'u');
  const v = text(ex);
  assert.match(v, /Known vulnerabilities: not checked: the image was not read completely/);
  assert.match(v, /Vulns.* not checked ╮/);
  assert.doesNotMatch(v, /once every layer is in|loading/);
  ex.jumpToVulnerable();
  assert.equal(ex.message?.text, 'vulnerabilities: not checked (the image was not read completely)');
});

test('progress while no layer is known: bytes and rate from the source, its name as soon as read, the daemon’s wait', () => {
  const m = new ImageModel();
  m.sourceProgress = {
    bytesRead: 0,
    phase: "waiting for the Docker daemon's export",
    totalBytes: 204_000_000,
    totalIsEstimate: true,
  };
  const ex = explorerOn(m, { width: 160, height: 30 });
  assert.match(text(ex), /waiting for the Docker daemon's export/);
  m.sourceProgress.bytesRead = 51_000_000;
  m.sourceProgress.phase = undefined;
  ex.sync(Date.now());
  ex.sync(Date.now() + 1000);
  m.sourceProgress.bytesRead = 102_000_000;
  ex.samples.push({ t: ex.samples[0].t + 1000, bytes: 102_000_000 });
  const s = text(ex);
  assert.match(s, /~50% 102 MB\/~204 MB/, s.split('\n')[0]);
  assert.match(s, /ETA ~/);
  // A pipe: no total, the name from the archive's metadata once it is read.
  const pipe = new ImageModel();
  pipe.sourceProgress = { bytesRead: 12_345_678 };
  const px = explorerOn(pipe, { width: 160, height: 30 });
  assert.match(text(px).split('\n')[0], /reading 12\.3 MB/);
  pipe.sourceProgress.name = 'app:1.2';
  assert.match(text(px).split('\n')[0], / layerlens {2}app:1\.2 /);
});

test('until a finding is chosen, n starts at the first (most severe) one of the final list', () => {
  const m = model;
  const ex = explorerOn(m, { full: false });
  // While loading the list differs from the final one; a refresh must not keep an unchosen selection.
  ex.findingIndex = 3;
  ex.refreshFindings();
  assert.equal(ex.findingIndex, 0);
  ex.selectFinding(2);
  const chosen = ex.findings[2].id;
  ex.refreshFindings();
  assert.equal(ex.findings[ex.findingIndex].id, chosen, 'a chosen finding stays selected');
});

test('an empty tree says why: a layer whose changes are all of hidden kinds does not "change no files"', async () => {
  const img = await loadedImage([
    {
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/a', content: 'a' },
      ],
    },
    {
      entries: [
        { name: 'srv/', type: 'directory' },
        { name: 'srv/new', content: 'n' },
      ],
    },
    { entries: [], createdBy: 'ENV A=1' },
  ]);
  const ex = explorerOn(img);
  type(ex, ']a');
  assert.match(text(ex), /Changes in layer 1/);
  assert.match(text(ex), /srv/);
  type(ex, '1');
  let s = text(ex);
  assert.match(s, /every change of this layer is of a kind hidden \(added\)/);
  assert.doesNotMatch(s, /changes no files/);
  type(ex, ']');
  assert.match(text(ex), /this layer changes no files/, 'a layer without changes says so, kinds hidden or not');
  type(ex, '[a4');
  s = text(ex);
  assert.match(s, /Filesystem at layer 1/);
  assert.match(s, /no path of the kinds shown \(hiding added, unmodified\)/);
  type(ex, '/zzz');
  assert.match(text(ex), /no path of the kinds shown matches the filter/);
});

test('a finding on a copy its own layer replaced: the jump says how to extract it', async () => {
  const token = githubToken();
  const { meta, blobs } = await memoryImage([
    {
      entries: [
        { name: 'app/config.env', content: `token=${token}\n` },
        { name: 'app/config.env', content: 'token=${TOKEN}\n' },
      ],
    },
  ]);
  const twice = new ImageModel();
  await twice.load(memoryReader(meta, blobs), { inspectContent: createContentInspector() });
  const ex = explorerOn(twice);
  await ex.idle();
  const i = ex.findings.findIndex((f) => f.ruleId.startsWith('secret-github'));
  assert.ok(i >= 0, 'the first copy is reported');
  ex.jumpToFinding(i);
  assert.match(
    ex.message?.text ?? '',
    /a later entry of the layer replaced it; layerlens extract … --layer 0 --entry 0 writes it/,
  );
});

test('a finding in an entry no runtime unpacks: the jump says so, and how to extract it', async () => {
  const { file, tar } = await import('../support/tar-craft.js');
  const { imageOfTars } = await import('../support/image.js');
  const { meta, blobs } = imageOfTars([
    tar([file('ok.txt', 'ok\n'), file('app/odd.env', `token=${githubToken()}\n`, { typeflag: '7' })]),
  ]);
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector() });
  const ex = explorerOn(model);
  await ex.idle();
  const i = ex.findings.findIndex((f) => f.ruleId.startsWith('secret-github'));
  assert.ok(i >= 0, 'the entry is reported');
  ex.jumpToFinding(i);
  assert.match(
    ex.message?.text ?? '',
    /in no file system: container runtimes refuse to unpack its entry; layerlens extract … --layer 0 --entry 1 writes it/,
  );
});
