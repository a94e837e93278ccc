// After tsc: the CLI bundled, its V8 code cache made, and the command made executable (tsc keeps
// the shebang but not the mode).
//
// Why a bundle: the CLI loads ~240 modules, and Node's ESM loader resolves, stats, opens and
// compiles each one: ~140 ms of every command's start-up on the development machine (a `scan` of
// a 36 KB image took 0.46 s, 0.39 s bundled). npm packages stay outside (resolved from
// node_modules as before), and the rest of dist/ stays as tsc wrote it (the benchmarks and tools
// import it).
//
// The bundle is one CommonJS-shaped script, dist/cli/app.cjs, that the command
// (dist/cli/main.cjs, from src/cli/launch.ts; dist/cli/main.js runs it too) compiles with a V8
// code cache made here by running it once (scripts/train-code-cache.mjs; why:
// src/cli/code-cache.ts). Its `import.meta.url` and `import.meta.resolve` become parameters of
// the script's wrapper, and the build fails if the script still holds a dynamic import() (a
// script compiled by vm cannot run one without an experimental option).
//
// Worker threads are started by URL, `new URL('./x-thread.js', import.meta.url)`, from inside the
// bundle: every module so named is bundled beside it as a CommonJS script of its own
// (x-thread.cjs), the bundle's URLs are renamed to match, and the build fails if a URL in the
// bundle names a file that is not there. Why CommonJS: a thread whose module is an ES module
// boots through node's ESM loader, ~12–17 ms more before it is ready (51–54 ms against 29–37 ms
// here), and the first layer waits for the hashing thread to be ready (engine/stream-hash.ts);
// a small `scan` 0.95× (docs/performance.md, sixth session of 2026-12-07). Their shared code
// (a few KB) is bundled into each.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WRAPPER_HEAD, WRAPPER_TAIL } from '../dist/cli/code-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(dist, 'cli');
const main = join(out, 'main.js');
const launcher = join(out, 'main.cjs');

// Worker modules: every file a module of dist/ starts by URL (the bundle's own outputs aside).
// (`import.meta.url` in tsc's modules; in the bundles, where the build renames it: `__layerlensUrl` in
// the CLI's script, `__launcherUrl` in the launcher, `__threadUrl` in a thread's script.)
const WORKER_URL =
  /new URL\(\s*["'](\.\/[^"']+)["']\s*,\s*(?:import\.meta\.url|__layerlensUrl|__launcherUrl|__threadUrl)\s*\)/g;
const threads = new Set();
for (const e of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  const dir = e.parentPath ?? e.path;
  if (!e.isFile() || !e.name.endsWith('.js') || dir === out) continue;
  for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(WORKER_URL)) {
    // (A comment may show the pattern with a made-up name: only files that exist are workers.)
    if (existsSync(join(dir, m[1]))) threads.add(join(dir, m[1]));
  }
}
const names = new Set([...threads].map((p) => basename(p)));
if (names.size !== threads.size) throw new Error('postbuild: two worker modules share a name');

// Outputs of an earlier build (the cache is made again; chunks and .js threads are older builds' outputs).
for (const f of readdirSync(out))
  if (/^(chunk-.*|.*-thread)\.js$/.test(f) || /-thread\.cjs$/.test(f) || f === 'app.cjs.cache') rmSync(join(out, f));

// The workers: one CommonJS script each. (`import.meta` as a CommonJS module has it: a thread's
// own code does not use it, the engine's worker starter it bundles does, for the test runner.)
for (const p of threads) {
  await build({
    entryPoints: [p],
    outfile: join(out, basename(p, '.js') + '.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { 'import.meta.url': '__threadUrl', 'import.meta.resolve': '__threadResolve' },
    banner: {
      js:
        '"use strict";\n' +
        'const __threadUrl = require("node:url").pathToFileURL(__filename).href;\n' +
        'const __threadResolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;',
    },
    logLevel: 'warning',
  });
}

// The CLI (tsc's main.js) as one script for the launcher to compile (src/cli/code-cache.ts).
// Without comments and indentation, its syntax shortened (1.28 → 0.89 MB): every command reads the
// script and makes a string of it before V8 takes the code cache, ~3 ms per MB of fresh memory
// here; a small `scan` 0.96×. Names are kept (profiles and stack traces read as the sources;
// renaming them too saved nothing more: 0.99×).
await build({
  entryPoints: [main],
  outfile: join(out, 'app.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': '__layerlensUrl', 'import.meta.resolve': '__layerlensResolve' },
  charset: 'ascii',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// The script is the bundle inside its wrapper (a shebang would not parse there), its worker URLs
// naming the threads' CommonJS scripts.
const app = join(out, 'app.cjs');
const toScripts = (text) =>
  text.replace(WORKER_URL, (url, file) =>
    names.has(basename(file)) ? url.replace(file, file.replace(/\.js$/, '.cjs')) : url,
  );
const appText = WRAPPER_HEAD + toScripts(readFileSync(app, 'utf8').replace(/^#!.*\n/, '')) + WRAPPER_TAIL;
writeFileSync(app, appText);
// A dynamic import() in the script (the tsx boot of a worker run from sources builds one in a string: `import(${`).
const dynamicImport = /(?<![\w$.])import\((?!\$\{)/.exec(appText);
if (dynamicImport)
  throw new Error(`postbuild: app.cjs holds a dynamic import() (at ${dynamicImport.index}): a vm script cannot run it`);

// The command (the package's bin): the launcher (tsc's launch.js) bundled as CommonJS, main.cjs.
// Why not an ES module: node starts an ES module entry through its ESM loader, which a CommonJS
// entry does without (~6 ms of every command here: `--version` 0.960×, a small `scan` 0.966×).
// Its `import.meta` becomes what a CommonJS module has.
await build({
  entryPoints: [join(out, 'launch.js')],
  outfile: launcher,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': '__launcherUrl', 'import.meta.resolve': '__launcherResolve' },
  banner: {
    js:
      '"use strict";\n' +
      'const __launcherUrl = require("node:url").pathToFileURL(__filename).href;\n' +
      'const __launcherResolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;',
  },
  logLevel: 'warning',
});
// (The launcher starts the worker threads itself: its URLs name the threads' scripts too.)
writeFileSync(launcher, toScripts(readFileSync(launcher, 'utf8')));
// main.js, over tsc's main.js: the same command for `node dist/cli/main.js` (an ES module, as every
// .js file of the package is).
writeFileSync(
  main,
  "#!/usr/bin/env node\n// The command is main.cjs (scripts/postbuild.mjs: why).\nimport './main.cjs';\n",
);

// Every worker URL in the bundle must name a file beside it.
for (const f of readdirSync(out)) {
  if (!/^(app\.cjs|main\.cjs|.*-thread\.cjs)$/.test(f)) continue;
  const text = readFileSync(join(out, f), 'utf8');
  for (const m of text.matchAll(WORKER_URL)) {
    if (!existsSync(join(out, m[1])))
      throw new Error(`postbuild: ${relative(root, join(out, f))} starts ${m[1]}, which is not in the bundle`);
  }
}

chmodSync(main, 0o755);
chmodSync(launcher, 0o755);

// The code cache: one run of the CLI on the demo image, in a node with no V8 flags of its own.
const env = { ...process.env };
delete env.NODE_OPTIONS;
const train = spawnSync(process.execPath, [join(root, 'scripts', 'train-code-cache.mjs')], {
  env,
  stdio: ['ignore', 'ignore', 'pipe'],
  encoding: 'utf8',
});
if (train.status !== 0 || !existsSync(join(out, 'app.cjs.cache')))
  throw new Error(
    `postbuild: the code cache's run failed (status ${train.status}): ${train.stderr.trim().split('\n').pop()}`,
  );
const check = spawnSync(process.execPath, [join(root, 'scripts', 'train-code-cache.mjs'), '--check'], {
  env,
  encoding: 'utf8',
});
if (!check.stdout.includes('"accepted":true'))
  console.warn(
    'postbuild: warning: V8 does not take the code cache it made here; the command compiles from its source',
  );
