/**
 * Tar member names → in-image paths. Names are data: `..` is kept as a literal component (never
 * resolved against anything on the host), leading `/` and `./` are dropped, empty and `.`
 * components are ignored.
 */

/** Components of an in-image path ('' and '.' removed). `/` → []. */
export function splitPath(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    out.push(part);
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
