/**
 * The keyword prefilter: one pass over the bytes finds every rule keyword (ASCII, case-folded,
 * but in its one casing for a keyword whose rules can only match that: keyword-case.ts) and
 * counts lines on the way. A regex alternation of ~75 literals runs at ~30 MB/s in V8; a
 * loop dispatching on the first two bytes runs at hundreds of MB/s in JS and several times that
 * in WebAssembly (keyword-wasm.ts), and windows without a keyword are never turned into strings.
 * Both loops give identical results (test/findings/keywords.test.ts); the JS one is the fallback
 * where WebAssembly is unavailable.
 */
import { followOk, newFollowInput } from './follow.js';
import { KW_BYTES, KW_EXACT, LOWER, PAIR_ANY, PAIR_KW, PAIR_START } from './keyword-tables.js';
import type { KeywordScan, KeywordScanner } from './keyword-types.js';
import { keywordWasmUsable, lazyKeywordWasm } from './keyword-wasm.js';

export { KEYWORD_LIST, KEYWORD_RULES } from './keyword-tables.js';

export type { KeywordHits, KeywordScan, KeywordScanner } from './keyword-types.js';

/**
 * Find keyword hits in buf[from, to) and count its newlines: the plain JS loop. Hits that what
 * follows rules out (follow.ts) are dropped unless `all`.
 */
export function scanKeywordsJs(input: Uint8Array, from = 0, to = input.length, all = false): KeywordScan {
  // A plain Uint8Array view: V8 indexes it faster than a Buffer (a subclass).
  const buf = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.length);
  const positions: number[] = [];
  const keywords: number[] = [];
  newFollowInput();
  const last = to - 1;
  let prev = from < to ? buf[from] : 0;
  for (let i = from; i < last; i++) {
    const cur = buf[i + 1];
    const raw = (prev << 8) | cur;
    prev = cur;
    if (PAIR_ANY[raw] === 0) continue;
    const key = (LOWER[raw >> 8] << 8) | LOWER[cur];
    const s = PAIR_START[key];
    const e = PAIR_START[key + 1];
    for (let q = s; q < e; q++) {
      const k = PAIR_KW[q];
      const kb = KW_BYTES[k];
      const n = kb.length;
      if (i + n > to) continue;
      let j = 2;
      while (j < n && LOWER[buf[i + j]] === kb[j]) j++;
      // A keyword that counts in one casing only (keyword-case.ts): in those bytes.
      const exact = KW_EXACT[k];
      if (exact !== null && j === n) for (j = 0; j < n && buf[i + j] === exact[j]; ) j++;
      if (j === n && (all || followOk(buf, k, i + n, to))) {
        positions.push(i);
        keywords.push(k);
      }
    }
  }
  // Newlines counted natively (indexOf), not in the byte loop above: the loop is the hot path.
  return { positions, keywords, newlines: newlinesIn(buf, from, to) };
}

/** The line feeds in buf[from, to), found by indexOf (native). */
export function newlinesIn(buf: Uint8Array, from = 0, to = buf.length): number {
  let newlines = 0;
  for (let p = buf.indexOf(10, from); p >= 0 && p < to; p = buf.indexOf(10, p + 1)) newlines++;
  return newlines;
}

/**
 * The WebAssembly loop, or undefined where it cannot be loaded. Its instance is made at its first
 * call (keyword-wasm.ts keywordWasmUsable: why not at import).
 */
export const scanKeywordsWasm: KeywordScanner | undefined = keywordWasmUsable() ? lazyKeywordWasm() : undefined;

/** Find keyword hits in buf[from, to) and count its newlines (WebAssembly when available). */
export const scanKeywords: KeywordScanner = scanKeywordsWasm ?? scanKeywordsJs;
