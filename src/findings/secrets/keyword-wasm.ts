/**
 * Loads the keyword prefilter's WebAssembly module (keyword-scan.wat, bytes committed in
 * keyword-scan-wasm.ts) and fills its tables from keyword-tables.ts. Synchronous: the module is
 * under 2 KB. Returns undefined where WebAssembly (with SIMD) is unavailable or disabled with
 * LAYERLENS_NO_WASM=1; the caller then uses the JS loop.
 */
import { copyInto } from '../../engine/shared-copy.js';
import { CLASSES, FOLLOW } from './follow.js';
import { bothCases, KEYWORD_PAIRS, KW_BYTES, KW_EXACT, LOWER, PAIR_KW, PAIR_START } from './keyword-tables.js';
import { KEYWORD_SCAN_WASM } from './keyword-scan-wasm.js';
// (Types only: keywords.ts loads this module.)
import type { KeywordHits, KeywordScanner } from './keyword-types.js';

// The few WebAssembly JS API types used here (the project's lib settings do not declare them).
interface WasmGlobal {
  value: number;
}
interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  TRI: WasmGlobal;
  LOWER: WasmGlobal;
  BUCKETS: WasmGlobal;
  ENTRIES: WasmGlobal;
  KWBYTES: WasmGlobal;
  OUT: WasmGlobal;
  INPUT: WasmGlobal;
  FOLLOW: WasmGlobal;
  CLASSES: WasmGlobal;
  WORDS: WasmGlobal;
  resume: WasmGlobal;
  onLineFrom: WasmGlobal;
  filter: WasmGlobal;
  scan(start: number, end: number): number;
  newlines(start: number, end: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { exports: object };
}

const KWBYTES_CAP = 16384;
/** The .wat returns early once it holds more hits than this (OUT_CAP - 256). */
const EARLY_STOP = 7936;
/** Shared empty result arrays (frozen: a caller that pushed would throw, not corrupt others). */
const NONE = Object.freeze([]) as unknown as number[];
const MAX_BUCKETS = 255;
const MAX_ENTRIES = 1024;
/** Files up to this many bytes are staged by a loop, not through a view (see stage). */
const SMALL_COPY = 64;

/** TRI's size: a bit for each of 2^21 entries (see keyword-scan.wat). */
const TRI_BYTES = 1 << 18;

// The compiled module, and from its first instance on that instance (`filled`), whose tables
// are made once: every content inspector (one per image load) takes an instance of its own, and
// filling the tables cost ~5 ms each time. Later instances copy them from the first one's memory,
// where nothing writes them again (the module writes OUT only, JS the input after TRI): copies
// kept apart were 416 KiB of fresh memory, ~1.5 ms here (memory is slow to touch first). `spare`:
// the instance `keywordWasmUsable` made to check the tables' room, taken by the first
// `instantiate`.
let compiled: { mod: object; filled?: Exports } | null | undefined;
let spare: Exports | undefined;

const wasmApi = () => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * Whether the module can run here (WebAssembly with SIMD, not disabled by LAYERLENS_NO_WASM=1)
 * and the keyword tables fit its memory. Compiles the module the first time (~1 ms) but fills no
 * table: that is left to the first instance, made when the first bytes are scanned. So the
 * tables' ~5-10 ms in a fresh process fall inside the image's load, where the main thread waits
 * on the worker that hashes the layers, not before it, when nothing else runs yet; and a command
 * that loads the checks without scanning (inspect) never pays them.
 */
export function keywordWasmUsable(): boolean {
  const wasm = wasmApi();
  if (process.env.LAYERLENS_NO_WASM === '1' || !wasm || compiled === null) return false;
  if (compiled) return true;
  try {
    const mod = new wasm.Module(Buffer.from(KEYWORD_SCAN_WASM, 'base64'));
    const ex = new wasm.Instance(mod, {}).exports as Exports;
    // Throws when the keywords outgrow the tables: the JS loop then does the work (and the
    // test that expects this module to load says so).
    checkRoom(ex);
    compiled = { mod };
    spare = ex;
    return true;
  } catch {
    compiled = null;
    return false; // no WebAssembly SIMD here: the JS loop does the same
  }
}

/** A new instance of the module with its tables filled; undefined where it cannot run. */
function instantiate(): Exports | undefined {
  if (!keywordWasmUsable()) return undefined;
  const c = compiled!;
  try {
    const wasm = wasmApi()!;
    const ex = spare ?? (new wasm.Instance(c.mod, {}).exports as Exports);
    spare = undefined;
    const first = c.filled;
    if (first) {
      // Everything below OUT is tables, and TRI (see the layout in keyword-scan.wat): copied
      // whole. (TRI is bits: 64 pages to copy; as a byte per entry it was 2 MiB, written entry
      // by entry on ~900 fresh pages, ~10 ms per instance on this machine.) The first instance's
      // memory may have grown since: its buffer is looked up now.
      const from = first.memory.buffer;
      const u8 = new Uint8Array(ex.memory.buffer);
      u8.set(new Uint8Array(from, 0, ex.OUT.value));
      u8.set(new Uint8Array(from, ex.TRI.value, TRI_BYTES), ex.TRI.value);
      return ex;
    }
    fillTables(ex);
    c.filled = ex;
    return ex;
  } catch {
    return undefined; // (no memory for an instance: the callers say what then)
  }
}

/**
 * Keyword hits in [start, end) of the module's memory, appended to `out` (offsets + `shift`;
 * its arrays may be NONE, replaced at the first hit); loops while the module stops early on a
 * full output area.
 */
function collectHits(ex: Exports, mem: Int32Array, start: number, end: number, shift: number, out: KeywordHits): void {
  const OUT = ex.OUT.value;
  ex.onLineFrom.value = -1; // a new input: the .wat's last OnLine search is not about it
  for (;;) {
    const n = ex.scan(start, end);
    if (n > 0 && out.positions === NONE) {
      out.positions = [];
      out.keywords = [];
    }
    for (let k = 0, o = OUT >> 2; k < n; k++, o += 2) {
      out.positions.push(mem[o] + shift);
      out.keywords.push(mem[o + 1]);
    }
    // It stops early only with more than OUT_CAP - 256 hits (see the .wat).
    if (n <= EARLY_STOP) return;
    start = ex.resume.value;
    if (start >= end) return;
  }
}

/**
 * Many small files scanned in one call: their bytes are staged one after another (a newline
 * between two files, so no keyword can run from one into the next) in the memory of a module
 * instance of their own, then scanned at once. Per file this costs a copy and an array entry
 * instead of a call into WebAssembly with its setup. Undefined where WebAssembly is unavailable.
 */
export interface StagedKeywordScan {
  /** Bytes staged so far (separators included). */
  readonly staged: number;
  /**
   * Stage `src[start, end)` unless a NUL byte in its first 8 bytes says "binary" (ELF and most
   * binary formats); returns its offset in the staged area, or -1 (nothing staged). A binary
   * file with a longer text head is staged: the scanner's own test (a NUL in the first 8 KiB)
   * skips it if it has a keyword hit, so findings are the same.
   */
  stage(src: Buffer, start: number, end: number): number;
  /** The staged bytes at [offset, offset + length) (a view: valid until the next stage/reset). */
  view(offset: number, length: number): Buffer;
  /** Keyword hits over everything staged, as offsets in the staged area (ascending). */
  scan(): KeywordHits;
  /** Forget what was staged. */
  reset(): void;
}

/** Views of an instance's memory, grown (and viewed again) when an input needs more room. */
class InputArea {
  readonly at: number;
  u8: Buffer;
  i32: Int32Array;

  constructor(private readonly ex: Exports) {
    this.at = ex.INPUT.value;
    this.u8 = Buffer.from(ex.memory.buffer);
    this.i32 = new Int32Array(ex.memory.buffer);
  }

  /** Room for `n` input bytes (the module reads up to 16 bytes past the end). */
  reserve(n: number): void {
    const need = this.at + n + 16;
    if (need <= this.u8.length) return;
    this.ex.memory.grow(Math.ceil((need - this.u8.length) / 65536));
    this.u8 = Buffer.from(this.ex.memory.buffer);
    this.i32 = new Int32Array(this.ex.memory.buffer);
  }
}

export function loadStagedKeywordScan(expectBytes = 0): StagedKeywordScan | undefined {
  const ex = instantiate();
  if (!ex) return undefined;
  const input = new InputArea(ex);
  // Room for a usual batch at once: growing step by step cost a copy of the memory each time.
  input.reserve(expectBytes);
  let used = 0;
  return {
    get staged() {
      return used;
    },
    stage(src, start, end) {
      const n = end - start;
      // After a newline.
      const at = used === 0 ? 0 : used + 1;
      input.reserve(at + n);
      // (A loop over 8 bytes: a native indexOf per file cost more than its memcpy.)
      for (let k = start, probe = Math.min(end, start + 8); k < probe; k++) if (src[k] === 0) return -1;
      if (n <= SMALL_COPY) {
        // A loop for a small file: a view per file (an object, and garbage) cost more than the
        // copy on an image of a million ~30-byte files.
        const u8 = input.u8;
        for (let k = 0, d = input.at + at; k < n; k++) u8[d + k] = src[start + k];
      } else {
        // (A plain view: Buffer#copy runs Node's argument checks in JS for every file. copyInto
        // copies with memcpy from any memory, shared too: the secret scan's thread stages out
        // of its blocks, remote-records.ts.)
        copyInto(input.u8, input.at + at, new Uint8Array(src.buffer, src.byteOffset + start, n));
      }
      if (used !== 0) input.u8[input.at + used] = 10;
      used = at + n;
      return at;
    },
    view(offset, length) {
      return Buffer.from(ex.memory.buffer, input.at + offset, length);
    },
    scan() {
      const hits: KeywordHits = { positions: NONE, keywords: NONE };
      if (used > 0) collectHits(ex, input.i32, input.at, input.at + used, -input.at, hits);
      return hits;
    },
    reset() {
      used = 0;
    },
  };
}

/**
 * The WebAssembly loop as keywords.ts exports it where `keywordWasmUsable()`: its instance (the
 * first one fills the tables) is made at its first call, not when the checks' modules load.
 */
export function lazyKeywordWasm(): KeywordScanner {
  let scan: KeywordScanner | undefined;
  return (bytes, from, to, all) => {
    if (!scan) {
      scan = loadKeywordWasm();
      // (Usable, so only a failure to allocate its memory gets here.)
      if (!scan) throw new Error('the keyword prefilter could not be instantiated');
    }
    return scan(bytes, from, to, all);
  };
}

export function loadKeywordWasm(): KeywordScanner | undefined {
  const ex = instantiate();
  if (!ex) return undefined;
  const input = new InputArea(ex);
  // Called once per scanned window: no allocation beyond the result.
  return (bytes, from = 0, to = bytes.length, all = false) => {
    const len = Math.max(0, to - from);
    input.reserve(len);
    const end = input.at + len;
    input.u8.set(from === 0 && len === bytes.length ? bytes : bytes.subarray(from, from + len), input.at);
    const hits = { positions: NONE, keywords: NONE, newlines: 0 };
    ex.filter.value = all ? 0 : 1;
    collectHits(ex, input.i32, input.at, end, from - input.at, hits);
    hits.newlines = ex.newlines(input.at, end);
    return hits;
  };
}

/**
 * TRI: for every keyword, in both cases of each letter, its bytes 0-2 and its bytes 1-3 (a
 * 3-byte keyword: bytes 1-2 and any third byte), at index x = b0 | b1 << 8 | (b2 & 0x1f) << 16:
 * the scan looks up every other position, and a keyword starting one before shows there by its
 * bytes 1-3. One bit per entry, bit x & 31 of the little-endian i32 at TRI + (x >> 5) * 4, i.e.
 * bit x & 7 of the byte at TRI + (x >> 3) (why bits: keyword-scan.wat). Written once per
 * process; later instances copy it (instantiate).
 */
function fillTri(ex: Exports): void {
  const tri = new Uint8Array(ex.memory.buffer, ex.TRI.value, TRI_BYTES);
  // Plain loops, no arrays: this runs once per process, in cold code (building a sorted list of
  // the indexes first, as the byte-per-entry table was written in address order, cost ~10 ms of
  // a fresh `scan`). Setting a bit twice is harmless, so a byte without a second case is simply
  // visited twice. A keyword that counts in one casing only (KW_EXACT) puts in those bytes, not
  // both cases.
  const other = (b: number, exact: boolean) => (!exact && b >= 97 && b <= 122 ? b - 32 : b);
  const put = (x: number, y: number, z: number | undefined, exact: boolean) => {
    for (let i = 0; i < 2; i++) {
      const a = i === 0 ? x : other(x, exact);
      for (let j = 0; j < 2; j++) {
        const ab = a | ((j === 0 ? y : other(y, exact)) << 8);
        if (z === undefined) {
          for (let c = 0; c < 32; c++) {
            const e = ab | (c << 16);
            tri[e >> 3] |= 1 << (e & 7);
          }
        } else {
          for (let k = 0; k < 2; k++) {
            const e = ab | (((k === 0 ? z : other(z, exact)) & 0x1f) << 16);
            tri[e >> 3] |= 1 << (e & 7);
          }
        }
      }
    }
  };
  for (let k = 0; k < KW_BYTES.length; k++) {
    const lower = KW_BYTES[k];
    const kb = KW_EXACT[k] ?? lower;
    put(kb[0], kb[1], kb[2], kb !== lower);
    put(kb[1], kb[2], kb[3], kb !== lower);
  }
}

/**
 * Throws unless the keyword tables fit the module's memory (layout: see keyword-scan.wat) and
 * every keyword has the three bytes the three-byte table needs.
 */
function checkRoom(ex: Exports): void {
  if (PAIR_KW.length > MAX_ENTRIES) throw new Error('too many secret keywords for the WebAssembly tables');
  if (ex.FOLLOW.value + FOLLOW.length > ex.CLASSES.value || ex.CLASSES.value + CLASSES.length > ex.WORDS.value) {
    throw new Error('too many keywords or follow classes for the WebAssembly tables');
  }
  let bytes = 0;
  for (let k = 0; k < KW_BYTES.length; k++) {
    if (KW_BYTES[k].length < 3) throw new Error('the WebAssembly prefilter needs keywords of three bytes or more');
    bytes += KW_BYTES[k].length;
  }
  if (bytes > KWBYTES_CAP) throw new Error('secret keywords too long for the WebAssembly tables');
  if (KEYWORD_PAIRS.length > MAX_BUCKETS) throw new Error('too many keyword pairs for the WebAssembly tables');
}

/** Lay the keyword tables out in the module's memory (checkRoom said they fit). */
function fillTables(ex: Exports): void {
  const mem = ex.memory.buffer;
  const u8 = new Uint8Array(mem);
  const i32 = new Int32Array(mem);
  const LOWER_AT = ex.LOWER.value;
  const BUCKETS = ex.BUCKETS.value;
  const ENTRIES = ex.ENTRIES.value;
  const KWBYTES = ex.KWBYTES.value;
  u8.set(LOWER, LOWER_AT);
  // What must follow each keyword's hits (follow.ts).
  u8.set(FOLLOW, ex.FOLLOW.value);
  u8.set(CLASSES, ex.CLASSES.value);
  // Keyword bytes, each keyword once.
  const kwOffset: number[] = [];
  let off = 0;
  KW_BYTES.forEach((lower, k) => {
    const kb = KW_EXACT[k] ?? lower; // (an exact keyword: its own bytes, compared raw)
    kwOffset.push(off);
    u8.set(kb, KWBYTES + off);
    off += kb.length;
  });
  // Buckets: one per lower-case pair that starts a keyword, entries in PAIR_KW order (the JS
  // loop's order, so both report hits at one offset in the same order).
  KEYWORD_PAIRS.forEach((p, i) => {
    i32[(BUCKETS >> 2) + (i + 1) * 2] = PAIR_START[p];
    i32[(BUCKETS >> 2) + (i + 1) * 2 + 1] = PAIR_START[p + 1];
  });
  const WORDS = ex.WORDS.value;
  for (let q = 0; q < PAIR_KW.length; q++) {
    const k = PAIR_KW[q];
    const at = (ENTRIES >> 2) + q * 3;
    i32[at] = k;
    i32[at + 1] = kwOffset[k];
    i32[at + 2] = KW_BYTES[k].length | (KW_EXACT[k] ? 1 << 16 : 0);
    // The first four bytes as one compare: ((input | fold) & mask) === want, little-endian. A
    // lower-case letter's 0x20 bit folds its upper case onto it, as LOWER does; other bytes, and
    // every byte of an exact keyword, compare raw.
    const kb = KW_EXACT[k] ?? KW_BYTES[k];
    const word = (WORDS >> 2) + q * 3;
    for (let b = 0; b < 4 && b < kb.length; b++) {
      const letter = !KW_EXACT[k] && kb[b] >= 97 && kb[b] <= 122;
      i32[word] |= kb[b] << (b * 8);
      i32[word + 1] |= 0xff << (b * 8);
      if (letter) i32[word + 2] |= 0x20 << (b * 8);
    }
  }
  fillTri(ex);
  // PAIR at address 0, indexed by a little-endian 16-bit load: b0 | b1 << 8, raw bytes (both
  // cases of a letter); 0 elsewhere (fresh memory is zero).
  KEYWORD_PAIRS.forEach((p, i) => {
    for (const a of bothCases(p >> 8)) for (const b of bothCases(p & 0xff)) u8[a | (b << 8)] = i + 1;
  });
}
