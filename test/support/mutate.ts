/**
 * Mutations for the hostile-input suite, written here: structured ones (every field of a JSON
 * document replaced by a value of each other type, or removed) and random ones from a seeded
 * generator (bytes flipped, blocks zeroed or repeated, the file cut short), so a failure names a
 * case that can be run again.
 */

/** A small seeded generator (mulberry32): the same seed gives the same cases on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type JsonPath = Array<string | number>;

/** Every path into `doc` (objects' keys, arrays' first `maxItems` items), to `maxDepth` levels. */
export function jsonPaths(doc: unknown, maxDepth = 4, maxItems = 2): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (v: unknown, at: JsonPath) => {
    if (at.length >= maxDepth || typeof v !== 'object' || v === null) return;
    const entries: Array<[string | number, unknown]> = Array.isArray(v)
      ? v.slice(0, maxItems).map((x, i) => [i, x])
      : Object.entries(v);
    for (const [k, child] of entries) {
      out.push([...at, k]);
      walk(child, [...at, k]);
    }
  };
  walk(doc, []);
  return out;
}

/** The values every field is set to in turn (and removal): each JSON type, and a few edges. */
export const REPLACEMENTS: Array<{ label: string; value: unknown }> = [
  { label: 'null', value: null },
  { label: 'number', value: 7 },
  { label: 'negative', value: -1 },
  { label: 'string', value: 'x' },
  { label: 'list', value: [] },
  { label: 'object', value: {} },
];

export const REMOVE = Symbol('remove');

/** A deep copy of `doc` with the value at `path` replaced by `value` (or removed: REMOVE). */
export function setAt(doc: unknown, path: JsonPath, value: unknown): unknown {
  const copy = structuredClone(doc);
  if (path.length === 0) return value;
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === REMOVE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = value;
  return copy;
}

/** Whole-document replacements: not JSON, the wrong type, nested past any real document. */
export const WHOLE_DOCUMENT: Array<{ label: string; bytes: Buffer }> = [
  { label: 'empty', bytes: Buffer.alloc(0) },
  { label: 'not-json', bytes: Buffer.from('{"schemaVersion": 2, "mediaType": ') },
  { label: 'null', bytes: Buffer.from('null') },
  { label: 'number', bytes: Buffer.from('1e309') },
  { label: 'string', bytes: Buffer.from('"index"') },
  { label: 'list', bytes: Buffer.from('[]') },
  { label: 'deep', bytes: Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)) },
  { label: 'binary', bytes: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]) },
];

/** A byte-level mutation of a file, described for the failure message. */
export interface ByteMutation {
  label: string;
  apply(data: Buffer): Buffer;
}

/** `count` random byte-level mutations, half of them within `[focusFrom, end)` (where metadata lies). */
export function randomMutations(seed: number, count: number, size: number, focusFrom: number): ByteMutation[] {
  const r = rng(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(r() * Math.max(1, hi - lo));
  const out: ByteMutation[] = [];
  for (let i = 0; i < count; i++) {
    const lo = i % 2 ? focusFrom : 0;
    const at = pick(lo, size);
    switch (i % 6) {
      case 0: {
        const n = 1 + pick(0, 8);
        const spots = Array.from({ length: n }, () => [pick(lo, size), 1 + pick(0, 255)] as const);
        out.push({
          label: `flip ${n} bytes near ${at}`,
          apply: (d) => {
            const c = Buffer.from(d);
            for (const [o, x] of spots) c[o % c.length] ^= x;
            return c;
          },
        });
        break;
      }
      case 1:
        out.push({ label: `cut at ${at}`, apply: (d) => d.subarray(0, at) });
        break;
      case 2: {
        const block = at & ~511;
        out.push({
          label: `zero the block at ${block}`,
          apply: (d) => {
            const c = Buffer.from(d);
            c.fill(0, block, block + 512);
            return c;
          },
        });
        break;
      }
      case 3: {
        const block = at & ~511;
        out.push({
          label: `repeat the block at ${block}`,
          apply: (d) =>
            Buffer.concat([d.subarray(0, block + 512), d.subarray(block, block + 512), d.subarray(block + 512)]),
        });
        break;
      }
      case 4: {
        const garbage = Buffer.from(Array.from({ length: 1 + pick(0, 100) }, () => pick(0, 256)));
        out.push({
          label: `insert ${garbage.length} bytes at ${at}`,
          apply: (d) => Buffer.concat([d.subarray(0, at), garbage, d.subarray(at)]),
        });
        break;
      }
      default: {
        const value = pick(0, 256);
        out.push({
          label: `set byte ${at} to ${value}`,
          apply: (d) => {
            const c = Buffer.from(d);
            c[at % c.length] = value;
            return c;
          },
        });
      }
    }
  }
  return out;
}
