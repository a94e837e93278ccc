/**
 * Which module of a JavaScript bundle a stretch of it comes from. Bundlers put the code of the
 * libraries an application uses into its own files (`/app/dist/server.js`), together with their
 * documentation comments, their example keys and their probe keys: judged by the bundle's path,
 * that code would be the application's own. Two bundlers name each module where its code starts:
 *
 *   esbuild:                  // node_modules/ssh2/lib/protocol/constants.js
 *   webpack (development):    /***\/ "./node_modules/ssh2/lib/protocol/constants.js":
 *
 * A match after such a line is judged as if it were in that module's file under node_modules
 * (scanner.ts applyPathContext); after a line naming one of the application's modules
 * (`// src/index.js`), as the bundle's own. A minified bundle names no module: its matches stay
 * the bundle's.
 */
import { GAVE_UP, nearestLine } from './nearest-line.js';
import type { TextIndex } from './text-index.js';

// A module marker line: the module's path, relative, ending in a script or JSON extension.
const MARKER = /^(?:\/\/ |\/\*\*\*\/ ")(?:\.\.?\/)*([\w@.+-]+(?:\/[\w@.+-]+)*\.(?:[cm]?[jt]sx?|json))(?:":.*)?$/;

/** Whether a file may be a bundle whose modules are followed (scripts only). */
export function mayBeBundle(path: string): boolean {
  return /\.[cm]?js$/.test(path);
}

/**
 * The module the marker line at `at` names (its path, as a bundle-relative string), null for a
 * marker of the application's own module, or undefined when the line is not a marker.
 */
function markerAt(text: string, at: number): string | null | undefined {
  const c = text.charCodeAt(at);
  if (c !== 0x2f) return undefined; // '/'
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  if (end - at > 400) return undefined;
  const m = MARKER.exec(text.slice(at, end));
  if (!m) return undefined;
  const i = m[1].lastIndexOf('node_modules/');
  return i < 0 ? null : m[1].slice(i);
}

/**
 * The library module (`node_modules/…`) whose code holds `index` of `text`: named by the last
 * marker line before it, else by `carried` (the module a bundle's earlier window ended in).
 * Undefined: the application's own code, or no marker among the lines nearestLine looks at (a
 * crafted file: the code counts as the bundle's own, its matches keep their severity).
 */
export function bundledModuleAt(
  text: string,
  index: number,
  carried: string | undefined,
  lines: TextIndex,
): string | undefined {
  return moduleOf(
    nearestLine(lines, index, '/', (at) => markerAt(text, at)),
    carried,
  );
}

/**
 * The library module a bundle's window of bytes ends in (as bundledModuleAt at its end), read
 * from the bytes: only lines shaped like a marker are decoded (every window of a large script
 * goes through here, most of them without a match).
 */
export function moduleAfter(buf: Buffer, carried: string | undefined): string | undefined {
  return moduleOf(
    nearestLine(buf, buf.length, '/', (at) => markerBytes(buf, at)),
    carried,
  );
}

/** A marker's answer as a module: null (the application's own) and giving up are none. */
function moduleOf(found: string | null | undefined | typeof GAVE_UP, carried: string | undefined): string | undefined {
  if (found === undefined) return carried;
  return found === GAVE_UP || found === null ? undefined : found;
}

/** markerAt over bytes: `// ` or `/***\/ "` and no space up to the line's end, else undefined at once. */
function markerBytes(buf: Buffer, at: number): string | null | undefined {
  if (buf[at] !== 0x2f) return undefined;
  const esbuild = buf[at + 1] === 0x2f && buf[at + 2] === 0x20;
  const webpack = !esbuild && buf[at + 1] === 0x2a && buf[at + 2] === 0x2a && buf[at + 3] === 0x2a;
  if (!esbuild && !webpack) return undefined;
  const from = at + (esbuild ? 3 : 7);
  const max = Math.min(buf.length, at + 400);
  let end = from;
  while (end < max && buf[end] !== 0x0a && (webpack || buf[end] !== 0x20)) end++;
  if (end === max && end < buf.length) return undefined;
  return markerAt(buf.toString('latin1', at, end), 0);
}
