/** Fake secret values generated at run time: random, never real, never committed. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, n: number): string {
  let s = '';
  while (s.length < n)
    for (const b of randomBytes(n))
      if (s.length < n && b < 256 - (256 % alphabet.length)) s += alphabet[b % alphabet.length];
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
