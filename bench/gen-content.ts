/**
 * Content for generated benchmark images: deterministic, and compressible the way real files
 * are, so that inflating them costs what inflating a real image costs.
 *
 * - `codeCorpus`: bytes shaped like machine code (a skewed byte alphabet with back-references a
 *   few bytes to 24 KB behind, as compiled code repeats instruction sequences): gzip level 1
 *   makes ~3× of it, real shared libraries (CUDA, libtorch) compress 2.5–4×.
 * - `textCorpus`: source-like text (identifiers, keywords, indentation): ~4×.
 * - `weightsCorpus`: half-precision floats (random mantissas, a narrow band of exponents): ~1.2×.
 */

/** xorshift32: the same sequence on every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const OPCODES = [0x48, 0x89, 0x8b, 0x00, 0xff, 0xe8, 0x0f, 0x85, 0x24, 0x44, 0xc3, 0x01, 0x4c, 0x8d, 0x74, 0x31];

export function codeCorpus(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  const rnd = prng(seed);
  let o = 0;
  while (o < size) {
    const r = rnd();
    if ((r & 7) < 3 && o > 64) {
      const dist = 1 + (rnd() % Math.min(o, 24_000));
      const len = 6 + (rnd() % 40);
      for (let k = 0; k < len && o < size; k++, o++) b[o] = b[o - dist];
    } else {
      const len = 2 + ((r >>> 8) % 6);
      for (let k = 0; k < len && o < size; k++, o++) {
        const x = rnd();
        b[o] = (x & 3) === 0 ? (x >>> 8) & 0xff : OPCODES[(x >>> 8) & 15];
      }
    }
  }
  return b;
}

const WORDS = (
  'def class return self import from if else elif for while in not and or None True False ' +
  'try except raise with as lambda yield async await pass break continue assert global ' +
  'tensor module forward backward weight bias config dtype device shape size index value ' +
  'args kwargs init name data list dict str int float numpy torch cuda grad optim layer'
).split(' ');

export function textCorpus(size: number, seed = 2): Buffer {
  const rnd = prng(seed);
  const lines: string[] = [];
  let len = 0;
  while (len < size) {
    const indent = '    '.repeat(rnd() % 4);
    const n = 2 + (rnd() % 9);
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = rnd();
      words.push(r % 5 === 0 ? `${WORDS[r % WORDS.length]}_${(r >>> 8) % 1000}` : WORDS[(r >>> 3) % WORDS.length]);
    }
    const line =
      indent +
      words.join(rnd() % 3 === 0 ? '.' : ' ') +
      (rnd() % 4 === 0 ? '(' + WORDS[rnd() % WORDS.length] + ')' : '');
    lines.push(line);
    len += line.length + 1;
  }
  return Buffer.from(lines.join('\n').slice(0, size), 'latin1');
}

export function weightsCorpus(size: number, seed = 3): Buffer {
  const b = Buffer.alloc(size);
  const rnd = prng(seed);
  for (let o = 0; o + 1 < size; o += 2) {
    const r = rnd();
    b[o] = r & 0xff;
    b[o + 1] = 0x2c + ((r >>> 8) % 12) + ((r >>> 16) & 0x80);
  }
  return b;
}

/** `size` bytes of `corpus` in 1 MiB pieces from pseudo-random places (a big file's bytes, no copy). */
export function* piecesOf(corpus: Buffer, size: number, seed: number): Generator<Buffer> {
  const rnd = prng(seed);
  const PIECE = 1 << 20;
  for (let done = 0; done < size; ) {
    const n = Math.min(PIECE, size - done);
    const off = rnd() % (corpus.length - n);
    yield corpus.subarray(off, off + n);
    done += n;
  }
}

/** A slice of `corpus` of `n` bytes at a place chosen by `k` (a small file's bytes, no copy). */
export function sliceOf(corpus: Buffer, n: number, k: number): Buffer {
  const off = ((k * 2654435761) >>> 0) % (corpus.length - n);
  return corpus.subarray(off, off + n);
}
