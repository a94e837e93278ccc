/**
 * Secret masking for everything the explorer shows from an image (file content, ENV, build args
 * in history). Masked values keep their first 4 characters and say their length, like the
 * findings' `evidence`; the reveal key shows them in full.
 */

/** Names of variables/keys whose values are secrets. */
export const SECRET_KEY =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|credential|auth)/i;

/** Values that are obviously not secrets: placeholders, references, empty. */
const PLACEHOLDER = /^(\$\{?[\w.-]+\}?|<[^>]*>|\*+|x+|changeme|none|null|true|false|)$/i;

export function maskValue(v: string): string {
  if (v.length <= 4) return '•'.repeat(Math.max(1, v.length));
  return `${v.slice(0, 4)}…(${v.length} chars)`;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function looksLikePlaceholder(v: string): boolean {
  return PLACEHOLDER.test(v.trim().replace(/^["']|["']$/g, ''));
}

/** Well-known token shapes, wherever they appear. */
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/g,
  /\b[sr]k_live_[A-Za-z0-9]{16,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
];

// key = value, key: value, "key": "value", KEY=value (ENV lines, ini, yaml, json, shell).
const KEY_VALUE = /(["']?)([\w.-]*?)(\1)(\s*[:=]\s*)(["']?)([^\s"',;]+)(\5)/g;
// scheme://user:password@host
const URL_CRED = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;

/** Mask secret-looking values in one line of text. */
export function maskLine(line: string): string {
  let out = line.replace(URL_CRED, (_m, a: string, pw: string, at: string) => a + maskValue(pw) + at);
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (m) => maskValue(m));
  out = out.replace(
    KEY_VALUE,
    (m, q1: string, key: string, q2: string, sep: string, q3: string, value: string, q4: string) => {
      if (!isSecretKey(key) || looksLikePlaceholder(value) || value.includes('…(')) return m;
      return `${q1}${key}${q2}${sep}${q3}${maskValue(value)}${q4}`;
    },
  );
  return out;
}

/**
 * Mask a whole text, line by line; the body of PEM private key blocks is hidden entirely.
 * Returns the lines and how many values were masked.
 */
export function maskLines(lines: string[]): { lines: string[]; masked: number } {
  let inKey = false;
  let masked = 0;
  const out = lines.map((l) => {
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(l)) {
      inKey = true;
      masked++;
      return l;
    }
    if (inKey) {
      if (/-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(l)) {
        inKey = false;
        return l;
      }
      return l.trim() === '' ? l : '•'.repeat(Math.min(64, l.length)) + '  (private key, masked)';
    }
    const m = maskLine(l);
    if (m !== l) masked++;
    return m;
  });
  return { lines: out, masked };
}

/** `KEY=value` of an ENV entry, value masked when the key or the value looks secret. */
export function maskEnv(entry: string): string {
  const i = entry.indexOf('=');
  if (i < 0) return entry;
  const key = entry.slice(0, i);
  const value = entry.slice(i + 1);
  if (isSecretKey(key) && !looksLikePlaceholder(value)) return `${key}=${maskValue(value)}`;
  return `${key}=${maskLine(value)}`;
}
