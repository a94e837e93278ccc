/**
 * RubyGems' Gem::Version order: `-` means a pre-release (`1.0-1` is `1.0.pre.1`); the version is
 * split into number and letter segments; trailing zeros are dropped from the release part and
 * from the pre-release part; a letter segment (pre-release) sorts before any number.
 */

type Seg = number | string;

function segments(v: string): Seg[] {
  const s = v.trim().replace(/-/g, '.pre.');
  const segs: Seg[] = (s.match(/[0-9]+|[a-z]+/gi) ?? []).map((x) => (/^\d/.test(x) ? Number(x) : x));
  // Canonical: trailing zeros dropped before the first letter segment and at the end.
  const firstStr = segs.findIndex((x) => typeof x === 'string');
  const rel = firstStr < 0 ? segs : segs.slice(0, firstStr);
  const pre = firstStr < 0 ? [] : segs.slice(firstStr);
  const trim = (xs: Seg[]) => {
    let n = xs.length;
    while (n > 0 && xs[n - 1] === 0) n--;
    return xs.slice(0, n);
  };
  return [...trim(rel), ...trim(pre)];
}

export function compareRubyGems(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? 0;
    const r = y[i] ?? 0;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r === 'number') return -1;
    if (typeof l === 'number' && typeof r === 'string') return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
