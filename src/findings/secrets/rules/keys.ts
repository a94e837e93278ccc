/** Private keys: PEM blocks of every kind, OpenSSH, PGP, PuTTY, age, and crypto-wallet keys. */
import { downgrade } from '../precision.js';
import { publishedKey } from '../published-keys.js';
import { ageKeyValid, base58CheckValid, pemKeyBody } from '../structure.js';
import { KEY_REMEDIATION, keyed, token } from './build.js';
import type { CheckResult, RuleContext, SecretRule } from './types.js';

const BODY_MIN = 64;

/**
 * A PEM block's body from `from` on: its base64 (after an encrypted key's Proc-Type/DEK-Info
 * headers), with string quoting, `\n` escapes and comment markers taken off, up to the first
 * character that is none of these (code after a bare header is not a body). An elided body keeps
 * its `...` or `…`.
 */
export function pemBody(text: string, from: number): string {
  // The END line and the next block's BEGIN are looked for within the most a body may take: a
  // search of the rest of the text for every header of a text of headers was quadratic, and so
  // was cleaning up to 8 KiB after each of them.
  let near = text.slice(from, from + 16384);
  const next = near.indexOf('-----BEGIN');
  if (next >= 0) near = near.slice(0, next);
  const end = near.indexOf('-----END');
  const clean = cleanPem(near.slice(0, end < 0 ? Math.min(near.length, 8192) : end));
  const head = /^Proc-Type:4,ENCRYPTEDDEK-Info:[A-Z0-9-]+,[0-9A-Fa-f]+/.exec(clean)?.[0] ?? '';
  const body = /^(?:[A-Za-z0-9+/=]|\.\.\.|…)*/.exec(clean.slice(head.length))![0];
  return head + body;
}

// JSDoc, // and # comment lines around a key are unwrapped; `//` only before a space: a base64
// line may start with `//` itself (about one key in 200 has such a line).
function cleanPem(raw: string): string {
  return raw
    .replace(/^[ \t]*(?:\*|#|\/\/(?=[ \t]))[ \t]?/gm, '') // comment markers
    .replace(/["'\x60][ \t]*\+[ \t]*(?=\r?\n|["'\x60])/g, '') // string concatenation: "…" +
    .replace(/["'\x60][ \t]*\r?\n[ \t]*\+[ \t]*(?=["'\x60])/g, '') // and the next line's + "…"
    .replace(/\\n|\\r|[\s"',\x60]/g, '');
}

/** The cipher an OpenSSH private key is protected with: 'none' means unencrypted. */
export function opensshCipher(body: string): string | null {
  try {
    const buf = Buffer.from(body.slice(0, 200), 'base64');
    const magic = 'openssh-key-v1\0';
    if (buf.toString('latin1', 0, magic.length) !== magic) return null;
    const len = buf.readUInt32BE(magic.length);
    if (len > 64) return null;
    return buf.toString('latin1', magic.length + 4, magic.length + 4 + len);
  } catch {
    return null;
  }
}

/** A header with too little after it, or an elided body: info with the reason, not a key. */
function noKey(body: string): CheckResult | null {
  if (/\.\.\.|…/.test(body)) return { ...downgrade('elided-key'), value: body || 'elided' };
  if (body.length < BODY_MIN) return { ...downgrade('key-header'), value: body || 'header' };
  return null;
}

function pemCheck(_v: string, m: RegExpExecArray, ctx: RuleContext): CheckResult {
  const body = pemBody(ctx.text, ctx.index + m[0].length);
  const none = noKey(body);
  if (none) return none;
  const encrypted = m.groups!.kind.startsWith('ENCRYPTED') || /^Proc-Type:4,ENCRYPTED/.test(body);
  if (encrypted) return { ...downgrade('encrypted', 'medium'), encrypted: true, value: body };
  if (pemKeyBody(body) === 'elided') return { ...downgrade('elided-key'), value: body };
  const published = publishedKey(body);
  if (published) return { ...downgrade('published-key', 'medium', published), value: body };
  return { value: body };
}

export const KEY_RULES: SecretRule[] = [
  {
    id: 'secret-private-key',
    title: 'Private key (PEM)',
    service: 'PKI',
    family: 'private-key',
    severity: 'critical',
    keywords: ['ey-----'],
    // Any kind (RSA, EC, DSA, ENCRYPTED, X25519 …); OpenSSH keys have their own rule.
    pattern: /-----BEGIN (?!OPENSSH )(?<kind>(?:[A-Z0-9]+ ){0,3}PRIVATE KEY)-----/g,
    check: pemCheck,
    remediation: KEY_REMEDIATION,
  },
  {
    id: 'secret-openssh-private-key',
    title: 'OpenSSH private key',
    service: 'SSH',
    family: 'private-key',
    severity: 'critical',
    keywords: ['nssh private key'],
    pattern: /-----BEGIN OPENSSH PRIVATE KEY-----/g,
    check: (_v, m, ctx) => {
      const body = pemBody(ctx.text, ctx.index + m[0].length);
      const none = noKey(body);
      if (none) return none;
      const cipher = opensshCipher(body);
      if (cipher && cipher !== 'none')
        return { ...downgrade('encrypted', 'medium', cipher), encrypted: true, value: body };
      return { value: body };
    },
    remediation: KEY_REMEDIATION,
  },
  {
    id: 'secret-pgp-private-key',
    title: 'PGP private key block',
    service: 'OpenPGP',
    family: 'private-key',
    severity: 'high',
    keywords: ['begin pgp private key block'],
    pattern: /-----BEGIN PGP PRIVATE KEY BLOCK-----/g,
    check: (_v, m, ctx) => {
      const body = pemBody(ctx.text, ctx.index + m[0].length).replace(
        /^(?:[A-Za-z-]+:[\s\S]*?)?(?=[A-Za-z0-9+/]{40})/,
        '',
      );
      return noKey(body) ?? { value: body };
    },
    remediation: KEY_REMEDIATION,
  },
  {
    id: 'secret-putty-private-key',
    title: 'PuTTY private key',
    service: 'SSH',
    family: 'private-key',
    severity: 'critical',
    keywords: ['ey-file-'],
    scope: 'window',
    pattern: /PuTTY-User-Key-File-[23]: (?<alg>\S+)\r?\nEncryption: (?<enc>\S+)/g,
    check: (_v, m, ctx) => {
      const rest = ctx.text.slice(ctx.index, ctx.index + 8192);
      const priv = rest.match(/Private-Lines: \d+\r?\n([A-Za-z0-9+/=\r\n]+)/);
      if (!priv) return { ...downgrade('key-header'), value: 'header' };
      const value = priv[1].replace(/\s/g, '');
      if (m.groups!.enc !== 'none')
        return { ...downgrade('encrypted', 'medium', m.groups!.enc), encrypted: true, value };
      return { value };
    },
    remediation: KEY_REMEDIATION,
  },
  token(
    'private-key',
    {
      id: 'secret-age-secret-key',
      title: 'age encryption secret key',
      service: 'age',
      severity: 'critical',
      keywords: ['ey-1'],
      pattern: /\b(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b/g,
    },
    {
      // Bech32, with its 6-character checksum.
      check: (v) => (ageKeyValid(v) ? undefined : downgrade('checksum')),
      remediation: KEY_REMEDIATION,
    },
  ),
  keyed(
    'private-key',
    {
      id: 'secret-crypto-wallet-private-key',
      title: 'Cryptocurrency wallet private key (secp256k1: hex or WIF)',
      service: 'secp256k1',
      severity: 'critical',
      names: ['ethereum', 'secp256k1', 'bitcoin', 'eth_priv', 'eth_key'],
      keywords: ['reum', '56k1', 'tcoin', 'th_priv', 'th_key'],
      value: '(?:0x)?[0-9a-f]{64}|[5KL][1-9A-HJ-NP-Za-km-z]{50,51}',
    },
    {
      // A WIF key carries a double-SHA-256 checksum (base58check); a hex key only its entropy.
      check: (v) => (/^[5KL]/.test(v) && !base58CheckValid(v) ? downgrade('checksum') : undefined),
      remediation: KEY_REMEDIATION,
    },
  ),
];
