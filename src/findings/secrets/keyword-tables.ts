/**
 * The keyword prefilter's tables, shared by its JS loop (keywords.ts) and its WebAssembly twin
 * (keyword-wasm.ts): every rule keyword (ASCII, lower case) grouped by its first two bytes.
 */
import { SECRET_RULES, type SecretRule } from './rules.js';

export const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;

export const KEYWORD_LIST: string[] = [...new Set(SECRET_RULES.flatMap((r) => r.keywords))];
/** Rules to run for each keyword (index into KEYWORD_LIST). */
export const KEYWORD_RULES: SecretRule[][] = KEYWORD_LIST.map((k) => SECRET_RULES.filter((r) => r.keywords.includes(k)));
export const KW_BYTES = KEYWORD_LIST.map((k) => Uint8Array.from(Buffer.from(k, 'latin1')));

// Compressed table: keywords by their first two (lower-case) bytes, pair = b0 << 8 | b1.
// PAIR_KW[PAIR_START[p] .. PAIR_START[p + 1]) are the keyword indexes of pair p.
export const PAIR_START = new Int32Array(65537);
const pairKw: number[] = [];
{
  const lists: number[][] = Array.from({ length: 65536 }, () => []);
  KW_BYTES.forEach((b, i) => {
    if (b.length < 2) throw new Error(`keyword "${KEYWORD_LIST[i]}" is shorter than 2 bytes`);
    lists[(b[0] << 8) | b[1]].push(i);
  });
  let n = 0;
  for (let p = 0; p < 65536; p++) {
    PAIR_START[p] = n;
    for (const k of lists[p]) pairKw[n++] = k;
  }
  PAIR_START[65536] = n;
}
export const PAIR_KW = Int32Array.from(pairKw);

// One byte per pair: the hot loop reads this and only touches the lists on a candidate.
// Indexed by the RAW byte pair (case folded in the table, not per byte in the loop: a lookup
// less per byte measured ~1.6× faster).
export const PAIR_ANY = new Uint8Array(65536);
for (let a = 0; a < 256; a++) {
  for (let b = 0; b < 256; b++) {
    const p = (LOWER[a] << 8) | LOWER[b];
    if (PAIR_START[p + 1] > PAIR_START[p]) PAIR_ANY[(a << 8) | b] = 1;
  }
}
