/**
 * The image config's shape, checked once where it enters the engine (ImageModel, for every
 * source) and by the sources that read it from an archive or layout. What the checks, reports and
 * views read must be what the OCI image spec says it is: `Env` a list of strings, `Labels` a map
 * of strings, each history entry an object … A hostile or broken config is one plain line saying
 * what is wrong and where ("image config sha256:…: config.Env[2] is a number, not a string"),
 * never a JavaScript error from deep inside a check.
 */
import { type ErrorCode, LayerlensError } from '../errors/index.js';
import { MAX_JSON_DEPTH } from './limits.js';
import type { ImageConfig } from './types.js';

/** What a value is, for messages. */
function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Field checks for a JSON document, each failure one line: "WHAT: FIELD is a number, not a
 * string". Also used for the other documents a source reads (a daemon's image description).
 */
export class Shape {
  constructor(
    private readonly what: string,
    private readonly code: ErrorCode = 'BAD_CONFIG',
  ) {}

  fail(field: string, v: unknown, want: string): never {
    throw new LayerlensError(`${this.what}: ${field} is ${kindOf(v)}, not ${want}`, this.code);
  }

  number(o: Record<string, unknown>, key: string, field: string): void {
    const v = o[key];
    if (v !== undefined && v !== null && typeof v !== 'number') this.fail(field, v, 'a number');
  }

  string(o: Record<string, unknown>, key: string, field: string): void {
    const v = o[key];
    if (v !== undefined && v !== null && typeof v !== 'string') this.fail(field, v, 'a string');
  }

  strings(o: Record<string, unknown>, key: string, field: string): void {
    const v = o[key];
    if (v === undefined || v === null) return;
    if (!Array.isArray(v)) this.fail(field, v, 'a list of strings');
    v.forEach((item, i) => {
      if (typeof item !== 'string') this.fail(`${field}[${i}]`, item, 'a string');
    });
  }

  object(o: Record<string, unknown>, key: string, field: string): Record<string, unknown> | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!isPlainObject(v)) this.fail(field, v, 'an object');
    return v;
  }

  stringMap(o: Record<string, unknown>, key: string, field: string): void {
    const m = this.object(o, key, field);
    if (!m) return;
    // (Key by key: Object.entries of a map of a million labels is a million pairs at once.)
    for (const k of Object.keys(m)) {
      const v = m[k];
      if (typeof v !== 'string') this.fail(`${field}[${JSON.stringify(k)}]`, v, 'a string');
    }
  }

  objectMap(o: Record<string, unknown>, key: string, field: string): void {
    const m = this.object(o, key, field);
    if (!m) return;
    for (const k of Object.keys(m)) {
      const v = m[k];
      if (v !== null && !isPlainObject(v)) this.fail(`${field}[${JSON.stringify(k)}]`, v, 'an object');
    }
  }
}

/**
 * Throws BAD_CONFIG unless `config` has the shape of an OCI image config in every field layerlens
 * reads, and BAD_SCHEMA when it nests deeper than any real config (MAX_JSON_DEPTH). `what` names
 * it in messages ("image config sha256:abc… in app.tar").
 */
export function checkImageConfig(config: unknown, what: string): asserts config is ImageConfig {
  const s: Shape = new Shape(what);
  if (!isPlainObject(config)) s.fail('the config', config, 'an object');
  checkDepth(config, what);
  for (const key of ['architecture', 'os', 'variant', 'created', 'author']) s.string(config, key, key);
  const c = s.object(config, 'config', 'config');
  if (c) {
    for (const key of ['User', 'WorkingDir', 'StopSignal']) s.string(c, key, `config.${key}`);
    for (const key of ['Env', 'Entrypoint', 'Cmd', 'Shell', 'OnBuild']) s.strings(c, key, `config.${key}`);
    s.stringMap(c, 'Labels', 'config.Labels');
    s.objectMap(c, 'ExposedPorts', 'config.ExposedPorts');
    s.objectMap(c, 'Volumes', 'config.Volumes');
    s.object(c, 'Healthcheck', 'config.Healthcheck');
  }
  const rootfs = s.object(config, 'rootfs', 'rootfs');
  if (rootfs) {
    s.string(rootfs, 'type', 'rootfs.type');
    s.strings(rootfs, 'diff_ids', 'rootfs.diff_ids');
  }
  const history = config.history;
  if (history !== undefined && history !== null) {
    if (!Array.isArray(history)) s.fail('history', history, 'a list');
    history.forEach((h, i) => {
      if (!isPlainObject(h)) s.fail(`history[${i}]`, h, 'an object');
      for (const key of ['created', 'created_by', 'comment', 'author']) s.string(h, key, `history[${i}].${key}`);
      const empty = h.empty_layer;
      if (empty !== undefined && empty !== null && typeof empty !== 'boolean')
        s.fail(`history[${i}].empty_layer`, empty, 'true or false');
    });
  }
}

/**
 * Throws BAD_SCHEMA when a parsed JSON document nests deeper than MAX_JSON_DEPTH (JSON.parse takes
 * any depth, but writing it out again, as inspect --json does, recurses). Iterative: the check
 * itself must not recurse.
 */
export function checkDepth(doc: unknown, what: string): void {
  const stack: Array<[unknown, number]> = [[doc, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH)
      throw new LayerlensError(`${what} nests more than ${MAX_JSON_DEPTH} levels deep`, 'BAD_SCHEMA');
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}
