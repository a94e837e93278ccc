/**
 * The keyword prefilter: the WebAssembly loop and the JS loop find exactly the same hits, in the
 * same order, with the same newline count, and both agree with a naive reference (every keyword
 * searched on its own: in any case, or in its one casing for a keyword whose rules can only match
 * that, keyword-case.ts) on random, dense and boundary inputs.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { KEYWORD_LIST, KEYWORD_RULES, KW_EXACT, PAIR_KW } from '../../../src/findings/secrets/keyword-tables.js';
import {
  scanKeywords,
  scanKeywordsJs,
  scanKeywordsWasm,
  type KeywordScan,
} from '../../../src/findings/secrets/keywords.js';

// Hits at one offset come in the order of their bucket (PAIR_KW), like the scanners report them.
const RANK = new Map<number, number>();
PAIR_KW.forEach((k, q) => RANK.set(k, q));
const LOWER_KW = KEYWORD_LIST.map((k) => Buffer.from(k, 'latin1'));
/** A keyword as written in the one casing it counts in, or undefined (any case). */
const exactOf = (k: number) => (KW_EXACT[k] ? Buffer.from(KW_EXACT[k]!).toString('latin1') : undefined);

function reference(buf: Uint8Array, from: number, to: number): KeywordScan {
  // ASCII-only case folding (latin1 letters above 127 are not folded by the scanners).
  const low = Buffer.from(buf.subarray(from, to).map((b) => (b >= 65 && b <= 90 ? b + 32 : b)));
  const raw = Buffer.from(buf.subarray(from, to));
  const hits: Array<[number, number]> = [];
  LOWER_KW.forEach((lower, k) => {
    const exact = exactOf(k);
    const [hay, kb] = exact === undefined ? [low, lower] : [raw, Buffer.from(exact, 'latin1')];
    for (let i = hay.indexOf(kb); i >= 0; i = hay.indexOf(kb, i + 1)) hits.push([from + i, k]);
  });
  hits.sort((a, b) => a[0] - b[0] || RANK.get(a[1])! - RANK.get(b[1])!);
  let newlines = 0;
  for (const b of buf.subarray(from, to)) if (b === 10) newlines++;
  return { positions: hits.map((h) => h[0]), keywords: hits.map((h) => h[1]), newlines };
}

// What must follow each keyword's hits (SecretRule.follows), written here as regexes: an oracle
// independent of follow.ts and its WebAssembly twin.
const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const FOLLOW_RE: Array<RegExp | null> = KEYWORD_LIST.map((_, k) => {
  const rules = KEYWORD_RULES[k];
  const fl = rules[0].follows;
  if (!fl || rules.some((r) => r.scope === 'window' || JSON.stringify(r.follows) !== JSON.stringify(fl))) return null;
  switch (fl.kind) {
    case 'run':
      return new RegExp(`^[${fl.chars}]{${fl.min}}`);
    case 'assignment':
      // (then a value: VALUE_MIN bytes of neither whitespace nor a quote)
      return /^(?:[A-Za-z0-9_.-]{49}|[A-Za-z0-9_.-]{0,48}["']?[ \t]*(?::=|=>|[:=])[ \t]*["'`]?[^\t\n\v\f\r \xa0"'`]{8})/;
    case 'colon':
      return /^["']?[\t\n\v\f\r \xa0]*:/;
    case 'userinfo':
      return /^[^@\t\n\v\f\r \xa0/"'<>]{0,193}@/;
    case 'on-line':
      return new RegExp(`^[^\\n]*${esc(fl.text)}`);
  }
});

function followReference(buf: Uint8Array, to: number, all: KeywordScan): KeywordScan {
  const out: KeywordScan = { positions: [], keywords: [], newlines: all.newlines };
  all.positions.forEach((p, h) => {
    const k = all.keywords[h];
    const re = FOLLOW_RE[k];
    if (re && !re.test(Buffer.from(buf.subarray(p + KEYWORD_LIST[k].length, to)).toString('latin1'))) return;
    out.positions.push(p);
    out.keywords.push(k);
  });
  return out;
}

/** Both loops against the reference: every hit (`all`), and the hits what follows allows. */
function check(buf: Uint8Array, from = 0, to = buf.length, label = ''): KeywordScan {
  const ref = reference(buf, from, to);
  assert.deepEqual(scanKeywordsJs(buf, from, to, true), ref, `js ${label}`);
  if (scanKeywordsWasm) assert.deepEqual(scanKeywordsWasm(buf, from, to, true), ref, `wasm ${label}`);
  const kept = followReference(buf, to, ref);
  assert.deepEqual(scanKeywordsJs(buf, from, to), kept, `js, what follows ${label}`);
  if (scanKeywordsWasm) assert.deepEqual(scanKeywordsWasm(buf, from, to), kept, `wasm, what follows ${label}`);
  return ref;
}

/** Text made of keyword pieces in random case, separators and random bytes: hits everywhere. */
function dense(len: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < len) {
    const r = randomInt(10);
    let s: string;
    if (r < 4) {
      const k = randomInt(KEYWORD_LIST.length);
      const exact = exactOf(k);
      // (an exact keyword half the time in its own casing, below left as it is)
      if (exact !== undefined && randomInt(2)) {
        parts.push(exact);
        n += exact.length;
        continue;
      }
      s = KEYWORD_LIST[k];
    } else if (r < 6)
      s = KEYWORD_LIST[randomInt(KEYWORD_LIST.length)].slice(0, randomInt(1, 4)); // near misses
    else if (r < 8)
      s = ['\n', ' ', '=', ':', '_', '-', '.', '/', '~', '@', '"', '\t', '-u', 'A7Q2ZK9XW3'][randomInt(14)];
    else s = randomBytes(randomInt(1, 6)).toString('latin1');
    s = [...s].map((c) => (randomInt(2) ? c.toUpperCase() : c)).join('');
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, len);
}

const wasmOff = process.env.LAYERLENS_NO_WASM === '1' ? 'LAYERLENS_NO_WASM=1: the JS loop alone is under test' : false;
test('the WebAssembly prefilter loads here and is the one used', { skip: wasmOff }, () => {
  assert.ok(scanKeywordsWasm, 'WebAssembly with SIMD is available on Node 20: the fast loop must load');
  assert.equal(scanKeywords, scanKeywordsWasm);
});

test('both loops match the reference on random bytes', () => {
  for (let r = 0; r < 30; r++) {
    const buf = randomBytes(randomInt(0, 5000));
    check(buf, 0, buf.length, `random ${r}`);
  }
  // Random bytes over a keyword alphabet in both cases: many pair and trigram candidates.
  const alpha = Buffer.from('aAkKsSiIeEcCrRtTpPwWdDoOgGhHlL_-:/.~qQyYjJxX3=\n', 'latin1');
  for (let r = 0; r < 30; r++) {
    const buf = Buffer.from(Array.from({ length: randomInt(1, 20000) }, () => alpha[randomInt(alpha.length)]));
    check(buf, 0, buf.length, `alphabet ${r}`);
  }
});

test('both loops match the reference on dense keyword text, whole and in sub-ranges', () => {
  for (let r = 0; r < 40; r++) {
    const buf = dense(randomInt(1, 30000));
    const ref = check(buf, 0, buf.length, `dense ${r}`);
    assert.ok(buf.length < 200 || ref.positions.length > 0);
    const from = randomInt(0, buf.length);
    const to = randomInt(from, buf.length + 1);
    check(buf, from, to, `dense ${r} [${from}, ${to})`);
  }
});

test('every keyword is found at the start, the end and across a range edge, in any case (or its own)', () => {
  KEYWORD_LIST.forEach((kw, k) => {
    const exact = exactOf(k);
    const forms = [kw, kw.toUpperCase(), [...kw].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')];
    if (exact !== undefined) forms.push(exact);
    for (const form of forms) {
      // An exact keyword counts in its own casing only.
      const counts = exact === undefined || form === exact;
      for (const pad of [0, 1, 2, 3, 5, 7]) {
        const text = Buffer.from('x'.repeat(pad) + form, 'latin1');
        const ref = check(text, 0, text.length, `${form} at ${pad}`);
        const found = ref.positions.some((p, h) => p === pad && ref.keywords[h] === k);
        assert.equal(found, counts, `${form} at ${pad} ends the input`);
        const cut = Buffer.from('x'.repeat(pad) + form + ' tail', 'latin1');
        // A range that ends one byte inside the keyword must not report it.
        const r = check(cut, 0, pad + form.length - 1, `${form} cut`);
        assert.ok(
          !r.positions.includes(pad) ||
            KEYWORD_LIST.some((k) => k.length < kw.length && form.toLowerCase().startsWith(k)),
        );
        // A range that starts one byte into it must not either.
        check(cut, pad + 1, cut.length, `${form} from +1`);
      }
    }
  });
});

test('Buffers at an offset in a shared pool, and views, scan the same as copies', () => {
  const text = dense(9000);
  const pool = Buffer.concat([randomBytes(333), text, randomBytes(77)]);
  const view = pool.subarray(333, 333 + text.length);
  const ref = check(text);
  assert.deepEqual(check(view), ref);
  assert.deepEqual(check(new Uint8Array(view.buffer, view.byteOffset, view.length)), ref);
});

test('more hits than one WebAssembly call can hold, and inputs that grow its memory', () => {
  // ~60k hits of "token" and "ssw" (the module's output holds 8192 per call).
  const many = Buffer.from('token ssw\n'.repeat(30_000), 'latin1');
  const ref = check(many, 0, many.length, 'many hits');
  assert.equal(ref.positions.length, 60_000);
  assert.equal(ref.newlines, 30_000);
  // Dense random text: the calls stop and resume wherever their output fills, not on a pattern.
  for (let r = 0; r < 3; r++) {
    const text = dense(randomInt(150_000, 250_000));
    assert.ok(check(text, 0, text.length, `dense, many hits ${r}`).positions.length > 10_000);
  }
  // 2 MB: larger than the initial memory; then a small input again with the grown memory.
  const big = Buffer.concat([randomBytes(1 << 20), Buffer.from('\nAuthorization: Bearer x\n'), dense(1 << 20)]);
  check(big, 0, big.length, 'big');
  check(Buffer.from('a 8q~'), 0, 5, 'small after big');
});

test('with LAYERLENS_NO_WASM=1 the JS loop is used', { skip: wasmOff ? false : 'WebAssembly on' }, () => {
  assert.equal(scanKeywordsWasm, undefined);
  assert.equal(scanKeywords, scanKeywordsJs);
});

test('tiny inputs: empty, one byte, a three-byte keyword at the very end', () => {
  check(Buffer.alloc(0));
  check(Buffer.from('x'));
  check(Buffer.from('\n'));
  assert.deepEqual(check(Buffer.from('ssw')).positions, [0]);
  assert.deepEqual(check(Buffer.from('SsW')).positions, [0]);
  assert.deepEqual(check(Buffer.from('abcssw')).positions, [3]);
  assert.deepEqual(check(Buffer.from('abcssw'), 0, 5).positions, []);
  assert.deepEqual(check(Buffer.from('7Q~')).positions, [0]);
});

test('every keyword at every offset of a block and its neighbours, from every start alignment', () => {
  // The WebAssembly loop looks up every other position in steps of sixteen: a keyword must be
  // found whether it starts on a looked-up position or just before one, at a step's first or
  // last position, or one before the range of the first step.
  KEYWORD_LIST.forEach((kw, k) => {
    const form = exactOf(k) ?? [...kw].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    for (let at = 0; at < 36; at++) {
      const buf = Buffer.from(' '.repeat(at) + form + ' '.repeat(40), 'latin1');
      for (const from of [0, 1, 2, 3]) {
        const ref = check(buf, from, buf.length, `${form} at ${at} from ${from}`);
        assert.equal(ref.positions.includes(at), at >= from, `${form} at ${at} from ${from}`);
      }
    }
  });
});

// The committed module bytes are what the committed .wat assembles to (wabt is a devDependency).
const require = createRequire(import.meta.url);
let wabtMissing: string | false = false;
try {
  require.resolve('wabt');
} catch {
  wabtMissing = 'wabt (devDependency) not installed';
}
test('keyword-scan-wasm.ts is up to date with keyword-scan.wat', { skip: wabtMissing }, async () => {
  const script = new URL('../../../scripts/build-keyword-wasm.mjs', import.meta.url);
  assert.ok(existsSync(script));
  const { assemble, render } = (await import(script.href)) as {
    assemble(): Promise<Buffer>;
    render(b: Buffer): string;
  };
  const committed = readFileSync(
    new URL('../../../src/findings/secrets/keyword-scan-wasm.ts', import.meta.url),
    'utf8',
  );
  assert.equal(committed, render(await assemble()), 'run node scripts/build-keyword-wasm.mjs');
});
