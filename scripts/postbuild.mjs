// After tsc: the CLI entry bundled, and the entry made executable (tsc keeps the shebang but not
// the mode).
//
// Why a bundle: the CLI loads ~240 modules, and Node's ESM loader resolves, stats, opens and
// compiles each one: ~140 ms of every command's start-up on the development machine (a `scan` of
// a 36 KB image took 0.46 s, 0.39 s bundled). dist/cli/main.js becomes one module plus the chunks
// its lazily imported commands share; npm packages stay outside (resolved from node_modules as
// before), and the rest of dist/ stays as tsc wrote it (the benchmarks and tools import it).
//
// Worker threads are started by URL, `new URL('./x-thread.js', import.meta.url)`, from inside the
// bundle: every module so named is bundled beside it under its own name, and the build fails if
// a URL in the bundle names a file that is not there.
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(dist, 'cli');
const main = join(out, 'main.js');

// Worker modules: every file a module of dist/ starts by URL (the bundle's own outputs aside).
const WORKER_URL = /new URL\(\s*["'](\.\/[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g;
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

// Chunks of an earlier build (their names are hashes of their contents).
for (const f of readdirSync(out)) if (/^chunk-.*\.js$/.test(f)) rmSync(join(out, f));

const entryPoints = { main, ...Object.fromEntries([...threads].map((p) => [basename(p, '.js'), p])) };
await build({
  entryPoints,
  outdir: out,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});

// Every worker URL in the bundle must name a file beside it.
for (const f of readdirSync(out)) {
  if (!/^(main|chunk-.*|.*-thread)\.js$/.test(f)) continue;
  const text = readFileSync(join(out, f), 'utf8');
  for (const m of text.matchAll(WORKER_URL)) {
    if (!existsSync(join(out, m[1])))
      throw new Error(`postbuild: ${relative(root, join(out, f))} starts ${m[1]}, which is not in the bundle`);
  }
}

chmodSync(main, 0o755);
