/**
 * What must follow a keyword hit for its rules to match there (SecretRule.follows), as tables
 * both prefilter loops read: the JS one (keywords.ts, through followOk below) and the
 * WebAssembly one (keyword-scan.wat, which holds the same tables in its memory). Dropping the
 * hits that fail it keeps keyword-dense text that cannot match away from the rules: on a Debian
 * image most hits are URLs without credentials and prose about passwords.
 */
import { KEYWORD_LIST, KEYWORD_RULES } from './keyword-tables.js';
import type { Follow } from './rules.js';

// Record kinds (byte 0 of a keyword's record): the .wat tests the same numbers.
const NONE = 0;
const RUN = 1;
const ASSIGNMENT = 2;
const COLON = 3;
const USERINFO = 4;
const ON_LINE = 5;

/** Key-name bytes allowed after an assignment keyword before it passes unjudged. */
const KEY_REST_MAX = 48;
/**
 * The bytes of neither whitespace nor a quote that an assignment's value starts with at least:
 * the generic rule's value is 8 to 200 of them, every keyed rule's more (a test checks each).
 */
export const VALUE_MIN = 8;
/** The URL rule's user (64) + ':' + password (128): where its '@' is at the latest. */
const USERINFO_MAX = 194;
// JS's \s within latin1 (file bytes are decoded as latin1: one char per byte).
const SPACE = '\\t\\n\\v\\f\\r \\xa0';

/**
 * Per keyword (by index into KEYWORD_LIST), four bytes: kind, a, class, class2.
 *   Run: a = minimum count, class = the run's bytes
 *   Assignment: a = KEY_REST_MAX, class = key-name bytes, class2 = the bytes a value stops at
 *   Colon: class = whitespace (after an optional quote)
 *   Userinfo: a = USERINFO_MAX, class = the bytes that end user info
 *   OnLine: a, class = the two bytes to find
 */
export const FOLLOW = new Uint8Array(KEYWORD_LIST.length * 4);
/** 256 bytes per class: 1 where the byte is in it. */
export let CLASSES = new Uint8Array(0);

{
  const classes: string[] = [];
  const classId = (chars: string) => {
    const i = classes.indexOf(chars);
    return i >= 0 ? i : classes.push(chars) - 1;
  };
  const record = (f: Follow): [number, number, number, number?] => {
    switch (f.kind) {
      case 'run':
        return [RUN, f.min, classId(f.chars)];
      case 'assignment':
        return [ASSIGNMENT, KEY_REST_MAX, classId('A-Za-z0-9_.-'), classId(SPACE + '"\'`')];
      case 'colon':
        return [COLON, 0, classId(SPACE)];
      case 'userinfo':
        return [USERINFO, USERINFO_MAX, classId(SPACE + '/"\'<>')];
      case 'on-line':
        return [ON_LINE, f.text.charCodeAt(0), f.text.charCodeAt(1)];
    }
  };
  KEYWORD_LIST.forEach((_, k) => {
    // A keyword's hits are dropped only when every rule it serves says what must follow, the
    // same for all (no keyword is shared that way today), and none reads the whole window.
    const rules = KEYWORD_RULES[k];
    const f = rules[0].follows;
    const same = f && rules.every((r) => r.scope !== 'window' && JSON.stringify(r.follows) === JSON.stringify(f));
    const [kind, a, cls, cls2 = 0] = same ? record(f) : [NONE, 0, 0];
    if (a > 255 || cls > 255 || cls2 > 255) throw new Error(`keyword "${KEYWORD_LIST[k]}": follow record out of range`);
    FOLLOW.set([kind, a, cls, cls2], k * 4);
  });
  CLASSES = new Uint8Array(classes.length * 256);
  classes.forEach((chars, i) => {
    const re = new RegExp(`[${chars}]`);
    for (let b = 0; b < 256; b++) if (re.test(String.fromCharCode(b))) CLASSES[i * 256 + b] = 1;
  });
}

/** ON_LINE's last search (followOk): from `from` it ended at `at`, on `pair`, found or not. */
const onLine = { from: -1, at: -1, pair: -1, found: false };

/** Forget ON_LINE's last search: called before each new input (the $onLineFrom of the .wat). */
export function newFollowInput(): void {
  onLine.from = -1;
}

/**
 * Whether the bytes after a hit of keyword `k` (from `p`, the keyword's end, to `end`) let its
 * rules match there. The WebAssembly $follows is this function, line for line.
 */
export function followOk(buf: Uint8Array, k: number, p: number, end: number): boolean {
  const r = k << 2;
  const kind = FOLLOW[r];
  if (kind === NONE) return true;
  const a = FOLLOW[r + 1];
  const cls = FOLLOW[r + 2] << 8;
  switch (kind) {
    case RUN:
      if (p + a > end) return false;
      for (let n = 0; n < a; n++) if (CLASSES[cls + buf[p + n]] === 0) return false;
      return true;
    case ASSIGNMENT: {
      for (let n = 0; p < end && CLASSES[cls + buf[p]] === 1; p++) if (++n > a) return true;
      if (p < end && (buf[p] === 34 || buf[p] === 39)) p++; // " '
      while (p < end && (buf[p] === 32 || buf[p] === 9)) p++;
      if (p >= end || (buf[p] !== 58 && buf[p] !== 61)) return false; // : =
      // The value, after an operator of one byte or of two (:= =>).
      const stop = FOLLOW[r + 3] << 8;
      if (valueAt(buf, p + 1, end, stop)) return true;
      const two = p + 1 < end && ((buf[p] === 58 && buf[p + 1] === 61) || (buf[p] === 61 && buf[p + 1] === 62));
      return two && valueAt(buf, p + 2, end, stop);
    }
    case COLON:
      if (p < end && (buf[p] === 34 || buf[p] === 39)) p++; // " '
      while (p < end && CLASSES[cls + buf[p]] === 1) p++;
      return p < end && buf[p] === 58;
    case USERINFO:
      for (let n = 0; n < a && p + n < end; n++) {
        const c = buf[p + n];
        if (c === 64) return true; // @
        if (CLASSES[cls + c] === 1) return false;
      }
      return false;
    default: {
      // ON_LINE: the two bytes a, FOLLOW[r + 2] before the line's end. A hit inside the stretch
      // the last search went over (same pair) has its answer: searched once per hit, a line of
      // thousands of hits was searched to its end thousands of times.
      const b = FOLLOW[r + 2];
      const pair = a | (b << 8);
      if (pair === onLine.pair && p >= onLine.from && onLine.from >= 0 && p <= onLine.at) return onLine.found;
      onLine.pair = pair;
      onLine.from = p;
      for (; p + 1 < end && buf[p] !== 10; p++) if (buf[p] === a && buf[p + 1] === b) break;
      onLine.at = p;
      onLine.found = p + 1 < end && buf[p] === a && buf[p + 1] === b;
      return onLine.found;
    }
  }
}

/**
 * Whether an assignment's value starts at `v`: spaces or tabs, an optional quote, then VALUE_MIN
 * bytes outside the class at `stop` (whitespace and quotes). Most hits of "token", "secret" and
 * "password" in code assign a short expression (`token = None`, `self.token = token`, `secret:
 * string;`), and dropping them here keeps their windows from being made into strings at all.
 */
function valueAt(buf: Uint8Array, v: number, end: number, stop: number): boolean {
  while (v < end && (buf[v] === 32 || buf[v] === 9)) v++;
  if (v < end && (buf[v] === 34 || buf[v] === 39 || buf[v] === 96)) v++; // " ' `
  let n = 0;
  while (n < VALUE_MIN && v + n < end && CLASSES[stop + buf[v + n]] === 0) n++;
  return n === VALUE_MIN;
}
