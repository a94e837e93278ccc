/** The shapes of a keyword prefilter loop's result, shared by the JS loop (keywords.ts) and the WebAssembly one (keyword-wasm.ts). */
export interface KeywordHits {
  /** Offsets of keyword hits and the keyword index at each (parallel arrays), in offset order. */
  positions: number[];
  keywords: number[];
}

export interface KeywordScan extends KeywordHits {
  /** Newlines in [from, to). */
  newlines: number;
}

/** A prefilter loop. `all`: every keyword hit, none dropped by what follows it (follow.ts). */
export type KeywordScanner = (input: Uint8Array, from?: number, to?: number, all?: boolean) => KeywordScan;
