/**
 * The keyword prefilter's tables, shared by its JS loop (keywords.ts) and its WebAssembly twin
 * (keyword-wasm.ts): every rule keyword (ASCII, lower case) grouped by its first two bytes.
 * Built at import by every command (the CLI loads the checks at start-up): from the ~300
 * keywords, not by loops over all 65,536 byte pairs, which cost ~15 ms of cold JS and GC there.
 */
import { exactKeywordForm } from './keyword-case.js';
import { SECRET_RULES, type SecretRule } from './rules.js';

export const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;

export const KEYWORD_LIST: string[] = [];
/** Rules to run for each keyword (index into KEYWORD_LIST), in SECRET_RULES' order. */
export const KEYWORD_RULES: SecretRule[][] = [];
{
  // One pass over the rules (a filter of all ~230 rules per keyword, ~360 of them, was ~80k
  // callbacks of cold code: 10-20 ms of every command that loads the checks).
  const index = new Map<string, number>();
  for (const r of SECRET_RULES) {
    for (const k of r.keywords) {
      let i = index.get(k);
      if (i === undefined) {
        i = KEYWORD_LIST.push(k) - 1;
        index.set(k, i);
        KEYWORD_RULES.push([]);
      }
      const list = KEYWORD_RULES[i];
      // (A rule that lists a keyword twice runs once for it.)
      if (list[list.length - 1] !== r) list.push(r);
    }
  }
}
export const KW_BYTES = KEYWORD_LIST.map((k) => Uint8Array.from(Buffer.from(k, 'latin1')));
/**
 * Per keyword: its bytes in the one casing its rules can match, or null when it counts in any
 * case (keyword-case.ts). Only the prefilter's three-byte table uses it (keyword-wasm.ts).
 */
export const KW_EXACT: Array<Uint8Array | null> = KEYWORD_LIST.map((k, i) => {
  const form = exactKeywordForm(k, KEYWORD_RULES[i]);
  return form === undefined ? null : Uint8Array.from(Buffer.from(form, 'latin1'));
});

/** A keyword's first two (lower-case) bytes as one number: b0 << 8 | b1. */
const pairOf = (k: number) => {
  const b = KW_BYTES[k];
  if (b.length < 2) throw new Error(`keyword "${KEYWORD_LIST[k]}" is shorter than 2 bytes`);
  return (b[0] << 8) | b[1];
};

// Compressed table: keywords by their first two (lower-case) bytes.
// PAIR_KW[PAIR_START[p] .. PAIR_START[p + 1]) are the keyword indexes of pair p, in index order.
export const PAIR_KW = Int32Array.from(KW_BYTES.keys()).sort((a, b) => pairOf(a) - pairOf(b) || a - b);
export const PAIR_START = new Int32Array(65537);
/** The lower-case pairs that start a keyword, ascending (one per bucket of the .wat). */
export const KEYWORD_PAIRS: number[] = [];
{
  // PAIR_START[p] = how many keywords have a pair below p: filled run by run.
  let from = 0;
  for (let q = 0; q < PAIR_KW.length; q++) {
    const p = pairOf(PAIR_KW[q]);
    if (KEYWORD_PAIRS.at(-1) === p) continue;
    KEYWORD_PAIRS.push(p);
    PAIR_START.fill(q, from, p + 1);
    from = p + 1;
  }
  PAIR_START.fill(PAIR_KW.length, from);
}

/** A byte and, for a lower-case letter, its upper case. */
export function bothCases(b: number): number[] {
  return b >= 97 && b <= 122 ? [b, b - 32] : [b];
}

// One byte per pair: the hot loop reads this and only touches the lists on a candidate.
// Indexed by the RAW byte pair (case folded in the table, not per byte in the loop: a lookup
// less per byte measured ~1.6× faster).
export const PAIR_ANY = new Uint8Array(65536);
for (const p of KEYWORD_PAIRS)
  for (const a of bothCases(p >> 8)) for (const b of bothCases(p & 0xff)) PAIR_ANY[(a << 8) | b] = 1;
