/**
 * Keywords that only count in one casing. The prefilter matches keywords without regard to case
 * (`password`, `Password`, `PASSWORD` all lead to the generic rule), but most provider prefixes
 * belong to case-sensitive patterns that hold them literally: `rdme_[a-z0-9]{70}`, `AKIA…`,
 * `eyJ…`. An `RDME_` or a `README` can never be part of such a match, yet its three bytes (`DME`)
 * sent the prefilter's fast path to its slow path (keyword-scan.wat): on text that says README
 * every few hundred bytes, 4% of all blocks. For such a keyword the prefilter's three-byte table
 * holds the one casing its patterns can match (keyword-wasm.ts); what it then confirms and what
 * the patterns find are unchanged.
 *
 * A keyword is exact when every rule it leads to has case-sensitive patterns that each require
 * the keyword in one and the same casing: written as plain characters, outside any character
 * class, lookaround, alternation (but a group whose every alternative starts with a keyword of the
 * rule) or optional group, and not made optional by a quantifier. Where that cannot be told from
 * the pattern's text, the keyword keeps matching in any case.
 */
import type { SecretRule } from './rules.js';

/**
 * Where `[at, at + len)` of a pattern's source is a literal every match holds, or one of a group
 * of plain literals every match holds one of, each of them a keyword of the rule (`keywords`:
 * `(AKIA|ASIA|ABIA|ACCA)`: each keyword then is in its exact casing wherever its branch matched).
 */
function mandatoryAt(src: string, at: number, len: number, keywords: readonly string[]): boolean {
  // Alternation at the top level makes every literal optional.
  const groups: Array<{ open: number; alt: boolean; look: boolean }> = [];
  let topAlt = false;
  let inClass = false;
  let enclosing: Array<{ open: number; alt: boolean; look: boolean }> | undefined;
  for (let i = 0; i < src.length; i++) {
    if (i === at) {
      if (inClass) return false;
      enclosing = [...groups];
    }
    const c = src[i];
    if (c === '\\') {
      if (i + 1 >= at && i < at + len) return false; // an escape inside the keyword: not plain text
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      if (i >= at && i < at + len) return false;
      inClass = true;
    } else if (c === '(') {
      if (i >= at && i < at + len) return false;
      const look =
        src.startsWith('(?=', i) || src.startsWith('(?!', i) || src.startsWith('(?<=', i) || src.startsWith('(?<!', i);
      groups.push({ open: i, alt: false, look });
    } else if (c === ')') {
      if (i >= at && i < at + len) return false;
      const g = groups.pop();
      if (!g) return false;
      // A group around the keyword: it must be there once (no ?, *, {0…}) and have no alternative.
      if (enclosing?.includes(g)) {
        if (g.look) return false;
        if (g.alt && !keywordBranches(src.slice(g.open + 1, i), keywords)) return false;
        if (optionalAfter(src, i)) return false;
      }
    } else if (c === '|') {
      if (i >= at && i < at + len) return false;
      if (groups.length) groups[groups.length - 1].alt = true;
      else topAlt = true;
    } else if (
      (c === '?' || c === '*' || c === '+' || c === '{' || c === '.' || c === '^' || c === '$') &&
      i >= at &&
      i < at + len
    ) {
      return false; // a metacharacter inside the keyword
    }
    // A quantifier on the keyword's last character makes it optional.
    if (i === at + len - 1 && optionalAfter(src, i)) return false;
  }
  return enclosing !== undefined && !topAlt && !inClass;
}

/** Whether what follows `src[i]` lets it match zero times (`?`, `*`, `{0}`, `{0,n}`). */
function optionalAfter(src: string, i: number): boolean {
  const q = src[i + 1];
  return q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(src.slice(i + 1)));
}

/**
 * A group's body whose every alternative starts with plain characters holding a keyword of the
 * rule (`AKIA`, `A3T[A-Z0-9]`): whichever alternative matched, a keyword is there in the casing
 * its alternative writes. (The body is split at every `|`: a nested group with alternatives of its
 * own fails the test, which only costs the keyword its exact casing.)
 */
function keywordBranches(body: string, keywords: readonly string[]): boolean {
  const branches = (body.startsWith('?:') ? body.slice(2) : body).split('|');
  return branches.every((b) => {
    const lead = /^[A-Za-z0-9_-]+/.exec(b)?.[0].toLowerCase();
    return lead !== undefined && keywords.some((k) => lead.startsWith(k));
  });
}

/**
 * The one casing in which `keyword` (lower case) can lead `rules` to a match, or undefined when
 * it counts in any case (see above).
 */
export function exactKeywordForm(keyword: string, rules: readonly SecretRule[]): string | undefined {
  let form: string | undefined;
  if (!rules.length) return undefined;
  for (const r of rules) {
    const p = r.pattern;
    if (p.flags.includes('i')) return undefined;
    const src = p.source;
    const lower = src.toLowerCase();
    let found = false;
    for (let j = lower.indexOf(keyword); j >= 0; j = lower.indexOf(keyword, j + 1)) {
      const f = src.slice(j, j + keyword.length);
      if (!mandatoryAt(src, j, keyword.length, r.keywords)) continue;
      if (form !== undefined && f !== form) return undefined;
      form = f;
      found = true;
    }
    if (!found) return undefined;
  }
  return form;
}
