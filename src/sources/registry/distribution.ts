/**
 * What the Distribution API says besides its documents: the error codes of an error body, and the
 * `Link` header that pages lists.
 *
 * Errors name the codes only (MANIFEST_UNKNOWN, DENIED, …: tokens of capitals), never the free
 * text a server put next to them: a message never quotes the bytes of a body.
 */

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

/** The `errors[].code` values of a Distribution error body, as "CODE, CODE" (undefined if none). */
export function distributionErrors(body: Buffer | undefined): string | undefined {
  if (!body?.length) return undefined;
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const errors = (j as { errors?: unknown })?.errors;
  if (!Array.isArray(errors)) return undefined;
  const codes = new Set<string>();
  for (const e of errors.slice(0, 20)) {
    const code = (e as { code?: unknown })?.code;
    if (typeof code === 'string' && ERROR_CODE.test(code)) codes.add(code);
  }
  return codes.size ? [...codes].join(', ') : undefined;
}

/** The URL of `rel="next"` in a Link header (RFC 8288), resolved against `base`. */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  const re = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2])) {
      try {
        return new URL(m[1], base);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
