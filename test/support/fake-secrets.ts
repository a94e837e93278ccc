/** Fake secret values generated at run time: random, never real, never committed. */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { exampleReason, fillerReason, placeholderPart } from '../../src/findings/secrets/precision.js';
import { withChecksum } from '../../src/text/token-checksum.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function draw(alphabet: string, n: number): string {
  let s = '';
  while (s.length < n)
    for (const b of randomBytes(n))
      if (s.length < n && b < 256 - (256 % alphabet.length)) s += alphabet[b % alphabet.length];
  return s;
}

/**
 * A uniformly random string, drawn again when it falls in the tail the scanner calls a filler
 * (fillerReason with no rule floor: entropy far below what random strings of its length and
 * alphabet reach, or a run of sequences), a placeholder (`xXxxX`, `Random` spelled by chance) or
 * an example marker (`FAKE`, `DUMMY` spelled by chance).
 * The scanner reports such a value at info by design — about one random 24-character value in
 * 30,000, one 120-character value in 200,000 — so a fake that stands for a typical secret comes
 * from the rest. Three draws at most: a scanner that called every random value a filler
 * must fail the tests, not hang them.
 */
function pick(alphabet: string, n: number): string {
  let s = draw(alphabet, n);
  for (let i = 0; i < 2 && (fillerReason(s, Number.POSITIVE_INFINITY) || placeholderPart(s) || exampleReason(s)); i++)
    s = draw(alphabet, n);
  return s;
}

export const alnum = (n: number) => pick(ALNUM, n);
export const upper = (n: number) => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ', n);
export const upperAlnum = (n: number) => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', n);
export const lowerAlpha = (n: number) => pick('abcdefghijklmnopqrstuvwxyz', n);
export const alpha = (n: number) => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', n);
export const hex = (n: number) => pick('0123456789abcdef', n);
export const digits = (n: number) => pick('0123456789', n);
export const b64 = (n: number) => pick(ALNUM + '+/', n);
export const urlsafe = (n: number) => pick(ALNUM + '-_', n);
/** RFC 4648 base32's alphabet (what AWS access key ids are written in). */
export const base32 = (n: number) => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', n);
export const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

export function rsaPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
}
export function pkcs8Pem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}
export function encryptedPkcs8Pem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: alnum(12) })
    .toString();
}
export function publicPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}

/** An OpenSSH-format private key block with the given cipher (structure only, random key bytes). */
export function opensshKey(cipher = 'none'): string {
  const str = (s: string | Buffer) => {
    const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    str(cipher),
    str(cipher === 'none' ? 'none' : 'bcrypt'),
    str(cipher === 'none' ? '' : randomBytes(24)),
    Buffer.from([0, 0, 0, 1]),
    str(randomBytes(51)),
    str(randomBytes(160)),
  ]);
  const lines = body
    .toString('base64')
    .match(/.{1,70}/g)!
    .join('\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

export function jwt(): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: alnum(10), iat: 1700000000 })}.${urlsafe(43)}`;
}

export const lowerAlnum = (n: number) => pick('abcdefghijklmnopqrstuvwxyz0123456789', n);
export const upperHex = (n: number) => pick('0123456789ABCDEF', n);
export const b32lower = (n: number) => pick('abcdefghijklmnopqrstuvwxyz234567', n);

/** A GitHub-style token with its CRC-32 tail: `ghp_`, `gho_` … or `npm_` + 30 random + 6 checksum characters. */
export function checksummed(prefix: string): string {
  return withChecksum(prefix, alnum(30));
}
export const githubToken = (kind: 'ghp' | 'gho' | 'ghu' | 'ghs' | 'ghr' = 'ghp') => checksummed(`${kind}_`);
export const npmToken = () => checksummed('npm_');

/** A macaroon in the v2 binary format (location, identifier, caveats, 32-byte signature), as PyPI issues them. */
export function pypiToken(location = 'pypi.org'): string {
  const field = (type: number, data: Buffer) => Buffer.concat([Buffer.from([type, data.length]), data]);
  const id = Buffer.from(JSON.stringify({ nonce: hex(32), version: 1 }));
  const body = Buffer.concat([
    Buffer.from([2]),
    field(1, Buffer.from(location)),
    field(2, id),
    Buffer.from([0]),
    field(2, Buffer.from(JSON.stringify({ version: 1, permissions: 'user' }))),
    Buffer.from([0]),
    field(2, Buffer.from(JSON.stringify({ version: 1, project_ids: [uuid()] }))),
    Buffer.from([0]),
    Buffer.from([0]),
    field(6, randomBytes(32)),
  ]);
  return `pypi-${body.toString('base64url')}`;
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** An age secret key: bech32 (hrp "age-secret-key-") of 32 random bytes, upper case, with its checksum. */
export function ageKey(): string {
  const hrp = 'age-secret-key-';
  const data: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of randomBytes(32)) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push((acc >> bits) & 31);
    }
  }
  if (bits) data.push((acc << (5 - bits)) & 31);
  const values = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
    ...data,
  ];
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of [...values, 0, 0, 0, 0, 0, 0]) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i];
  }
  chk ^= 1;
  const sum = Array.from({ length: 6 }, (_, i) => (chk >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...sum].map((v) => BECH32[v]).join('')}`.toUpperCase();
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** A Bitcoin WIF private key (compressed): base58check of 0x80, 32 random bytes, 0x01. */
export function wifKey(): string {
  const payload = Buffer.concat([Buffer.from([0x80]), randomBytes(32), Buffer.from([1])]);
  const sum = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest().subarray(0, 4);
  let n = BigInt(`0x${Buffer.concat([payload, sum]).toString('hex')}`);
  let s = '';
  while (n > 0n) {
    s = BASE58[Number(n % 58n)] + s;
    n /= 58n;
  }
  return s;
}

const b64json = (o: object, url = false) => Buffer.from(JSON.stringify(o)).toString(url ? 'base64url' : 'base64');
/** A Sentry organization token: base64 claims (iat, url, region_url, org) then `_` and the secret. */
export const sentryOrgToken = () =>
  `sntrys_${b64json({ iat: 1700000000.5, url: 'https://sentry.example.org', region_url: 'https://us.sentry.example.org', org: lowerAlpha(8) }).replace(/=+$/, '')}_${b64(43)}`;
/** A Grafana Cloud token: `glc_` + base64 of its claims. */
export const grafanaCloudToken = () =>
  `glc_${b64json({ o: digits(6), n: `stack-${digits(6)}-${lowerAlpha(6)}`, k: alnum(24), m: { r: 'us' } })}`;
/** A legacy Grafana API key: base64 of {"k": …, "n": …, "id": …}. */
export const grafanaApiKey = () => b64json({ k: alnum(32), n: lowerAlpha(10), id: 1 }).replace(/=+$/, '');
/** A 1Password service account token: `ops_` + base64url of its claims. */
export const opsToken = () =>
  `ops_${b64json({ signInAddress: 'my.1password.com', userAuth: { method: 'SRPg-4096', alg: 'PBES2g-HS256', iterations: 650000, salt: urlsafe(22) }, email: `${lowerAlpha(10)}@1passwordserviceaccounts.com`, srpX: hex(64), muk: { alg: 'A256GCM', ext: true, k: urlsafe(43), key_ops: ['encrypt', 'decrypt'], kty: 'oct', kid: 'mp' }, secretKey: `A3-${upperAlnum(6)}-${upperAlnum(6)}-${upperAlnum(5)}-${upperAlnum(5)}-${upperAlnum(5)}-${upperAlnum(5)}`, throttleSecret: { seed: hex(64), uuid: upperAlnum(26) }, deviceUuid: lowerAlnum(26) }, true)}`;

/** Sequential "keys" people make up for documentation: the alphabet, digits, a keyboard row. */
export function sequential(n: number): string {
  const seq = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const start = randomBytes(1)[0] % 10;
  let s = '';
  while (s.length < n) s += seq.slice(start);
  return s.slice(0, n);
}
/** A short pattern repeated to length `n` ("abc123xyz" made up by hand). */
export function repeated(n: number): string {
  const unit = alnum(3 + (randomBytes(1)[0] % 6));
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}
/** `n` characters of `alphabet`, at random. */
export const pickFrom = (alphabet: string, n: number) => pick(alphabet, n);
