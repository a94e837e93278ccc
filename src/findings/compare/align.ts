/**
 * Lining up two ordered lists (layers, history steps, the lines of two versions of a file) the way
 * a diff lines up two files: the pairing that keeps the order and scores highest, each pair scored
 * by `score` (0: the two never pair). The common head and tail pair first; what lies between is a
 * weighted longest common subsequence, O(n·m), and past MAX_CELLS (thousands of layers, long files
 * changed all over) it is left unpaired: all removed, then all added.
 */

/** A pair (both indices) or an element of one side alone. */
export type Aligned = { a: number; b: number } | { a: number; b: null } | { a: null; b: number };

const MAX_CELLS = 1_000_000;

export function align(n: number, m: number, score: (i: number, j: number) => number, best = 1): Aligned[] {
  // The common head and tail pair as they are (two versions of a file differ in a few places):
  // only what lies between is lined up cell by cell. Only pairs of the `best` score are taken so
  // (a weaker pair at the head may belong elsewhere).
  let head = 0;
  while (head < n && head < m && score(head, head) >= best) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && score(n - 1 - tail, m - 1 - tail) >= best) tail++;
  if (head === 0 && tail === 0) return middle(n, m, score);
  const out: Aligned[] = [];
  for (let k = 0; k < head; k++) out.push({ a: k, b: k });
  for (const p of middle(n - head - tail, m - head - tail, (i, j) => score(head + i, head + j)))
    out.push({ a: p.a === null ? null : p.a + head, b: p.b === null ? null : p.b + head } as Aligned);
  for (let k = 0; k < tail; k++) out.push({ a: n - tail + k, b: m - tail + k });
  return out;
}

function middle(n: number, m: number, score: (i: number, j: number) => number): Aligned[] {
  if (n * m > MAX_CELLS) return headAndTail(n, m, score);
  // best[i][j]: the best score pairing a[i..] with b[j..] (row-major, (n+1)·(m+1)).
  const w = m + 1;
  const best = new Float64Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = score(i, j);
      const pair = s > 0 ? s + best[(i + 1) * w + j + 1] : 0;
      best[i * w + j] = Math.max(pair, best[(i + 1) * w + j], best[i * w + j + 1]);
    }
  }
  const out: Aligned[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = score(i, j);
    if (s > 0 && best[i * w + j] === s + best[(i + 1) * w + j + 1]) out.push({ a: i++, b: j++ });
    else if (best[(i + 1) * w + j] >= best[i * w + j + 1]) out.push({ a: i++, b: null });
    else out.push({ a: null, b: j++ });
  }
  while (i < n) out.push({ a: i++, b: null });
  while (j < m) out.push({ a: null, b: j++ });
  return out;
}

function headAndTail(n: number, m: number, score: (i: number, j: number) => number): Aligned[] {
  let head = 0;
  while (head < n && head < m && score(head, head) > 0) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && score(n - 1 - tail, m - 1 - tail) > 0) tail++;
  const out: Aligned[] = [];
  for (let k = 0; k < head; k++) out.push({ a: k, b: k });
  for (let k = head; k < n - tail; k++) out.push({ a: k, b: null });
  for (let k = head; k < m - tail; k++) out.push({ a: null, b: k });
  for (let k = 0; k < tail; k++) out.push({ a: n - tail + k, b: m - tail + k });
  return out;
}
