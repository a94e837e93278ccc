/**
 * Binary search over an ascending array: the per-match and per-line lookups that replaced walks
 * over whole texts (secret evidence, heredoc ends, masked spans) all ask this one question.
 */

/** How many items of `sorted` (ascending by `key`) have a key below `limit`. */
export function countBelow<T>(sorted: readonly T[], limit: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(sorted[mid]) < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The identity key, for arrays of numbers. */
export const itself = (n: number): number => n;
