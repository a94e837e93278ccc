/**
 * Tar member names → in-image paths. Names are data: never resolved against anything on the
 * host. Their bytes are kept (invalid UTF-8 as `\xNN`, a literal backslash as `\\`, so two
 * different names never become one path), and they are cleaned the way container runtimes clean
 * them when they unpack a layer (Go's filepath.Clean): empty and `.` components dropped, `a/..`
 * removed, `..` at the root of an absolute name dropped; a relative name that climbs above the
 * root escapes it (the runtimes refuse it).
 */
import { ownCopy } from '../text/own-copy.js';

/** Components of an in-image path ('' and '.' removed, `..` kept as it is). `/` → []. */
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

/**
 * The cleaned components of a member name, as a runtime writes it; `null` when the name climbs
 * above the root (`../etc/passwd`, `a/../../x`), which Docker refuses to unpack.
 */
export function cleanPath(name: string): string[] | null {
  const parts = splitPath(name);
  // Nearly every name has no `..` at all: one indexOf, no second pass.
  if (name.indexOf('..') < 0) return parts;
  const rooted = name.charCodeAt(0) === 47;
  const out: string[] = [];
  for (const p of parts) {
    if (p !== '..') out.push(p);
    else if (out.length > 0) out.pop();
    else if (!rooted) return null; // (`/..` is `/`, as filepath.Clean has it)
  }
  return out;
}

/**
 * Directories a PathCleaner remembers by path, and their characters in all (one layer's; past
 * either the map begins again: a hostile layer of long distinct directories keeps a few MB).
 */
const MAX_KNOWN_DIRS = 1 << 14;
const MAX_KNOWN_CHARS = 1 << 22;

/**
 * cleanPath for the names of one layer in their order, reusing the components of the previous
 * name's directory when the next name is in the same one (most entries of a layer are: tar
 * writes a directory's files in a run). Per entry that saves a string for every directory
 * component and an array grown push by push: on a million tiny files, 260 of the ~930 MB the
 * load allocated. Returns a new array each time (callers may change it). A name in a directory
 * met before in the layer, not the last one (a tar that goes back and forth between directories,
 * files written round-robin into many), takes the same short way through a map of those.
 */
export class PathCleaner {
  /** The last clean-as-written name's directory with its `/` (`a/b/`), and its components. */
  private dir = '';
  /**
   * The directory's components with one slot more at the end, for the name: copied whole
   * (`slice()`, one block copy, no growth) and the slot filled, per name.
   */
  private dirParts: string[] = [''];
  /** Names that took the short way (tests, diagnostics). */
  reused = 0;
  /**
   * Directories remembered as `dir` was, by the same string (a copy of its own: a cut would keep
   * the whole name alive), with their components and the slot for the name. Bounded
   * (MAX_KNOWN_DIRS, then begun again).
   */
  private readonly known = new Map<string, string[]>();
  private knownChars = 0;

  clean(name: string): string[] | null {
    let end = name.length;
    if (end > 1 && name.charCodeAt(end - 1) === 47) end--; // a directory's trailing `/`
    const dir = this.dir;
    const dirLen = dir.length;
    // The short way: `name` is `dir` and then one component with no `/` in it (its last `/` is
    // the directory's). Checked without lastIndexOf or startsWith: on a million names those two
    // were two thirds of this function (lastIndexOf is a call into the runtime, startsWith
    // compares a character at a time; `===` of a cut compares the memory at once).
    if (dirLen > 0 && end > dirLen && name.charCodeAt(dirLen - 1) === 47) {
      let i = end - 1;
      while (i >= dirLen && name.charCodeAt(i) !== 47) i--;
      if (i < dirLen && name.slice(0, dirLen) === dir) {
        const base = name.slice(dirLen, end);
        // (`a/b/.` and `a/b/..` go the long way: their base is no component of its own.)
        if (base !== '.' && base !== '..') {
          const out = this.dirParts.slice();
          out[out.length - 1] = base;
          this.reused++;
          return out;
        }
      }
    }
    const slash = name.lastIndexOf('/', end - 1);
    if (slash > 0 && this.known.size > 0) {
      // A directory met before: the same short way, its components from the map.
      const dir = name.slice(0, slash + 1);
      const dirParts = this.known.get(dir);
      const base = dirParts && name.slice(slash + 1, end);
      if (base && base !== '.' && base !== '..') {
        this.dir = dir;
        this.dirParts = dirParts;
        const out = dirParts.slice();
        out[out.length - 1] = base;
        this.reused++;
        return out;
      }
    }
    const parts = cleanPath(name);
    if (parts !== null && parts.length > 1 && slash > 0) {
      // Remembered only when the components are the name's own characters with one `/` between
      // each (nothing dropped: a `./`, `//`, leading `/` or `..` makes them shorter than the
      // name), so that any name starting with the same directory has these components first.
      let len = parts.length - 1;
      for (const p of parts) len += p.length;
      if (len === end) {
        this.dirParts = parts.slice();
        this.dirParts[parts.length - 1] = '';
        this.dir = ownCopy(name.slice(0, slash + 1));
        if (this.known.size >= MAX_KNOWN_DIRS || this.knownChars >= MAX_KNOWN_CHARS) {
          this.known.clear();
          this.knownChars = 0;
        }
        this.known.set(this.dir, this.dirParts);
        this.knownChars += slash + 1;
      }
    }
    return parts;
  }
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A name's bytes (given as latin1: one char per byte, nothing lost) as text: valid UTF-8 is
 * decoded; when it is not valid UTF-8, each byte above 0x7f is written `\xNN`. A backslash is
 * always written `\\`, so a name that really holds the four characters `\xff` stays apart from
 * one holding the byte 0xff. Every reader of tar names (layers, archives, the re-reader) uses
 * this, so a path from the tree finds its entry again.
 */
export function decodeName(latin1: string): string {
  let plain = true;
  for (let i = 0; i < latin1.length; i++) {
    const c = latin1.charCodeAt(i);
    if (c > 0x7f || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    let out = '';
    for (const b of bytes) {
      if (b > 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
      else if (b === 0x5c) out += '\\\\';
      else out += String.fromCharCode(b);
    }
    return out;
  }
  return text.indexOf('\\') < 0 ? text : text.replaceAll('\\', '\\\\');
}
