/**
 * WWW-Authenticate parsing per RFC 7235 §4.1:
 *
 *   WWW-Authenticate = 1#challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *
 * Registries put commas inside quoted values (scope="repository:a:pull,push"), several challenges
 * may share one header (Node joins repeated headers with ", "), and a comma separates both params
 * and challenges: after a comma, `name=` continues the current challenge, a bare token starts a new one.
 */

export interface Challenge {
  /** Lower-cased scheme: 'bearer', 'basic', … */
  scheme: string;
  /** Parameter names lower-cased (they are case-insensitive); values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

export function parseWwwAuthenticate(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (Array.isArray(header)) return header.flatMap((h) => parseWwwAuthenticate(h));
  const s = header;
  let i = 0;
  const out: Challenge[] = [];

  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const skipWsAndCommas = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i])) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    // s[i] === '"'
    i++;
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i++];
    }
    i++; // closing quote (lenient when missing)
    return v;
  };
  /** Unquoted value: a token by the RFC; leniently anything up to a comma or space (realm=https://x). */
  const readBare = (): string => {
    const start = i;
    while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
    return s.slice(start, i);
  };
  /** At i: does `token BWS "="` follow (and not a token68's trailing "=" padding)? */
  const paramAhead = (): boolean => {
    const save = i;
    const name = readToken();
    skipWs();
    const isParam = name !== '' && s[i] === '=' && !paddingOnly();
    i = save;
    return isParam;
  };
  /** At an "=": is it only token68 padding ("=" run then end or comma)? */
  const paddingOnly = (): boolean => {
    let j = i;
    while (s[j] === '=') j++;
    while (s[j] === ' ' || s[j] === '\t') j++;
    return j >= s.length || s[j] === ',';
  };

  while (i < s.length) {
    skipWsAndCommas();
    if (i >= s.length) break;
    const scheme = readToken();
    if (!scheme) {
      // Not a token: skip one character so garbage cannot loop forever.
      i++;
      continue;
    }
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    skipWs();
    if (i >= s.length || s[i] === ',') {
      // Scheme alone, or params after a comma? `Basic, realm="x"` is not valid, so a comma ends it.
      continue;
    }
    if (!paramAhead()) {
      // token68
      const start = i;
      while (i < s.length && TOKEN68_CHAR.test(s[i])) i++;
      while (s[i] === '=') i++;
      if (i > start) ch.token68 = s.slice(start, i);
      continue;
    }
    // auth-params until something that is not `name=`
    for (;;) {
      skipWs();
      const name = readToken().toLowerCase();
      skipWs();
      if (s[i] !== '=') break;
      i++;
      skipWs();
      const value = s[i] === '"' ? readQuoted() : readBare();
      if (!(name in ch.params)) ch.params[name] = value;
      skipWs();
      if (s[i] !== ',') break;
      // Look past empty list elements (",,") as RFC 7230 §7 allows.
      const save = i;
      skipWsAndCommas();
      if (i < s.length && paramAhead()) continue;
      i = save;
      break;
    }
  }
  return out;
}

/** The first challenge of a scheme ('bearer', 'basic'), if offered. */
export function findChallenge(challenges: Challenge[], scheme: string): Challenge | undefined {
  return challenges.find((c) => c.scheme === scheme.toLowerCase());
}
