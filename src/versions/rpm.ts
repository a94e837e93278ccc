/**
 * rpm's version order (rpmvercmp) over [epoch:]version[-release]: alternating numeric and alphabetic
 * segments, separators ignored; a numeric segment is newer than an alphabetic one; `~` sorts before
 * everything (pre-releases), `^` after the base version but before anything else (post-releases).
 */

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    const num = isDigit(a[i]);
    const same = num ? isDigit : isAlpha;
    while (ei < a.length && same(a[ei])) ei++;
    while (ej < b.length && same(b[ej])) ej++;
    if (ej === j) return num ? 1 : -1; // numeric beats alphabetic
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (num) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function splitEvr(v: string): [number, string, string] {
  // `s`: `.` matches line breaks too (without it a version holding one matched nothing).
  const m = v.match(/^(?:(\d+):)?(.*?)(?:-([^-]*))?$/s)!;
  return [m[1] ? Number(m[1]) : 0, m[2], m[3] ?? ''];
}

/** [epoch:]version[-release], as rpm compares installed packages (a missing release matches any). */
export function compareRpm(a: string, b: string): number {
  const [ea, va, ra] = splitEvr(a);
  const [eb, vb, rb] = splitEvr(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return rpmvercmp(va, vb) || (ra && rb ? rpmvercmp(ra, rb) : 0);
}
