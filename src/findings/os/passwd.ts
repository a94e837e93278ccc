/** /etc/passwd as runc reads it to resolve USER (findings/run-user.ts). */

/** One /etc/passwd line, as runc reads it. */
export interface PasswdEntry {
  name: string;
  uid: number;
}

/** /etc/passwd as runc parses it: lines trimmed, empty ones skipped, fields split at ':'. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const fields = line.split(':');
    out.push({ name: fields[0], uid: uidField(fields[2] ?? '') });
  }
  return out;
}

/**
 * A passwd uid as runc takes it: Go's Atoi with its error ignored, so text that is not a number
 * is 0 (root), and a number beyond int64 is int64's bound (which runc then refuses).
 */
function uidField(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0;
  return atoi(s) ?? (s.startsWith('-') ? -(2 ** 63) : 2 ** 63);
}

/** Go's strconv.Atoi on 64 bits: an optional sign, digits, within int64; undefined otherwise. */
export function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < -(2n ** 63n) || n >= 2n ** 63n ? undefined : Number(n);
}
