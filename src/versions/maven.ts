/**
 * Maven's ComparableVersion order: the version is split at `.`, `-` and digit/letter transitions
 * into numbers, qualifiers and sub-lists (each `-`, or a transition, opens one); trailing "null"
 * items (0, "", ga, final, release) are dropped; qualifiers order alpha < beta < milestone <
 * rc = cr < snapshot < (release) < sp < any other, the others alphabetically; a, b, m directly
 * followed by a digit mean alpha, beta, milestone.
 */

type Item = { k: 'int'; v: bigint } | { k: 'str'; v: string } | { k: 'list'; v: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE = String(QUALIFIERS.indexOf(''));

function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${q}`;
}

function strItem(s: string, followedByDigit: boolean): Item {
  if (followedByDigit && s.length === 1)
    s = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[s] ?? s;
  return { k: 'str', v: ALIASES[s] ?? s };
}

function parseItem(s: string, isDigit: boolean): Item {
  return isDigit ? { k: 'int', v: BigInt(s) } : strItem(s, false);
}

function isNull(it: Item): boolean {
  if (it.k === 'int') return it.v === 0n;
  if (it.k === 'str') return qualifierKey(it.v) === RELEASE;
  return it.v.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i];
    if (isNull(last)) list.splice(i, 1);
    else if (last.k !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const sub = () => {
    const l: Item[] = [];
    list.push({ k: 'list', v: l });
    list = l;
    stack.push(l);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '.') {
      list.push(i === start ? { k: 'int', v: 0n } : parseItem(v.slice(start, i), isDigit));
      start = i + 1;
    } else if (c === '-') {
      list.push(i === start ? { k: 'int', v: 0n } : parseItem(v.slice(start, i), isDigit));
      start = i + 1;
      sub();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(strItem(v.slice(start, i), true));
        start = i;
        sub();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(v.slice(start, i), true));
        start = i;
        sub();
      }
      isDigit = false;
    }
  }
  if (v.length > start) list.push(parseItem(v.slice(start), isDigit));
  while (stack.length) normalize(stack.pop()!);
  return { k: 'list', v: root };
}

function cmp(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -cmp(b, undefined);
  if (a.k === 'int') {
    if (b === undefined) return a.v === 0n ? 0 : 1;
    if (b.k === 'int') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return 1; // a number is newer than a qualifier or a sub-list
  }
  if (a.k === 'str') {
    if (b === undefined) return Math.sign(byKey(qualifierKey(a.v), RELEASE));
    if (b.k === 'str') return Math.sign(byKey(qualifierKey(a.v), qualifierKey(b.v)));
    return -1;
  }
  if (b === undefined) return a.v.length === 0 ? 0 : cmp(a.v[0], undefined);
  if (b.k === 'int') return -1;
  if (b.k === 'str') return 1;
  for (let i = 0; i < Math.max(a.v.length, b.v.length); i++) {
    const r = cmp(a.v[i], b.v[i]);
    if (r) return r;
  }
  return 0;
}

function byKey(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareMaven(a: string, b: string): number {
  return cmp(parseMaven(a), parseMaven(b));
}
