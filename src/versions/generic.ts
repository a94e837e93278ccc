/**
 * A best-effort order for ecosystems without a library or a spec we implement exactly (NuGet,
 * Packagist and others): numbers compare as numbers, missing numbers are 0, and a pre-release word
 * (dev < alpha < beta < pre/preview < rc) sorts before the release, a patch word (p, pl, patch,
 * post, sp) after it; other words compare alphabetically, before numbers.
 */

const WORDS: Record<string, number> = {
  dev: -6,
  snapshot: -6,
  alpha: -5,
  a: -5,
  beta: -4,
  b: -4,
  pre: -3,
  preview: -3,
  m: -3,
  milestone: -3,
  rc: -2,
  c: -2,
  cr: -2,
  '': 0,
  ga: 0,
  final: 0,
  release: 0,
  stable: 0,
  p: 1,
  pl: 1,
  patch: 1,
  post: 1,
  sp: 1,
};

type Tok = number | string;

function tokens(v: string): Tok[] {
  const s = v
    .trim()
    .toLowerCase()
    .replace(/^v(?=\d)/, '')
    .replace(/\+.*$/s, ''); // build metadata never orders
  return (s.match(/\d+|[a-z]+/g) ?? []).map((t) => (/^\d/.test(t) ? Number(t) : t));
}

function weight(t: Tok | undefined): [number, Tok] {
  if (t === undefined) return [0, 0];
  if (typeof t === 'number') return [0, t];
  return t in WORDS ? [WORDS[t], 0] : [-1, t];
}

export function compareGeneric(a: string, b: string): number {
  const x = tokens(a);
  const y = tokens(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    // A number against the end or a word: the number's side is later unless the word is a patch word.
    const [wp, vp] = weight(p);
    const [wq, vq] = weight(q);
    if (typeof p === 'number' && typeof q === 'number') return p < q ? -1 : 1;
    if (wp !== wq) return wp < wq ? -1 : 1;
    if (typeof vp !== typeof vq) return typeof vp === 'string' ? -1 : 1;
    if (vp !== vq) return vp < vq ? -1 : 1;
    if (p === undefined && typeof q === 'number' && q > 0) return -1;
    if (q === undefined && typeof p === 'number' && p > 0) return 1;
  }
  return 0;
}
