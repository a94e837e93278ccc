/**
 * Tar member names → in-image paths. Names are data: `..` is kept as a literal component (never
 * resolved against anything on the host), leading `/` and `./` are dropped, empty and `.`
 * components are ignored.
 */

/** Components of an in-image path ('' and '.' removed). `/` → []. */
export function splitPath(name: string): string[] {
  const out: string[] = [];
  let start = 0;
  // One pass with indexOf: this runs once per tar entry (500k times on big images).
  while (start <= name.length) {
    let end = name.indexOf('/', start);
    if (end < 0) end = name.length;
    if (end > start && !(end === start + 1 && name.charCodeAt(start) === 46)) out.push(name.slice(start, end));
    start = end + 1;
  }
  return out;
}

/** Absolute, normalized in-image path: `./etc//passwd` → `/etc/passwd`. */
export function normalizePath(name: string): string {
  return '/' + splitPath(name).join('/');
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? '/' + name : parent + '/' + name;
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
