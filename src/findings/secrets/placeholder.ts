import { shannonEntropy } from './entropy.js';

/**
 * Values that look like secrets but are not: template variables, documentation placeholders,
 * code. Generic rules and key-value parsers drop these; format rules judge their values in
 * precision.ts (documented example keys, placeholders inside a token, fillers).
 */

const TEMPLATE = [
  /^\$\{[^}]*\}$/, // ${VAR}
  /^\$\(?[A-Za-z_][A-Za-z0-9_]*\)?$/, // $VAR, $(VAR)
  // (Unanchored ones stop at the next opening: from every `${` of a long value without a `}`, the
  // scan to its end was quadratic.)
  /\$\{[^{}]+\}/, // something-${VAR}-something
  /^\{\{.*\}\}$/, // {{ var }}
  /\{\{[^{}]*\}\}/,
  /^%\(?[A-Za-z_]*\)?s$/, // %s, %(name)s
  /^%[A-Za-z_]+%$/, // %VAR%
  /^<[^>]*>$/, // <your password>
  /^\[[^\]]*\]$/, // [password]
  /^@[A-Za-z_]+@$/, // @TOKEN@ (autoconf)
  /^__[A-Z0-9_]+__$/, // __TOKEN__
  /^#\{[^}]*\}$/, // #{secret} (Ruby interpolation)
  /^ENC\[/, // encrypted values (sops, jasypt)
  /^\{(?:cipher|AES|SSHA|SHA|SSHA256|SSHA512|PBKDF2|CRYPT|MD5)\}/i, // encrypted/hashed marker
];

// Words that mean "put the real value here".
const PLACEHOLDER_WORDS =
  /^(?:changeme|change[_-]?me|change[_-]?this|changeit|password|passwd|secret|token|apikey|api[_-]?key|redacted|removed|hidden|masked|none|null|nil|undefined|empty|true|false|yes|no|todo|tbd|fixme|dummy|example|sample|placeholder|default|test|testing|foobar|foo|bar|baz|qwerty|letmein|admin|root|user|username|pass|mypassword|mysecret|yourpassword|(?:your|my|some|the)[_-]?(?:own[_-]?)?(?:password|passwd|pass|secret|token|key|api[_-]?key|access[_-]?key|value|here|pw)\w*|(?:insert|enter|put|replace|set)[_-]\w+|xxx+|x+|\*+|\.+|-+|_+|0+|1234567890|12345678|123456|abc123|abcdef(?:gh)?)$/i;

/** Why `value` is a placeholder rather than a secret, or null. */
export function placeholderReason(value: string): string | null {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v === '') return 'empty value';
  for (const re of TEMPLATE) if (re.test(v)) return 'template variable or placeholder';
  if (PLACEHOLDER_WORDS.test(v)) return 'placeholder word';
  if (/^(.)\1+$/.test(v)) return 'repeated character';
  if (/^(.{1,4})\1{3,}$/.test(v)) return 'repeated pattern';
  if (
    /your[_-]?(?:api[_-]?)?(?:key|token|secret|password)|put[_-]?your|insert[_-]?your|replace[_-]?with|<[a-z _-]+>/i.test(
      v,
    )
  )
    return 'documentation placeholder';
  return null;
}

/**
 * An identifier in place of a value: CONSTANT_NAME, snake_case_words, camelCaseWords (a key
 * name assigned its own name, an enum of constants). Narrower than looksLikeCode: a token may be
 * dotted or hold a slash, and stays a token.
 */
export function looksLikeIdentifier(value: string): boolean {
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value) && /[A-Z]{3}/.test(value)) return true;
  if (/^[a-z]+(?:_[a-z]+)+$/.test(value)) return true;
  return camelIdentifier(value);
}

/**
 * A camelCase or PascalCase name (getPassword, myApiKey, CloudflareAccountCreateRequestAttributes).
 * Random tokens can look alike, so only when the letters repeat as words' letters do, or when a
 * name of 24 characters or more is three or more humps of four letters or more each (long names
 * hold more distinct letters), or is words (wordHumps: resolveVercelLsAgentType,
 * SandboxesSandboxAwsMountStaticAuthConfig). A random alphanumeric token of 24 characters is
 * shaped so by the second about once in a million, by the third about once in a million more;
 * one of 40 about once in five billion (counted exactly, not sampled).
 */
function camelIdentifier(value: string): boolean {
  if (/^[A-Za-z][a-z]*(?:[A-Z][a-z]{2,}[0-9]*)+$/.test(value) && shannonEntropy(value) < 3.7) return true;
  if (value.length < 24) return false;
  return /^[A-Za-z][a-z]{3,}(?:[A-Z][a-z]{3,}){2,}[0-9]*$/.test(value) || wordHumps(value);
}

/**
 * Three or more humps that read as words: each of four letters or more holds a vowel (a, e, i,
 * o, u, y), and one at most is an acronym of two or three (Ls, Aws, Io); digits only at the end.
 */
function wordHumps(value: string): boolean {
  const m = /^([A-Za-z][a-z]+(?:[A-Z][a-z]+){2,})[0-9]*$/.exec(value);
  if (!m) return false;
  let short = 0;
  for (const hump of m[1].split(/(?=[A-Z])/)) {
    if (hump.length < 4) {
      if (++short > 1) return false;
    } else if (!/[aeiouy]/i.test(hump)) return false;
  }
  return true;
}

/**
 * A value that spells its own key's name: an enum of names (`DeleteScimToken: "delete:scim_token"`,
 * `SHA256_TOKEN_TO_REFRESH: "token_sha256_to_refresh"`), or that name inside a URN, an OAuth scope
 * or an `X-` header name (`OauthuserToken = "urn:example:params:oauth:user-token"`,
 * `SERVER_TOKEN = "X-Postmark-Server-Token"`). Letters and digits are compared, case and
 * separators aside; a key of ten or more of them. A password that only repeats its key with words
 * added (`ADMIN_PASSWORD = "Admin-Password-Secure"`) stays a finding.
 */
export function namesItsKey(key: string, value: string): boolean {
  const name = key.slice(key.lastIndexOf('.') + 1);
  const k = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const v = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (k.length < 10) return false;
  if (k === v || words(name) === words(value)) return true;
  return v.includes(k) && /^[a-z]+$/.test(v.replace(k, '')) && (value.includes(':') || /^x-/i.test(value));
}

/** A name's words (camel humps, separators), lower case, sorted. */
function words(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
    .sort()
    .join(' ');
}

/** Looks like code or a reference rather than a literal: `os.environ["X"]`, `getenv(...)`, `self.password`. */
export function looksLikeCode(value: string): boolean {
  if (/[()[\]{}<>;,`\\]/.test(value)) return true;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$/.test(value)) return true; // dotted identifier
  if (/^(?:process\.env|os\.environ|getenv|System\.getenv|ENV\[)/.test(value)) return true;
  if (/^[a-z]+(?:_[a-z]+)*$/.test(value)) return true; // snake_case identifier / plain word
  if (camelIdentifier(value)) return true;
  if (/^[A-Z]+(?:_[A-Z0-9]+)*$/.test(value) && !/[0-9]/.test(value)) return true; // CONSTANT_NAME
  if (/^\/[\w./-]+$/.test(value)) return true; // a file path
  if (/^[$%@]/.test(value)) return true; // a variable reference ($dir/private/key.pem, %VAR%, @var)
  if (/^[A-Za-z][a-z]+$/.test(value)) return true; // a single word (Whitespace)
  if (/^[a-z]+(?:[-_][a-z]+)+$/.test(value)) return true; // words joined by - or _ (elevated-privileges)
  return false;
}
