/**
 * Image metadata (configs, manifests, indexes, `docker save`'s manifest.json) read as the
 * runtimes read it. Docker, containerd, Podman and the registries decode these documents with
 * Go's encoding/json into structs, which differs from JSON.parse in what a crafted document can
 * use to show one thing to a scanner and run another:
 *
 * - a key names a struct field whatever its case (`"user"`, `"USER"`, even `"Uſer"` with a long
 *   s: Unicode simple folding), an exact spelling preferred; `{"User":"app","user":""}` runs as
 *   root, while a reader of the spec's spelling sees "app";
 * - every member counts, in document order, the last one winning; a repeated object member is
 *   decoded into what the earlier one left (a map gains keys; a struct keeps the fields the later
 *   one does not set), and so is each element of a repeated list of structs;
 * - `null` sets a list, a map or a pointer to nothing, and leaves a string or a number as it was.
 *
 * The document is parsed here keeping every member in order (JSON.parse keeps the last of a
 * repeated key, at the first one's place), then decoded by a table of the fields the runtimes'
 * structs have (go-schemas.ts), as moby's structs say where Docker and containerd differ. Keys
 * the table does not know are kept as JSON.parse would keep them. Where the document reads
 * differently so (a key spelled otherwise than its field, a field given twice), `variantsOf`
 * says which: the checks report it, since no build tool writes either.
 */
import { LayerlensError } from '../errors/index.js';
import { MAX_JSON_DEPTH } from './limits.js';
import type { DocumentVariant, KeyVariant } from './types.js';

/** How a struct field decodes. */
export type GoType =
  /** A string, number or bool (also anything the checks then refuse): `null` leaves it. */
  | { kind: 'scalar' }
  /** A list: `null` clears it; its elements are decoded into the ones an earlier value left. */
  | { kind: 'slice'; elem?: GoStruct }
  /** moby's StrSlice (Cmd, Entrypoint, Shell): a list, or one string taken as a list of one. */
  | { kind: 'strslice' }
  /** A map: `null` clears it; members are added to the map an earlier value left. */
  | { kind: 'map' }
  | GoStruct;

export interface GoStruct {
  kind: 'struct';
  fields: Record<string, GoType>;
  /** A pointer field: `null` clears it (a struct value stays as it was). */
  pointer?: boolean;
  /** (Filled on first use: folded name → field.) */
  folded?: Map<string, string>;
}

/** An object as written: every member, in order, repeats included. */
class Members {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
}

const variants = new WeakMap<object, KeyVariant[]>();

/** The variants found when `doc` was decoded (none for a document read plainly). */
export function variantsOf(doc: unknown): KeyVariant[] {
  return (typeof doc === 'object' && doc !== null && variants.get(doc)) || [];
}

/** `from`'s variants, kept for `to` too (a document checked into a new object). */
export function carryVariants(from: unknown, to: object): void {
  const v = variantsOf(from);
  if (v.length) variants.set(to, v);
}

/** The variants of an image's documents, each labelled with its document, for ImageMeta.keyVariants. */
export function documentVariants(docs: Array<[document: string, doc: unknown]>): DocumentVariant[] {
  return docs.flatMap(([document, doc]) => variantsOf(doc).map((v) => ({ document, ...v })));
}

/**
 * Parse `text` and decode it as Go decodes it into `type`. Throws BAD_SCHEMA (one line, no
 * byte of the document quoted) when it is not JSON or nests deeper than MAX_JSON_DEPTH.
 */
export function decodeAsGo(text: string, type: GoType, what: string): unknown {
  const doc = parseOrdered(text, what);
  const found = new Found();
  // (A document that is null is null: there is no earlier value for it to leave.)
  const out = doc === null ? null : decode(type, doc, undefined, '', found);
  const value = out === CLEAR ? null : out;
  if (found.list.length && typeof value === 'object' && value !== null) variants.set(value, found.list);
  return value;
}

/** The variants of one document: the first MAX_VARIANTS (a crafted one may hold millions). */
class Found {
  readonly list: KeyVariant[] = [];
  private readonly repeated = new Set<string>();

  add(v: KeyVariant): void {
    if (v.how === 'repeated') {
      if (this.repeated.has(v.field)) return;
      this.repeated.add(v.field);
    }
    if (this.list.length < MAX_VARIANTS) this.list.push(v);
  }
}

const MAX_VARIANTS = 50;

const CLEAR = Symbol('clear');
/** Lists as decoded, to the elements Go's backing array still holds (see decode's 'slice'). */
const backing = new WeakMap<unknown[], unknown[]>();

function decode(t: GoType, v: unknown, prev: unknown, path: string, found: Found): unknown {
  if (v === null) return t.kind === 'scalar' || (t.kind === 'struct' && !t.pointer) ? prev : CLEAR;
  switch (t.kind) {
    case 'scalar':
      return plain(v);
    case 'strslice':
      return typeof v === 'string' ? [v] : plain(v);
    case 'map': {
      if (!(v instanceof Members)) return plain(v);
      const base = isObject(prev) ? prev : {};
      for (let i = 0; i < v.keys.length; i++) setOwn(base, v.keys[i], plain(v.values[i]));
      return base;
    }
    case 'struct':
      return v instanceof Members ? decodeStruct(t, v, isObject(prev) ? prev : undefined, path, found) : plain(v);
    case 'slice': {
      if (!Array.isArray(v)) return plain(v);
      // Go decodes element i into the i-th element of the slice's backing array when it has
      // one (it keeps what an earlier, longer value put there): a struct keeps the fields the
      // new element leaves out, and a `null` element keeps the old one whole.
      const old = Array.isArray(prev) ? (backing.get(prev) ?? prev) : [];
      const held = old.slice();
      for (let i = 0; i < v.length; i++) {
        const el = v[i];
        const before = held[i];
        if (el === null) held[i] = before ?? (t.elem ? {} : '');
        else if (t.elem && el instanceof Members)
          held[i] = decodeStruct(t.elem, el, isObject(before) ? before : undefined, `${path}[${i}]`, found);
        else held[i] = plain(el);
      }
      const out = held.slice(0, v.length);
      backing.set(out, held);
      return out;
    }
  }
}

function decodeStruct(
  t: GoStruct,
  m: Members,
  into: Record<string, unknown> | undefined,
  path: string,
  found: Found,
): Record<string, unknown> {
  const out = into ?? {};
  const folded = (t.folded ??= new Map(Object.keys(t.fields).map((f) => [fold(f), f])));
  const seen = new Set<string>();
  const at = path ? `${path}.` : '';
  for (let i = 0; i < m.keys.length; i++) {
    const key = m.keys[i];
    const field = Object.hasOwn(t.fields, key) ? key : folded.get(fold(key));
    if (field === undefined) {
      setOwn(out, key, plain(m.values[i]));
      continue;
    }
    if (field !== key) found.add({ written: at + key, field: at + field, how: 'case' });
    if (seen.has(field)) found.add({ written: at + key, field: at + field, how: 'repeated' });
    else seen.add(field);
    const prev = Object.hasOwn(out, field) ? out[field] : undefined;
    const next = decode(t.fields[field], m.values[i], prev, at + field, found);
    if (next === CLEAR) delete out[field];
    else if (next !== undefined) setOwn(out, field, next);
  }
  return out;
}

/**
 * Go's folding of a key to match a field: ASCII case, plus the two other letters that fold to
 * ASCII ones (U+017F long s, U+212A Kelvin sign). The fields are ASCII, so nothing else matches.
 */
function fold(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    // (Not toUpperCase: it maps letters Go does not fold, like the dotless ı to I, and ß to SS.)
    if (c >= 0x61 && c <= 0x7a) out += String.fromCharCode(c - 0x20);
    else if (c === 0x17f) out += 'S';
    else if (c === 0x212a) out += 'K';
    else out += key[i];
  }
  return out;
}

/** A parsed value as JSON.parse gives it (a repeated key: the last value). */
function plain(v: unknown): unknown {
  if (v instanceof Members) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < v.keys.length; i++) setOwn(o, v.keys[i], plain(v.values[i]));
    return o;
  }
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** An own property, whatever its name (`__proto__` is a key like any other in a document). */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** JSON text to values, objects as Members. RFC 8259 as JSON.parse takes it. */
function parseOrdered(text: string, what: string): unknown {
  let i = 0;
  const n = text.length;
  const bad = (why?: string): never => {
    throw new LayerlensError(
      `${what} is not valid JSON (${why ?? (i >= n ? 'it ends early' : `error at byte ${i}`)})`,
      'BAD_SCHEMA',
    );
  };
  const space = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };
  const string = (): string => {
    const start = i++;
    let escaped = false;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) bad();
      if (c === 0x5c) {
        escaped = true;
        i++;
      }
    }
    if (i >= n) bad();
    i++;
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return bad(`a bad escape in the string at byte ${start}`);
    }
  };
  /** After a member or an element: true at the closing `close`, false past a comma. */
  const closes = (close: number): boolean => {
    space();
    const d = text.charCodeAt(i);
    if (d !== close && d !== 0x2c) bad();
    i++;
    return d === close;
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_JSON_DEPTH)
      throw new LayerlensError(`${what} nests more than ${MAX_JSON_DEPTH} levels deep`, 'BAD_SCHEMA');
    space();
    const c = text.charCodeAt(i);
    if (c === 0x22) return string();
    if (c === 0x7b) {
      i++;
      const m = new Members();
      space();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        return m;
      }
      for (;;) {
        space();
        if (text.charCodeAt(i) !== 0x22) bad();
        m.keys.push(string());
        space();
        if (text.charCodeAt(i) !== 0x3a) bad();
        i++;
        m.values.push(value(depth + 1));
        if (closes(0x7d)) return m;
      }
    }
    if (c === 0x5b) {
      i++;
      const a: unknown[] = [];
      space();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(depth + 1));
        if (closes(0x5d)) return a;
      }
    }
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (!num) return bad();
    i += num[0].length;
    return Number(num[0]);
  };
  // (A byte-order mark is not JSON: JSON.parse refuses it too.)
  const v = value(0);
  space();
  if (i < n) bad();
  return v;
}
