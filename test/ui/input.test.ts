/** Terminal input → key and mouse events: what terminals (xterm, VT220, rxvt, tmux) really send. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputParser, keyId, keyText, parseInput, type KeyEvent } from '../../src/ui/input.js';

const ids = (s: string) => parseInput(s).map((e) => (e.kind === 'key' ? keyId(e) : `mouse:${e.action}`));

test('printable keys, one event each, whatever arrives in one read', () => {
  assert.deepEqual(ids('jk?G'), ['j', 'k', '?', 'G']);
  assert.deepEqual(ids(' '), ['space']);
  assert.deepEqual(ids('é日😀'), ['é', '日', '😀'], 'UTF-8 characters, astral ones whole');
  assert.deepEqual(ids('\u009b31m'), ['3', '1', 'm'], 'a C1 control never types anything');
});

test('control keys: Enter (CR, LF, CR LF once), Tab, Backspace (DEL and BS), Escape, Ctrl+letters', () => {
  assert.deepEqual(ids('\r\n\r\t\x7f\x08'), ['enter', 'enter', 'tab', 'backspace', 'backspace']);
  assert.deepEqual(ids('\x03\x12\x06\x00\x1c'), ['C-c', 'C-r', 'C-f', 'C-space', 'C-\\']);
  assert.deepEqual(ids('\x1b'), ['escape'], 'a lone ESC at the end of a read is Escape');
  assert.deepEqual(ids('\x1b\x1b'), ['escape', 'escape']);
  assert.deepEqual(ids('\x1bq'), ['M-q'], 'ESC then a key in one read: Alt held');
  assert.deepEqual(ids('\x1b\x12'), ['C-M-r']);
});

test('cursor and paging keys in the xterm, VT220, rxvt and application-mode forms', () => {
  assert.deepEqual(ids('\x1b[A\x1b[B\x1b[C\x1b[D'), ['up', 'down', 'right', 'left']);
  assert.deepEqual(ids('\x1bOA\x1bOB'), ['up', 'down'], 'application cursor mode (SS3)');
  assert.deepEqual(ids('\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1bOH\x1bOF'), [
    'pageup',
    'pagedown',
    'home',
    'end',
    'home',
    'end',
    'home',
    'end',
    'home',
    'end',
  ]);
  assert.deepEqual(ids('\x1b[3~\x1b[2~\x1bOP\x1b[15~\x1b[24~'), ['delete', 'insert', 'f1', 'f5', 'f12']);
  assert.deepEqual(ids('\x1b[Z'), ['S-tab']);
  assert.deepEqual(ids('\x1b[1;5A\x1b[1;2B\x1b[1;3C\x1b[5;5~'), ['C-up', 'S-down', 'M-right', 'C-pageup']);
});

test('unknown and malformed sequences are dropped whole, never typed', () => {
  assert.deepEqual(ids('\x1b[?1;2c'), [], 'a device-attributes reply');
  assert.deepEqual(ids('\x1b[200~x\x1b[201~'), ['x'], 'bracketed-paste markers (not enabled) are dropped');
  assert.deepEqual(ids('\x1b[99Xj'), ['j']);
});

test('SGR mouse reports: presses, releases, wheel, modifiers, 0-based cells', () => {
  const ev = parseInput('\x1b[<0;10;5M\x1b[<0;10;5m\x1b[<64;3;4M\x1b[<65;3;4M\x1b[<2;1;1M\x1b[<16;7;8M\x1b[<32;7;8M');
  assert.deepEqual(ev, [
    { kind: 'mouse', action: 'press', button: 0, x: 9, y: 4 },
    { kind: 'mouse', action: 'release', button: 0, x: 9, y: 4 },
    { kind: 'mouse', action: 'wheel-up', button: 0, x: 2, y: 3 },
    { kind: 'mouse', action: 'wheel-down', button: 0, x: 2, y: 3 },
    { kind: 'mouse', action: 'press', button: 2, x: 0, y: 0 },
    { kind: 'mouse', action: 'press', button: 0, x: 6, y: 7, ctrl: true },
    { kind: 'mouse', action: 'drag', button: 0, x: 6, y: 7 },
  ]);
  // Beyond column 223 (where the old X10 form stops): SGR has no limit.
  assert.deepEqual(parseInput('\x1b[<0;300;50M')[0], { kind: 'mouse', action: 'press', button: 0, x: 299, y: 49 });
  // The X10 form, three raw bytes.
  assert.deepEqual(parseInput(`\x1b[M${String.fromCharCode(32, 33 + 4, 33 + 2)}`)[0], {
    kind: 'mouse',
    action: 'press',
    button: 0,
    x: 4,
    y: 2,
  });
});

test('a sequence cut between two reads is kept until its end arrives', () => {
  const p = new InputParser();
  assert.deepEqual(p.feed('j\x1b[1;'), [{ kind: 'key', name: 'j' }]);
  assert.deepEqual(p.feed('5A'), [{ kind: 'key', name: 'up', ctrl: true }]);
  assert.deepEqual(p.feed('\x1b[<0;4'), []);
  assert.deepEqual(
    p.feed(';2Mk').map((e) => e.kind),
    ['mouse', 'key'],
  );
});

test('key ids and the text a key types into a field', () => {
  const k = (name: string, m: Partial<KeyEvent> = {}): KeyEvent => ({ kind: 'key', name, ...m });
  assert.equal(keyId(k('G')), 'G');
  assert.equal(keyId(k('tab', { shift: true })), 'S-tab');
  assert.equal(keyId(k('G', { shift: true })), 'G', 'shift is part of a printable key');
  assert.equal(keyId(k('r', { ctrl: true })), 'C-r');
  assert.equal(keyText(k('a')), 'a');
  assert.equal(keyText(k('space')), ' ');
  assert.equal(keyText(k('a', { ctrl: true })), undefined);
  assert.equal(keyText(k('down')), undefined);
});
