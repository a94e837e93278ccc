/**
 * apk-tools' version order (Gentoo-style: digits{.digits}[letter]{_suffix[N]}[-rN]): a token
 * walk over both strings, as apk's version.c does. Pre-release suffixes (_alpha < _beta < _pre <
 * _rc) sort before the plain version, post-release ones (_cvs < _svn < _git < _hg < _p) after;
 * a component with leading zeros (`.01`) compares as a fraction (fewer zeros is greater).
 */

const enum T {
  INVALID = -1,
  DIGIT_OR_ZERO = 0,
  DIGIT = 1,
  LETTER = 2,
  SUFFIX = 3,
  SUFFIX_NO = 4,
  REVISION_NO = 5,
  END = 6,
}

const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];

const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const lower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';

class Cursor {
  type: T = T.DIGIT;
  constructor(
    readonly s: string,
    public p = 0,
  ) {}

  private next(): void {
    const s = this.s;
    let n = T.INVALID;
    if (this.p >= s.length) n = T.END;
    else if ((this.type === T.DIGIT || this.type === T.DIGIT_OR_ZERO) && lower(s[this.p])) n = T.LETTER;
    else if (this.type === T.LETTER && digit(s[this.p])) n = T.DIGIT;
    else if (this.type === T.SUFFIX && digit(s[this.p])) n = T.SUFFIX_NO;
    else {
      const c = s[this.p];
      if (c === '.') n = T.DIGIT_OR_ZERO;
      else if (c === '_') n = T.SUFFIX;
      else if (c === '-' && s[this.p + 1] === 'r') {
        n = T.REVISION_NO;
        this.p++;
      }
      this.p++;
    }
    if (
      n < this.type &&
      !(
        (n === T.DIGIT_OR_ZERO && this.type === T.DIGIT) ||
        (n === T.SUFFIX && this.type === T.SUFFIX_NO) ||
        (n === T.DIGIT && this.type === T.LETTER)
      )
    )
      n = T.INVALID;
    this.type = n;
  }

  /** Reads the next token as if it were of type `t` (a look-ahead at a suffix). */
  withType(t: T): Cursor {
    this.type = t;
    return this;
  }

  /** The value of the token at the cursor; moves past it and sets the type of the next one. */
  token(): number {
    const s = this.s;
    if (this.p >= s.length) {
      this.type = T.END;
      return 0;
    }
    let v = 0;
    let i = this.p;
    let nt = T.INVALID;
    const type = this.type;
    if (type === T.DIGIT_OR_ZERO && s[i] === '0') {
      // Leading zeros: `.01` orders as a fraction, fewer zeros greater.
      while (s[i] === '0') i++;
      nt = T.DIGIT;
      v = -(i - this.p);
    } else
      switch (type) {
        case T.DIGIT_OR_ZERO:
        case T.DIGIT:
        case T.SUFFIX_NO:
        case T.REVISION_NO:
          while (digit(s[i])) v = v * 10 + (s.charCodeAt(i++) - 48);
          break;
        case T.LETTER:
          v = s.charCodeAt(i++);
          break;
        case T.SUFFIX: {
          const pre = PRE.findIndex((x) => s.startsWith(x, i));
          if (pre >= 0) {
            v = pre - PRE.length;
            i += PRE[pre].length;
            break;
          }
          const post = POST.findIndex((x) => s.startsWith(x, i));
          if (post >= 0) {
            v = post;
            i += POST[post].length;
            break;
          }
          this.type = T.INVALID;
          return -1;
        }
        default:
          this.type = T.INVALID;
          return -1;
      }
    this.p = i;
    if (this.p >= s.length) this.type = T.END;
    // (apk-tools 2 kept the type after a run of leading zeros even when no digit followed, so
    // `1.0_rc1` sorted after `1.0`; the run is a whole token here, as a pre-release must sort first.)
    else if (nt !== T.INVALID && digit(s[this.p])) this.type = nt;
    else this.next();
    return v;
  }
}

export function compareApk(a: string, b: string): number {
  const x = new Cursor(a);
  const y = new Cursor(b);
  let av = 0;
  let bv = 0;
  while (x.type === y.type && x.type !== T.END && x.type !== T.INVALID && av === bv) {
    av = x.token();
    bv = y.token();
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (x.type === y.type) return 0;
  // Equal so far: the longer one is greater, unless what follows is a pre-release suffix.
  if (x.type === T.SUFFIX && new Cursor(a, x.p).withType(T.SUFFIX).token() < 0) return -1;
  if (y.type === T.SUFFIX && new Cursor(b, y.p).withType(T.SUFFIX).token() < 0) return 1;
  if (x.type > y.type) return -1;
  if (y.type > x.type) return 1;
  return 0;
}
