/**
 * Formats that are not one provider's: JWTs, credentials in URLs (database connection strings),
 * on curl command lines (`-u`, a `Token:` header) and in HTTP headers, and the generic
 * `password = …` rule.
 */
import { charClasses, shannonEntropy } from '../entropy.js';
import { looksLikeCode, namesItsKey, placeholderReason } from '../placeholder.js';
import { downgrade } from '../precision.js';
import { b64Json } from '../structure.js';
import { keyNamesNoSecret } from '../../key-names.js';
import { token } from './build.js';
import type { CheckResult, SecretRule } from './types.js';

const g = 'generic' as const;

/** A curl user or password that stands for a value: `<user>`, `$USER`, `${{ secrets.X }}`, `[password]`. */
const CURL_PLACEHOLDER = /^['"]?(?:<[^>]*>?|[^<]*>|\$|\[[^\]]*\]|%[A-Za-z_]+%|\{\{)/;

/**
 * After an unquoted value: blanks, then the line's end, a comment or a separator. Read from the
 * value's end (sticky), not from a cut of the rest of the line: finding the line's end for every
 * match of a long line was quadratic.
 */
const STATEMENT_END = /[^\S\n]*(?:\n|$|[#;,]|\/\/)/y;

export const GENERIC_RULES: SecretRule[] = [
  token(
    g,
    {
      id: 'secret-jwt',
      title: 'JSON Web Token',
      service: 'JWT',
      severity: 'medium',
      keywords: ['eyj'],
      // (Not after a character of the token: a run of thousands of `eyJ` made every one of them a
      // start scanning to the run's end.)
      pattern: /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})/g,
    },
    {
      follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 8 },
      prefixLength: 0,
      check: (v) => {
        const [h, p] = v.split('.');
        const header = b64Json(h);
        if (!header || typeof header.alg !== 'string' || !b64Json(p)) return false;
        return undefined;
      },
      remediation:
        'Revoke the token (or rotate the signing key if it does not expire), rebuild without it, and issue tokens at run time.',
    },
  ),
  token(
    g,
    {
      id: 'secret-jwt-base64',
      title: 'JSON Web Token, base64-encoded',
      service: 'JWT',
      severity: 'medium',
      // (base64 of "eyJ", the start of every JWT: a JWT stored as base64, as in Kubernetes data.)
      keywords: ['zxlk'],
      pattern: /(?<![A-Za-z0-9+/_-])(?<secret>ZXlK[A-Za-z0-9+/_-]{40,}={0,2})(?![A-Za-z0-9+/=_-])/g,
    },
    {
      follows: { kind: 'run', chars: 'A-Za-z0-9+/_-', min: 40 },
      prefixLength: 0,
      // It must decode to a JWT whose header and claims are JSON, as secret-jwt's must.
      check: (v) => {
        const jwt = Buffer.from(v, 'base64').toString('latin1');
        const parts = /^(eyJ[A-Za-z0-9_-]{8,})\.(eyJ[A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]{16,}$/.exec(jwt);
        const header = parts && b64Json(parts[1]);
        if (!header || typeof header.alg !== 'string' || !b64Json(parts[2])) return false;
        return undefined;
      },
      remediation:
        'Revoke the token (or rotate the signing key if it does not expire), rebuild without it, and issue tokens at run time.',
    },
  ),
  token(
    g,
    {
      id: 'secret-url-credentials',
      title: 'Credentials in a URL (connection string)',
      service: 'URL',
      severity: 'high',
      // The scheme's last character and '://', not '://' alone (four bytes: SecretRule.keywords).
      keywords: Array.from('abcdefghijklmnopqrstuvwxyz0123456789+.-', (c) => `${c}://`),
      pattern:
        /\b(?<scheme>[a-z][a-z0-9+.-]{1,20}):\/\/(?<user>[^\s:@/"'<>{}$]{1,64}):(?<secret>[^\s@/"'<>]{3,128})@(?<host>[A-Za-z0-9][A-Za-z0-9.-]*)/gi,
    },
    {
      // (The user info has no whitespace, '/', quote or angle bracket and ends at the '@'.)
      follows: { kind: 'userinfo' },
      prefixLength: 0,
      entropy: 0,
      check: (v, m) => {
        const user = m.groups!.user;
        if (placeholderReason(v) || placeholderReason(user) === 'template variable or placeholder') return false;
        if (v === user) return false; // postgres:postgres@ — a default, not a leaked credential
        if (/^\$|^%|^\{/.test(v) || /\$\{|\$\(/.test(v)) return false;
        if (/^(?:pass|pw|pwd|psw|secret|passwd|password\d*|p@ssw0rd|mypass\w*|yourpass\w*)$/i.test(v)) return false;
        const host = m.groups!.host.toLowerCase();
        if (/(?:^|\.)example\.(?:com|org|net)$|^(?:host|hostname|server|domain)$/.test(host))
          return downgrade('example-host');
        return undefined;
      },
      remediation:
        'Rotate the password, rebuild without it, and pass credentials at run time (environment from a secret store, or a mounted file).',
    },
  ),
  token(
    g,
    {
      id: 'secret-curl-basic-auth',
      title: 'Credentials on a curl command line (-u user:password)',
      service: 'HTTP',
      severity: 'high',
      keywords: ['curl'],
      // (The command's words stop at the next "curl": every "curl" of a line scanning to its end was
      // quadratic on a line of thousands of them.)
      pattern: /\bcurl\b(?:(?!\bcurl\b)[^\n])*?\s(?:-u|--user)(?:\s+|=)["']?(?<user>[^\s:"']+):(?<secret>[^\s"']+)/g,
    },
    {
      // ('--user' holds '-u' too.) Lines that mention curl without it cost the most regex time
      // on a Debian image (long documentation lines).
      follows: { kind: 'on-line', text: '-u' },
      prefixLength: 0,
      entropy: 0,
      check: (v, m) =>
        placeholderReason(v) ||
        CURL_PLACEHOLDER.test(m.groups!.user) ||
        CURL_PLACEHOLDER.test(v) ||
        /\$\{|\$\(/.test(v) ||
        /^(?:pass(?:word)?|pwd|changeme|changeit|test|token|secret)$/i.test(v)
          ? false
          : undefined,
      remediation:
        'Rotate the password; read it at run time from a file (`curl -u user:$(cat /run/secrets/x)`) or a netrc mounted with `RUN --mount=type=secret`.',
    },
  ),
  token(
    g,
    {
      id: 'secret-authorization-header',
      title: 'Credentials in an HTTP Authorization header',
      service: 'HTTP',
      severity: 'high',
      keywords: ['authorization'],
      // (Quoted too, as in JSON and code: "Authorization": "Bearer …".)
      pattern:
        /\bAuthorization["']?\s*:\s*["']?(?<scheme>Basic|Bearer|token|Token)\s+(?<secret>[A-Za-z0-9._~+/=-]{16,})/gi,
    },
    {
      follows: { kind: 'colon' },
      prefixLength: 0,
      check: (v, m) => {
        if (placeholderReason(v) || shannonEntropy(v) < 3.0) return false;
        return m.groups?.scheme?.toLowerCase() === 'basic' ? judgeBasic(v) : undefined;
      },
    },
  ),
  token(
    g,
    {
      id: 'secret-api-key-header',
      title: 'API key in an HTTP header (X-API-Key, Api-Token, X-Auth-Key, X-Vault-Token …)',
      service: 'HTTP',
      severity: 'high',
      // (Header names have a hyphen: `apiKey:` is a property in code. X-Auth-Key carries
      // Cloudflare's global key, X-Vault-Token a Vault token, PRIVATE-TOKEN GitLab's. Vault's
      // keyword is "lt-token:": the bytes "aul" of "vault" are in every "default".)
      keywords: ['api-key:', 'api-token:', 'auth-token:', 'access-token:', 'auth-key:', 'lt-token:', 'private-token:'],
      pattern:
        /\b(?<key>(?:X-(?:[A-Za-z]+-)?)?(?:Api-Key|Api-Token|Auth-Token|Access-Token|Auth-Key|Vault-Token|Private-Token)):[ \t]*(?<secret>[\w=~@.+/-]{16,})/gi,
    },
    {
      prefixLength: 0,
      entropy: 3.5,
      check: (v) => (placeholderReason(v) || looksLikeCode(v) ? false : undefined),
    },
  ),
  token(
    g,
    {
      id: 'secret-curl-header-token',
      title: "Token in a header on a command line (curl -H 'Token: …', wget --header=…)",
      service: 'HTTP',
      severity: 'high',
      // A header named just `Token` says what it holds only as a header option's argument:
      // elsewhere `token: …` is any YAML key (the generic rule's). The keywords are the option
      // and the quote that opens its argument.
      keywords: ["-h '", '-h "', "--header '", '--header "', '--header='],
      pattern: /(?:\s|^)(?:-H |--header[ =])(?<q>["'])(?<key>(?:X-)?Token):[ \t]*(?<secret>[\w=~@.+/-]{16,})\k<q>/gi,
    },
    {
      prefixLength: 0,
      entropy: 3.5,
      check: (v) => (placeholderReason(v) || looksLikeCode(v) ? false : undefined),
    },
  ),
  {
    id: 'secret-generic-assignment',
    title: 'Password, secret or token assigned a literal value',
    service: 'generic',
    family: g,
    severity: 'medium',
    // 'ssw', not 'pass' or 'passw': Python's `pass` statement would send every other line through
    // the pattern, and "class" every other position through the prefilter's slow path.
    // (Every spelling the pattern's key alternatives allow: a test checks each one is found.)
    keywords: [
      'ssw',
      'pwd',
      'secret',
      'token',
      'api_key',
      'apikey',
      'api-key',
      'access_key',
      'accesskey',
      'access-key',
      'auth_key',
      'authkey',
      'auth-key',
      'private_key',
      'privatekey',
      'private-key',
      'credential',
    ],
    follows: { kind: 'assignment' }, // the key name's rest, then the operator (:=, =>, : or =)
    // (The key name's 40 characters before the word, and 'ssw' two into "password".)
    reach: 42,
    pattern:
      /(?<![A-Za-z0-9_.-])(?<key>[A-Za-z0-9_.-]{0,40}?(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]{0,40})["']?[ \t]*(?::=|=>|[:=])[ \t]*(?<q>["']?)(?<secret>[^\s"'`]{8,200})\k<q>/gi,
    check: (v, m, ctx) => {
      const key = m.groups!.key;
      if (keyNamesNoSecret(key)) return false;
      // Unquoted values must end the statement: `x = a + b(c)` is an expression, not a literal.
      if (!m.groups!.q) {
        STATEMENT_END.lastIndex = ctx.index + m[0].length;
        if (!STATEMENT_END.test(ctx.text)) return false;
      }
      if (placeholderReason(v) || looksLikeCode(v) || namesItsKey(key, v)) return false;
      if (/^(?:https?|ftp|file):\/\//i.test(v)) return false; // a URL (credentials in URLs have their own rule)
      if (/^\$(?:1|2[abxy]?|5|6|y|argon2\w*|pbkdf2[\w-]*|scrypt)\$/.test(v)) return false; // a password hash, not a password
      if (shannonEntropy(v) < 3.0 || charClasses(v) < 2) return false;
      return undefined;
    },
    remediation:
      'If this is a real credential: rotate it, rebuild without it, and read it at run time from the environment or a mounted secret. If it is not, add it to .layerlensignore with the reason.',
  },
];

/** Basic credentials that specifications and tutorials print (RFC 7617's). */
const DOCUMENTED_BASIC = new Set(['Aladdin:open sesame', 'Aladdin:opensesame']);

/** A Basic header's `user:password`, decoded: a documented example or a placeholder password is info. */
function judgeBasic(value: string): CheckResult {
  const pair = Buffer.from(value, 'base64').toString('latin1');
  const colon = pair.indexOf(':');
  if (colon < 0 || !/^[\x20-\x7e]+$/.test(pair)) return undefined;
  if (DOCUMENTED_BASIC.has(pair)) return downgrade('example-marker', 'info', "RFC 7617's example credentials");
  const why = placeholderReason(pair.slice(colon + 1));
  return why ? downgrade('placeholder', 'info', `the decoded password: ${why}`) : undefined;
}
