/**
 * Terminal input bytes → key and mouse events. The explorer reads the terminal in raw mode and
 * parses what it gets here: printable characters, control keys, the escape sequences terminals
 * send for arrows, paging, Home/End and function keys (xterm, VT220 and rxvt forms, with their
 * modifier parameters), and SGR mouse reports (`ESC [ < b ; x ; y M/m`, enabled by
 * terminal.ts). A chunk may hold several keys (fast typing, tmux send-keys, a paste); each comes
 * out as its own event. Unknown sequences are dropped whole, never typed as text.
 */

export interface KeyEvent {
  kind: 'key';
  /**
   * The key: a printable character as typed ('a', 'A', '?', 'é'), or one of 'space', 'enter',
   * 'tab', 'escape', 'backspace', 'delete', 'insert', 'up', 'down', 'left', 'right', 'pageup',
   * 'pagedown', 'home', 'end', 'f1'…'f12'. With ctrl: the letter ('c' for Ctrl+C, 'space' for
   * Ctrl+Space).
   */
  name: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

export interface MouseEvent {
  kind: 'mouse';
  /** press / release of a button, or a wheel step. */
  action: 'press' | 'release' | 'wheel-up' | 'wheel-down' | 'drag';
  /** 0 left, 1 middle, 2 right. */
  button: number;
  /** 0-based cell. */
  x: number;
  y: number;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

export type InputEvent = KeyEvent | MouseEvent;

const CSI_TILDE: Record<string, string> = {
  '1': 'home',
  '2': 'insert',
  '3': 'delete',
  '4': 'end',
  '5': 'pageup',
  '6': 'pagedown',
  '7': 'home',
  '8': 'end',
  '11': 'f1',
  '12': 'f2',
  '13': 'f3',
  '14': 'f4',
  '15': 'f5',
  '17': 'f6',
  '18': 'f7',
  '19': 'f8',
  '20': 'f9',
  '21': 'f10',
  '23': 'f11',
  '24': 'f12',
};

const CSI_FINAL: Record<string, string> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
};

/** xterm modifier parameter: 1 + (shift 1, alt 2, ctrl 4, meta 8). */
function modifiers(param: string | undefined): Pick<KeyEvent, 'ctrl' | 'meta' | 'shift'> {
  const n = Number(param ?? '1') - 1;
  if (!Number.isFinite(n) || n <= 0) return {};
  const out: Pick<KeyEvent, 'ctrl' | 'meta' | 'shift'> = {};
  if (n & 1) out.shift = true;
  if (n & 2 || n & 8) out.meta = true;
  if (n & 4) out.ctrl = true;
  return out;
}

function key(name: string, mods: Pick<KeyEvent, 'ctrl' | 'meta' | 'shift'> = {}): KeyEvent {
  return { kind: 'key', name, ...mods };
}

/** One control byte (0x00–0x1f, 0x7f) as a key. */
function controlKey(code: number): KeyEvent {
  switch (code) {
    case 0x0d:
    case 0x0a:
      return key('enter');
    case 0x09:
      return key('tab');
    case 0x7f:
    case 0x08:
      return key('backspace');
    case 0x1b:
      return key('escape');
    case 0x00:
      return key('space', { ctrl: true });
  }
  if (code >= 1 && code <= 26) return key(String.fromCharCode(code + 96), { ctrl: true });
  // Ctrl+\ ] ^ _ (0x1c–0x1f)
  return key(String.fromCharCode(code + 64), { ctrl: true });
}

// CSI: ESC [ params intermediates final. SS3: ESC O final.
const CSI = /^\x1b\[([<?>=]?)([0-9;:]*)([ -/]*)([@-~])/;
const SS3 = /^\x1bO([0-9;]*)([@-~])/;

/** A CSI sequence cut short at the end of a chunk (its final byte comes with the next read). */
const PARTIAL_CSI = /\x1b\[[<?>=]?[0-9;:]*$/;

/**
 * Terminal input as events, across reads: an escape sequence cut between two chunks is kept until
 * the rest arrives. A lone ESC at the end of a chunk is the Escape key (terminals send a whole
 * sequence in one write, so a cut is rare: ESC [ and its parameters are what can be cut).
 */
export class InputParser {
  private pending = '';

  feed(chunk: string): InputEvent[] {
    let s = this.pending + chunk;
    this.pending = '';
    const cut = PARTIAL_CSI.exec(s);
    if (cut && cut[0].length > 1 && cut[0].length < 32) {
      this.pending = cut[0];
      s = s.slice(0, cut.index);
    }
    return parseInput(s);
  }
}

/** Parse one chunk of terminal input (complete sequences; see InputParser for reads cut short). */
export function parseInput(chunk: string): InputEvent[] {
  const out: InputEvent[] = [];
  let s = chunk;
  while (s.length > 0) {
    const c = s.charCodeAt(0);
    if (c === 0x1b) {
      if (s.length === 1) {
        out.push(key('escape'));
        break;
      }
      const next = s[1];
      if (next === '[') {
        // X10 mouse: ESC [ M b x y (three raw bytes).
        if (s[2] === 'M' && s.length >= 6) {
          const ev = x10Mouse(s.charCodeAt(3) - 32, s.charCodeAt(4) - 33, s.charCodeAt(5) - 33);
          if (ev) out.push(ev);
          s = s.slice(6);
          continue;
        }
        const m = CSI.exec(s);
        if (!m) {
          // An incomplete or malformed sequence: drop ESC [ and what follows up to a final byte.
          s = s.slice(2).replace(/^[0-9;:<?>=]*[@-~]?/, '');
          continue;
        }
        s = s.slice(m[0].length);
        const ev = csiEvent(m[1], m[2], m[4]);
        if (ev) out.push(ev);
        continue;
      }
      if (next === 'O') {
        const m = SS3.exec(s);
        if (m) {
          s = s.slice(m[0].length);
          const name = CSI_FINAL[m[2]];
          if (name) out.push(key(name, modifiers(m[1] || undefined)));
          continue;
        }
      }
      if (next === '\x1b') {
        // ESC ESC: Escape, then look at the second one anew.
        out.push(key('escape'));
        s = s.slice(1);
        continue;
      }
      // ESC + key: Alt/Meta held.
      const cp = s.codePointAt(1)!;
      const len = cp > 0xffff ? 2 : 1;
      const inner = cp < 0x20 || cp === 0x7f ? controlKey(cp) : key(cp === 0x20 ? 'space' : s.slice(1, 1 + len));
      out.push({ ...inner, meta: true });
      s = s.slice(1 + len);
      continue;
    }
    if (c < 0x20 || c === 0x7f) {
      out.push(controlKey(c));
      // CR LF from a paste: one Enter.
      s = c === 0x0d && s[1] === '\n' ? s.slice(2) : s.slice(1);
      continue;
    }
    const cp = s.codePointAt(0)!;
    const len = cp > 0xffff ? 2 : 1;
    // C1 controls (U+0080–U+009F) never type anything.
    if (cp >= 0x80 && cp <= 0x9f) {
      s = s.slice(len);
      continue;
    }
    out.push(key(cp === 0x20 ? 'space' : s.slice(0, len)));
    s = s.slice(len);
  }
  return out;
}

function csiEvent(prefix: string, params: string, final: string): InputEvent | undefined {
  if (prefix === '<' && (final === 'M' || final === 'm')) {
    const [b, x, y] = params.split(';').map(Number);
    return sgrMouse(b, x - 1, y - 1, final === 'm');
  }
  if (prefix) return undefined; // replies to queries, private reports
  const parts = params.split(';');
  if (final === '~') {
    const name = CSI_TILDE[parts[0]];
    // 200~ / 201~: bracketed paste markers (not enabled; ignored if a terminal sends them).
    return name ? key(name, modifiers(parts[1])) : undefined;
  }
  if (final === 'Z') return key('tab', { shift: true });
  const name = CSI_FINAL[final];
  if (!name) return undefined;
  return key(name, modifiers(parts.length > 1 ? parts[1] : undefined));
}

function mouseMods(b: number): Pick<MouseEvent, 'ctrl' | 'meta' | 'shift'> {
  const out: Pick<MouseEvent, 'ctrl' | 'meta' | 'shift'> = {};
  if (b & 4) out.shift = true;
  if (b & 8) out.meta = true;
  if (b & 16) out.ctrl = true;
  return out;
}

function sgrMouse(b: number, x: number, y: number, release: boolean): MouseEvent | undefined {
  if (!Number.isFinite(b) || !Number.isFinite(x) || !Number.isFinite(y) || x < 0 || y < 0) return undefined;
  const mods = mouseMods(b);
  if (b & 64) return { kind: 'mouse', action: b & 1 ? 'wheel-down' : 'wheel-up', button: 0, x, y, ...mods };
  const button = b & 3;
  if (b & 32) return { kind: 'mouse', action: 'drag', button, x, y, ...mods };
  return { kind: 'mouse', action: release ? 'release' : 'press', button, x, y, ...mods };
}

function x10Mouse(b: number, x: number, y: number): MouseEvent | undefined {
  if (x < 0 || y < 0) return undefined;
  if ((b & 3) === 3 && !(b & 64)) return { kind: 'mouse', action: 'release', button: 0, x, y, ...mouseMods(b) };
  return sgrMouse(b, x, y, false);
}

/** A key's id in the key table: 'j', 'G', 'enter', 'S-tab', 'C-f', 'M-x'. */
export function keyId(k: KeyEvent): string {
  const printable = [...k.name].length === 1;
  return `${k.ctrl ? 'C-' : ''}${k.meta ? 'M-' : ''}${k.shift && !printable ? 'S-' : ''}${k.name}`;
}

/** The text a key types into a text field (printable keys only). */
export function keyText(k: KeyEvent): string | undefined {
  if (k.ctrl || k.meta) return undefined;
  if (k.name === 'space') return ' ';
  return [...k.name].length === 1 ? k.name : undefined;
}
