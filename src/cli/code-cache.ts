/**
 * The built CLI compiled from a V8 code cache made when it was built.
 *
 * Why: a fresh `scan` of the realistic Debian image spent ~120 ms of its main thread's ~650 ms
 * parsing and compiling layerlens's own JavaScript (`perf`: the bundle's top level, then each
 * function the first time it runs), on the thread every short command waits for. Node 20 has no
 * compile cache for ES modules, and a startup snapshot needs a command-line flag; a script
 * compiled through `vm.Script` takes V8's code cache with none. So the build
 * (scripts/postbuild.mjs) writes the CLI as one CommonJS-shaped script (APP_FILE), runs it once
 * on the built-in demo image (scripts/train-code-cache.mjs) and keeps the bytecode of every
 * function that ran (CACHE_FILE); the installed command (launch.ts) compiles the script with it.
 *
 * Used only where it fits, else the script compiles from its source as it would without one:
 * - the cache begins with the sha256 of the source it was made from and of its own data, and is
 *   used only with that source and whole (V8's own check compares the source's length, not its
 *   bytes, and reads no checksum of the data);
 * - V8 rejects a cache made by another V8 version or under other V8 flags (another Node, V8
 *   flags in NODE_OPTIONS); the flags layerlens sets itself are set before the script compiles,
 *   in both the build's run and every later one (v8-tuning.ts).
 * Nothing is written at run time: the cache is part of the build.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/** The CLI as one script, beside the launcher (dist/cli/). */
export const APP_FILE = 'app.cjs';
/**
 * Its code cache: the sha256 of the script's source, the sha256 of V8's data, then the data (V8
 * checks neither the source's bytes nor its data's: a damaged cache would run as it reads).
 */
export const CACHE_FILE = 'app.cjs.cache';

const DIGEST_BYTES = 32;
const HEADER_BYTES = 2 * DIGEST_BYTES;

/**
 * The script is the bundle inside a function that is given what a module has (the build writes
 * the head and the tail around it, scripts/postbuild.mjs): `import.meta.url` and
 * `import.meta.resolve` are renamed to the last two by the build (esbuild's `define`). The file
 * is the script as it is compiled: one string, no copy.
 */
export const WRAPPER_HEAD =
  '(function (exports, require, module, __filename, __dirname, __layerlensUrl, __layerlensResolve) {';
export const WRAPPER_TAIL = '\n})';

export interface CompiledApp {
  script: vm.Script;
  /** The script's sha256 (the cache is kept with it). */
  digest: Buffer;
  /** Whether V8 took the cache; undefined when there was none to give it (none, another source's, damaged). */
  cacheAccepted: boolean | undefined;
  /** Run the CLI (it reads its arguments from process.argv). */
  run(): void;
}

/**
 * The CLI's script in `dir`, compiled with its code cache when `useCache` and one made from this
 * source is there. `mainUrl` is what the script sees as `import.meta.url` (the launcher's URL:
 * worker modules and package.json are found beside and above it); `resolve` its
 * `import.meta.resolve`.
 */
export function compileApp(
  dir: string,
  useCache: boolean,
  mainUrl: string,
  resolve: (specifier: string) => string,
): CompiledApp {
  const file = join(dir, APP_FILE);
  const bytes = readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest();
  // (esbuild writes ASCII only: the string is one byte a character, as the file.)
  const source = bytes.toString('latin1');
  const cachedData = useCache ? cacheFor(join(dir, CACHE_FILE), digest) : undefined;
  const script = new vm.Script(source, { filename: file, cachedData });
  return {
    script,
    digest,
    cacheAccepted: cachedData ? !script.cachedDataRejected : undefined,
    run() {
      const module = { exports: {} };
      const main = script.runInThisContext() as (...args: unknown[]) => void;
      main(module.exports, createRequire(file), module, file, dirname(file), mainUrl, resolve);
    },
  };
}

/** V8's data from the cache file, if it was made from the source with this digest and is whole. */
function cacheFor(path: string, digest: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined; // (none built: compiled from the source)
  }
  if (bytes.length <= HEADER_BYTES || !bytes.subarray(0, DIGEST_BYTES).equals(digest)) return undefined;
  const data = bytes.subarray(HEADER_BYTES);
  const whole = createHash('sha256').update(data).digest().equals(bytes.subarray(DIGEST_BYTES, HEADER_BYTES));
  return whole ? data : undefined;
}

/** The cache file's bytes for `app` as it stands now: every function that has run is in it. */
export function cacheBytes(app: CompiledApp): Buffer {
  const data = app.script.createCachedData();
  return Buffer.concat([app.digest, createHash('sha256').update(data).digest(), data]);
}
