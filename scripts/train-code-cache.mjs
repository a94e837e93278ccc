// The build's run of the CLI that makes its V8 code cache (src/cli/code-cache.ts): the script
// compiled without a cache, one `scan --demo --format json` (the built-in demo image: no network,
// no Docker, nothing written), then the bytecode of every function that ran written to
// dist/cli/app.cjs.cache. Run by scripts/postbuild.mjs in a node of its own with no V8 flags of
// its own, as the installed command runs; V8's settings applied first, as the launcher applies
// them (the cache records the flags).
//
// `--check [DIR]`: print whether the cache as built (or as installed in DIR) is taken (the build
// warns if not; tests assert it).
import '../dist/cli/v8-tuning.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_FILE, cacheBytes, compileApp } from '../dist/cli/code-cache.js';
import { startupHeapGrowth } from '../dist/cli/v8-tuning.js';

const dir = fileURLToPath(new URL('../dist/cli/', import.meta.url));
const mainUrl = new URL('../dist/cli/main.cjs', import.meta.url).href;
const resolve = (specifier) => import.meta.resolve(specifier);

if (process.argv[2] === '--check') {
  const at = process.argv[3] ?? dir;
  console.log(JSON.stringify({ accepted: compileApp(at, true, mainUrl, resolve).cacheAccepted === true }));
} else {
  const app = compileApp(dir, false, mainUrl, resolve);
  process.argv = [process.argv[0], fileURLToPath(mainUrl), 'scan', '--demo', '--format', 'json'];
  process.on('exit', () => {
    // (As at start-up: the heap-growth flag changes when the heap grows large.)
    startupHeapGrowth();
    writeFileSync(join(dir, CACHE_FILE), cacheBytes(app));
  });
  app.run();
}
