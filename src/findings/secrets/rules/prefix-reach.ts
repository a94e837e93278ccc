/**
 * The reach of a rule whose matches start with a literal (SecretRule.reach): how far into the
 * match its keyword lies. A token rule's pattern is `\b(?<secret>ghp_…` or `(?<![…])(?<secret>
 * (?:sk|rk)_(?:live|prod)_…`: every match begins with one of a few literal strings, and each of
 * them holds a keyword (`ghp_` at 0, `ub_pat_` at 4 of `github_pat_`). The reach is the furthest
 * such keyword's offset, so on a long line the pattern is tried near its hits only (near-hits.ts)
 * rather than over the whole line: a tree of packages' bundles spent ~0.25 s in these patterns
 * reading whole lines of hundreds of kilobytes.
 *
 * Read from the pattern's source: leading `\b` and lookbehinds (they hold no character), then
 * the literal characters, escaped ones, small character classes (`[MC]`) and groups of such
 * alternatives (`(?:pat|sat)`, optional or not), up to the first other construct. Undefined when a
 * start does not hold a keyword, or the source cannot be read that way: the rule then reads whole
 * lines, as before. test/findings/secrets/near-hits.test.ts checks every rule with a reach on random
 * long lines.
 */

/** Literal starts are expanded up to this many strings (a larger alternation is not read). */
const MAX_STARTS = 64;
/** A character class is expanded when it holds at most this many characters. */
const MAX_CLASS = 8;

class Unread extends Error {}

/** The reach of a pattern whose matches start with literals holding `keywords`, or undefined. */
export function prefixReach(pattern: RegExp, keywords: readonly string[]): number | undefined {
  const src = pattern.source;
  let at = 0;
  // Zero-width starts: word boundaries and lookbehinds.
  for (;;) {
    if (src.startsWith('\\b', at)) at += 2;
    else if (src.startsWith('(?<!', at) || src.startsWith('(?<=', at)) at = groupEnd(src, at);
    else break;
  }
  let starts: string[];
  try {
    const all = alternatives(src, at);
    if (all.at !== src.length) return undefined;
    starts = all.starts;
  } catch (e) {
    if (e instanceof Unread) return undefined;
    throw e;
  }
  // (A keyword matches in any case unless keyword-case.ts makes it exact; either way its
  // lower-cased bytes are in the lower-cased start wherever it is.)
  const lower = keywords.map((k) => k.toLowerCase());
  let reach = 0;
  for (const s of starts) {
    const text = s.toLowerCase();
    let found = false;
    for (const k of lower) {
      for (let i = text.indexOf(k); i >= 0; i = text.indexOf(k, i + 1)) {
        found = true;
        reach = Math.max(reach, i);
      }
    }
    if (!found) return undefined;
  }
  return reach;
}

/** Where the group opening at `at` ends (after its ')'). */
function groupEnd(src: string, at: number): number {
  return Math.min(partEnd(src, at + 1, false) + 1, src.length);
}

interface Read {
  /** The literal strings a match can begin with. */
  starts: string[];
  /** Where reading stopped: at a '|' or ')' that ends the part, or at the end. */
  at: number;
  /** Reading stopped at a construct that is not a literal (what follows it is not read). */
  open: boolean;
}

/** Alternatives from `at` up to the ')' that closes them (or the end): every one's literal starts. */
function alternatives(src: string, at: number): Read {
  const starts: string[] = [];
  let open = false;
  for (;;) {
    const one = sequence(src, at);
    starts.push(...one.starts);
    if (starts.length > MAX_STARTS) throw new Unread();
    at = one.open ? partEnd(src, one.at) : one.at;
    open ||= one.open;
    if (src[at] !== '|') return { starts, at, open };
    at++;
  }
}

/**
 * The '|' (unless not `bars`) or ')' that ends the alternative going on at `at` (or the end),
 * past nested groups, classes and escapes.
 */
function partEnd(src: string, at: number, bars = true): number {
  let depth = 0;
  for (let i = at; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') {
      for (i++; i < src.length && src[i] !== ']'; i++) if (src[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return i;
      depth--;
    } else if (c === '|' && bars && depth === 0) return i;
  }
  return src.length;
}

/** The literal strings one alternative starting at `at` begins with. */
function sequence(src: string, at: number): Read {
  let starts = [''];
  const extend = (options: readonly string[]) => {
    const next: string[] = [];
    for (const s of starts) for (const o of options) next.push(s + o);
    if (next.length > MAX_STARTS) throw new Unread();
    starts = next;
  };
  while (at < src.length) {
    const c = src[at];
    if (c === '|' || c === ')') return { starts, at, open: false };
    let options: string[];
    let end: number;
    let inner = false;
    if (c === '\\') {
      const e = src[at + 1];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) return { starts, at, open: true }; // \d \w \b …
      options = [e];
      end = at + 2;
    } else if (c === '[') {
      const close = src.indexOf(']', at + 1);
      const body = src.slice(at + 1, close);
      if (close < 0 || !/^[A-Za-z0-9_~.$]+$/.test(body) || body.length > MAX_CLASS) return { starts, at, open: true };
      options = [...body];
      end = close + 1;
    } else if (c === '(') {
      // A group that holds characters: (?: … ) or a named one; not a lookaround.
      const head = /^\((?:\?:|\?<[A-Za-z]\w*>)/.exec(src.slice(at));
      if (!head) return { starts, at, open: true };
      const group = alternatives(src, at + head[0].length);
      if (src[group.at] !== ')') throw new Unread();
      options = group.starts;
      end = group.at + 1;
      // (An alternative read in part: the starts end with this group.)
      inner = group.open;
    } else if ('^$.*+?{'.includes(c)) {
      return { starts, at, open: true };
    } else {
      options = [c];
      end = at + 1;
    }
    // A quantifier after the atom: `?` makes it optional; any other ends the literal starts here.
    const q = src[end];
    if (q === '*' || q === '+' || q === '{') return { starts, at, open: true };
    if (q === '?') {
      extend(['', ...options]);
      return { starts, at: end + 1, open: true };
    }
    extend(options);
    if (inner) return { starts, at: end, open: true };
    at = end;
  }
  return { starts, at, open: false };
}
