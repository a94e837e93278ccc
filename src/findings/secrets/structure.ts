/**
 * Structure and checksum checks of token formats that carry one: what a made-up value (a
 * documentation example, a test string, a look-alike) fails and an issued token passes.
 */
import { createHash } from 'node:crypto';

/** base64 or base64url to bytes; null when the text is neither. */
export function decodeB64(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]*={0,3}$/.test(s)) return null;
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** A base64(url)-encoded JSON object, or null. */
export function b64Json(s: string): Record<string, unknown> | null {
  const bytes = decodeB64(s);
  if (!bytes) return null;
  try {
    const v = JSON.parse(bytes.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Reads a protobuf-style varint at `at`; [value, next offset] or null. */
function varint(b: Buffer, at: number): [number, number] | null {
  let v = 0;
  for (let shift = 0, i = at; i < b.length && shift < 35; i++, shift += 7) {
    v += (b[i] & 0x7f) * 2 ** shift;
    if ((b[i] & 0x80) === 0) return [v, i + 1];
  }
  return null;
}

/**
 * Whether `bytes` is a macaroon in the v2 binary format (what PyPI's API tokens hold after
 * `pypi-`): version byte 2; a first section of fields (location 1, identifier 2) ended by an
 * end-of-section 0; caveat sections, each ended by 0; an empty section; then the signature field
 * (type 6) of 32 bytes. Returns the location, or null when the structure does not hold.
 */
export function macaroonV2Location(bytes: Buffer): string | null {
  if (bytes.length < 40 || bytes[0] !== 2) return null;
  let at = 1;
  let location: string | null = null;
  let identifier = false;
  let sections = 0;
  // Sections: fields until a 0 byte; an empty section ends the caveats.
  for (;;) {
    let fields = 0;
    for (;;) {
      if (at >= bytes.length) return null;
      const type = bytes[at++];
      if (type === 0) break;
      if (type === 6) {
        // The signature: after the caveats' terminating empty section, or right after the first.
        const len = varint(bytes, at);
        if (!len || len[0] !== 32 || len[1] + 32 !== bytes.length) return null;
        return identifier ? (location ?? '') : null;
      }
      if (type > 4) return null;
      const len = varint(bytes, at);
      if (!len || len[1] + len[0] > bytes.length) return null;
      if (sections === 0 && type === 1) location = bytes.toString('latin1', len[1], len[1] + len[0]);
      if (sections === 0 && type === 2) identifier = len[0] > 0;
      at = len[1] + len[0];
      fields++;
    }
    sections++;
    if (fields === 0 && sections > 1) {
      // The empty section: the signature must follow.
      if (bytes[at] !== 6) return null;
    }
    if (sections > 64) return null;
  }
}

/** The DER length of the SEQUENCE that starts `der`, and where its content starts; null if it is not one. */
function derSequence(der: Buffer): { length: number; content: number } | null {
  if (der.length < 2 || der[0] !== 0x30) return null;
  const l0 = der[1];
  if (l0 < 0x80) return { length: l0, content: 2 };
  const n = l0 & 0x7f;
  if (n === 0 || n > 3 || der.length < 2 + n) return null;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[2 + i];
  return { length, content: 2 + n };
}

/**
 * What a PEM private key's body is: 'ok' (DER whose outer length fits the bytes: a whole key),
 * 'elided' (`...` or `…` in it, or fewer bytes than the DER says: cut short in documentation),
 * or 'unknown' (not DER: a format this check does not read, kept as found).
 */
export function pemKeyBody(body: string): 'ok' | 'elided' | 'unknown' {
  // (`<[^<>]*>`, not `<[^>]*>`: from every `<` of a body without a `>`, a scan to its end.)
  if (/\.\.\.|…|<[^<>]*>/.test(body)) return 'elided';
  const b64 = body.replace(/[^A-Za-z0-9+/=]/g, '');
  const der = Buffer.from(b64, 'base64');
  const seq = derSequence(der);
  if (!seq) return 'unknown';
  return seq.content + seq.length > der.length ? 'elided' : 'ok';
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** The bech32 checksum (BIP-173) of `hrp1data`, lower case: what age's keys carry. */
export function bech32Valid(s: string): boolean {
  const text = s.toLowerCase();
  const sep = text.lastIndexOf('1');
  if (sep < 1 || text.length - sep < 7) return false;
  const hrp = text.slice(0, sep);
  const values: number[] = [];
  for (const c of hrp) values.push(c.charCodeAt(0) >> 5);
  values.push(0);
  for (const c of hrp) values.push(c.charCodeAt(0) & 31);
  for (const c of text.slice(sep + 1)) {
    const v = BECH32.indexOf(c);
    if (v < 0) return false;
    values.push(v);
  }
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i];
  }
  return chk === 1;
}

/** An age secret key (`AGE-SECRET-KEY-1…`): bech32 with its checksum. */
export function ageKeyValid(key: string): boolean {
  return bech32Valid(key);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58check (Bitcoin's WIF and addresses): the last 4 bytes are the first 4 of sha256(sha256(the rest)). */
export function base58CheckValid(s: string): boolean {
  let n = 0n;
  for (const c of s) {
    const v = BASE58.indexOf(c);
    if (v < 0) return false;
    n = n * 58n + BigInt(v);
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let zeros = 0;
  while (s[zeros] === '1') zeros++;
  const bytes = Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
  if (bytes.length < 5) return false;
  const body = bytes.subarray(0, -4);
  const sum = sha256(sha256(body)).subarray(0, 4);
  return sum.equals(bytes.subarray(-4));
}

function sha256(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest();
}
