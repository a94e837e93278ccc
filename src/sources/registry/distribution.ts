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

/**
 * The relation types of a link's parameters (`; rel="next last"` → next, last), lower-cased. Split
 * by hand: the pattern it replaces could split a run of blanks between its parts in many ways.
 */
function relations(params: string): string[] {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
    return param
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '')
      .toLowerCase()
      .split(/\s+/);
  }
  return [];
}

/** The URL of `rel="next"` in a Link header (RFC 8288), resolved against `base`. */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  // (`<[^<>]*>`: from every `<` of a header without a `>`, `<[^>]*>` scanned to its end.)
  const re = /<([^<>]*)>\s*((?:;\s*[^;,]+)*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    if (relations(m[2]).includes('next')) {
      try {
        return new URL(m[1], base);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
