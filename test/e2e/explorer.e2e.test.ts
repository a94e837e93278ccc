/**
 * End to end: the real CLI (`layerlens --demo`, an OCI layout, an archive on stdin, the Docker
 * fixtures) in a real terminal (tmux), keys sent as a user types them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { memoryImage } from '../support/image.js';
import { HOSTILE_LAYERS } from '../support/ui.js';
import { ensureFixtures, skipReason } from '../support/harness.js';
import { writeOciLayout } from '../support/oci-layout.js';
import { cli, killServer, Pane, tmux, tmuxMissing } from '../support/tmux.js';

const noTmux = tmuxMissing();
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'layerlens-e2e-'));
});
after(() => {
  killServer();
  rmSync(dir, { recursive: true, force: true });
});

/** Nothing but SGR colour codes in the captured screen (tmux re-encodes what the app drew). */
function assertNoRawEscapes(ansi: string): void {
  const stripped = ansi.replace(/\x1b\[[0-9;:]*m/g, '');
  assert.doesNotMatch(stripped, /[\x00-\x08\x0b-\x1f\x7f]/, 'no control characters other than colours on screen');
}

test('demo: first frame, finding jumps, viewer masked in text and hex, help, quit restores the screen', {
  skip: noTmux,
  timeout: 90_000,
}, async () => {
  const pane = Pane.start('demo', dir, cli('--demo'));
  try {
    let s = await pane.waitFor(/✔ 8 layers/);
    assert.match(s, /Layers/);
    assert.match(s, /RUN apt-get update/);
    assert.match(s, /Filesystem at layer 0/);
    s = await pane.waitFor(/efficiency \d+\.\d% · wasted [\d.]+ [kM]B · user wasted/); // the image details, in view
    assert.equal(s.split('\n').filter((l) => l.length).length, 45, 'the whole screen is used');
    // Findings are in the one order (scan's): a token in the overwritten config, then the key.
    pane.keys('n');
    s = await pane.waitFor(/finding 1\/\d+ \[critical\]/);
    s = await pane.waitFor(/config\.yml\s+⚑ overwritten in L6/);
    pane.keys('n');
    s = await pane.waitFor(/id_rsa\s+⚑ deleted in L4/);
    pane.keys('v');
    // (The header shows the path at once, the note once the file is read.)
    s = await pane.waitFor(/View \/root\/\.ssh\/id_rsa.*layer 3 · deleted in layer 4/);
    assert.match(s, /MII.…\(\d+ chars\)/);
    assert.match(s, /1 masked \(r reveals\)/);
    pane.keys('b');
    s = await pane.waitFor(/· hex · 1 masked/);
    assert.match(s, /•• •• ••/);
    s = await pane.press('Escape');
    await pane.waitFor(/Changes in layer 3|Filesystem at layer 3/);
    s = await pane.press('?');
    assert.match(s, /Keys/);
    assert.match(s, /extract the file to a path you confirm/);
    s = await pane.press('NPage');
    assert.match(s, /File tree|Layers|Side panel/, 'PgDn scrolls the help');
    await pane.press('Escape');
    pane.keys('p');
    s = await pane.waitFor(/2375\/tcp\s+CRIT Docker Engine API \(plain\)/);
    assert.match(s, /3306\/tcp\s+MED {2}MySQL \/ MariaDB/);
    assertNoRawEscapes(pane.ansi());
    pane.keys('q');
    s = await pane.waitFor(/__EXIT=0/);
    assert.doesNotMatch(s, /Layers|layerlens/, 'alternate screen left: the shell screen is back');
  } finally {
    pane.kill();
  }
});

test('80 columns: help and quit always in the key bar; Ctrl+R only hints; help covers the screen', {
  skip: noTmux,
  timeout: 90_000,
}, async () => {
  const pane = Pane.start('narrow', dir, cli('--demo'), 80, 24);
  try {
    let s = await pane.waitFor(/✔ 8 layers/);
    const bar = s
      .split('\n')
      .filter((l) => l.trim())
      .at(-1)!;
    assert.match(bar, /q quit {2}\? help\s*$/, bar);
    pane.keys('C-r');
    s = await pane.waitFor(/dive’s Ctrl\+R is 3 here: show\/hide removed \(r reveals secrets\)/);
    assert.doesNotMatch(s, /removed: hidden/, 'Ctrl+R did not act as r or 3');
    pane.keys('?');
    s = await pane.waitFor(/Keys/);
    const rows = s.split('\n').slice(1, 23);
    for (const r of rows) assert.match(r, /^[╭│╰]/, `the overlay covers every row at 80 columns: ${r}`);
    pane.keys('G');
    s = await pane.waitFor(/Layer marks/);
    // Escape and q sent apart: back to back, a terminal reads them as Alt+q.
    pane.keys('Escape');
    await pane.waitFor(/Filesystem at layer/);
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});

test('mouse: a click selects a layer and a tab, the wheel scrolls the tree (SGR reports as a terminal sends them)', {
  skip: noTmux,
  timeout: 90_000,
}, async () => {
  const pane = Pane.start('mouse', dir, cli('--demo'), 160, 45);
  try {
    await pane.waitFor(/✔ 8 layers/);
    // Row 5 of the screen (1-based: header, border, column titles, layers 0, 1, 2…) is layer 2.
    pane.keys('-l', '\x1b[<0;10;6M\x1b[<0;10;6m');
    let s = await pane.waitFor(/Filesystem at layer 2/);
    pane.keys('-l', '\x1b[<65;100;10M');
    s = await pane.waitFor(/Filesystem at layer 2/);
    assert.ok(s.length > 0);
    // The Ports tab in the side panel's top border.
    const top = pane
      .screen()
      .split('\n')
      .findIndex((l) => l.includes('Ports p'));
    const col = pane.screen().split('\n')[top].indexOf('Ports p');
    pane.keys('-l', `\x1b[<0;${col + 2};${top + 1}M\x1b[<0;${col + 2};${top + 1}m`);
    s = await pane.waitFor(/\[Ports\]/);
    assert.match(s, /2375\/tcp/);
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});

test('resizing the terminal re-lays out the frame', { skip: noTmux, timeout: 60_000 }, async () => {
  const pane = Pane.start('resize', dir, cli('--demo'), 160, 45);
  try {
    await pane.waitFor(/✔ 8 layers/);
    tmux('resize-window', '-t', 'resize', '-x', '90', '-y', '30');
    // (Not /Layers/: the old 160-column frame, cut by tmux at 90 columns, holds it too, and a
    // screen read before the explorer redraws cut "Filesystem at layer 0" off.)
    const s = await pane.waitFor(/Filesystem at layer 0/);
    await new Promise((r) => setTimeout(r, 400));
    const lines = pane.screen().split('\n');
    assert.ok(
      lines.every((l) => [...l].length <= 90),
      'nothing wider than the terminal',
    );
    assert.match(s, /Filesystem at layer 0/);
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});

async function hostileLayout(): Promise<{ layout: string; archive: string }> {
  const { meta, blobs } = await memoryImage(HOSTILE_LAYERS);
  const layout = path.join(dir, 'hostile-oci');
  const { tar } = await writeOciLayout(layout, meta, blobs);
  const archive = path.join(dir, 'hostile-oci.tar');
  writeFileSync(archive, tar);
  return { layout, archive };
}

async function checkHostile(pane: Pane, laterLayers = 0): Promise<void> {
  pane.setTitle('layerlens-e2e-title');
  // Keys only once every layer is in (the title line names the file before that).
  let s = await pane.waitFor(/✔ \d+ layers/, 120_000);
  // The hostile names live in the last layer; `]` selects the next layer.
  for (let i = 0; i < laterLayers; i++) await pane.press(']');
  await pane.press('+');
  s = await pane.press('G');
  assert.match(s, /esc-title-\\e\]0;PWNED\\x07/);
  assert.match(s, /clear-\\e\[2J\\e\[H-screen/);
  assert.match(s, /invoice-\\u202efdp\.exe/);
  assert.match(s, /new\\nline/);
  assert.match(s, /link-to-esc → target-\\e\]0;PWNED\\x07/);
  assert.match(s, /Layers/, 'screen not cleared by a file name');
  pane.keys('c');
  s = await pane.press('v');
  assert.equal(pane.title(), 'layerlens-e2e-title', 'the image could not set the terminal title');
  assertNoRawEscapes(pane.ansi());
  pane.keys('q');
  await pane.waitFor(/__EXIT=0/);
  assert.equal(pane.title(), 'layerlens-e2e-title');
}

test('control: a raw OSC title sequence does change the pane title (so the check below means something)', {
  skip: noTmux,
}, async () => {
  const pane = Pane.start('control', dir, `printf '\\033]2;PWNED\\007'; sleep 1`);
  try {
    pane.setTitle('before');
    await new Promise((r) => setTimeout(r, 300));
    tmux('send-keys', '-t', 'control', '');
    await pane.waitFor(/__EXIT=0/, 10_000);
    // Send the sequence again now that the title is set.
    tmux('respawn-pane', '-k', '-t', 'control', `printf '\\033]2;PWNED\\007'; sleep 5`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(pane.title(), 'PWNED');
  } finally {
    pane.kill();
  }
});

test('hostile names (OCI layout): escapes shown as text; title and screen untouched', {
  skip: noTmux,
  timeout: 60_000,
}, async () => {
  const { layout } = await hostileLayout();
  const pane = Pane.start('hostile', dir, cli(JSON.stringify(layout)));
  try {
    await checkHostile(pane);
  } finally {
    pane.kill();
  }
});

test('archive on stdin (`layerlens -`): keys come from the terminal', { skip: noTmux, timeout: 60_000 }, async () => {
  const { archive } = await hostileLayout();
  const pane = Pane.start('stdin', dir, `cat ${JSON.stringify(archive)} | ${cli('-')}`);
  try {
    await checkHostile(pane);
  } finally {
    pane.kill();
  }
});

test('quitting while the image still streams exits at once, without waiting for the input to end', {
  skip: noTmux,
  timeout: 60_000,
}, async () => {
  const { archive } = await hostileLayout();
  // The pipe stays open for 40 s after the archive: the load cannot finish before then. (A
  // process substitution, not a pipeline: the shell would wait for `sleep` in a pipeline.)
  const pane = Pane.start('quit-early', dir, `${cli('-')} < <(cat ${JSON.stringify(archive)}; sleep 40)`);
  try {
    await pane.waitFor(/layerlens/);
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/, 10_000);
  } finally {
    pane.kill();
  }
});

const itSkip = noTmux ?? skipReason();

test('Docker fixtures: docker save of the basic image piped in; the deleted key and the overwritten token', {
  skip: itSkip,
  timeout: 600_000,
}, async () => {
  const fx = await ensureFixtures();
  const pane = Pane.start('fx-basic', dir, `cat ${JSON.stringify(fx.basicDockerTar)} | ${cli('-')}`);
  try {
    await pane.waitFor(/✔ \d+ layers/, 120_000);
    let s = await pane.press('f');
    assert.match(s, /id_rsa/);
    const row = s.split('\n').findIndex((l) => /Deleted .*id_rsa|id_rsa .*deleted/i.test(l));
    assert.ok(row >= 0, s);
    // n walks the findings in the one order until the deleted key is selected in the tree.
    await pane.press('f');
    for (let i = 0; i < 12 && !/id_rsa\s+⚑ deleted in L\d+/.test(s); i++) s = await pane.press('n');
    s = await pane.waitFor(/id_rsa\s+⚑ deleted in L\d+/);
    s = await pane.press('v');
    s = await pane.waitFor(/View \/root\/\.ssh\/id_rsa/);
    assert.ok(!s.includes(fx.secrets.sshPrivateKey.split('\n')[1] ?? '§'), 'key masked');
    // Escape and q sent apart: back to back, a terminal reads them as Alt+q.
    await pane.press('Escape');
    pane.keys('q');
    await pane.waitFor(/__EXIT=0/);
  } finally {
    pane.kill();
  }
});

test('Docker fixtures: the hostile image from docker save', { skip: itSkip, timeout: 600_000 }, async () => {
  const fx = await ensureFixtures();
  const pane = Pane.start('fx-hostile', dir, cli(JSON.stringify(fx.hostileDockerTar)));
  try {
    await checkHostile(pane, 1);
  } finally {
    pane.kill();
  }
});
