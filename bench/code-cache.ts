/**
 * What the built command's V8 code cache (src/cli/code-cache.ts) saves: each command run as a
 * fresh process of the built CLI with its cache and with LAYERLENS_NO_CODE_CACHE=1, taking turns
 * (the one that goes first alternates), output to /dev/null. Printed per command: median wall
 * time, CPU time and peak RSS of each side, and the median of the per-pair ratios.
 *
 *   npm run build && node --import tsx bench/code-cache.ts [--pairs 12] [ARCHIVE…]
 *
 * Commands: `--version`, `scan --demo`, and `scan` of each ARCHIVE given (the realistic Debian
 * image's `docker save` file, for one). Not a target of an issue: the figures go in
 * docs/performance.md beside the change.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, type Run, timedProcess } from './fresh-process.js';

const { values, positionals } = parseArgs({
  options: { pairs: { type: 'string', default: '12' } },
  allowPositionals: true,
});
const pairs = Number(values.pairs);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.cjs');
if (!existsSync(join(root, 'dist/cli/app.cjs.cache'))) {
  console.error('bench/code-cache: no dist/cli/app.cjs.cache (npm run build first)');
  process.exit(2);
}

/** One fresh process of the built CLI. */
const timed = (args: string[], env: NodeJS.ProcessEnv): Run => timedProcess([process.execPath, cli, ...args], env);

const commands: [string, string[]][] = [
  ['--version', ['--version']],
  ['scan --demo', ['scan', '--demo', '--format', 'json']],
  ...positionals.map((f): [string, string[]] => [`scan ${f}`, ['scan', f, '--format', 'json']]),
];
const cached = {};
const uncached = { LAYERLENS_NO_CODE_CACHE: '1' };

console.log(`${pairs} pairs per command, each side a fresh process; medians (ratio: median of the pairs' ratios)`);
for (const [name, args] of commands) {
  timed(args, cached); // (a first run to warm the page cache)
  const a: Run[] = [];
  const b: Run[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2) {
      a.push(timed(args, cached));
      b.push(timed(args, uncached));
    } else {
      b.push(timed(args, uncached));
      a.push(timed(args, cached));
    }
  }
  const ratio = (k: 'wallMs' | 'cpuMs') => median(a.map((r, i) => r[k] / b[i][k]));
  const side = (rs: Run[]) =>
    `${median(rs.map((r) => r.wallMs)).toFixed(0)} ms wall, ${median(rs.map((r) => r.cpuMs)).toFixed(0)} ms CPU, ` +
    `peak ${median(rs.map((r) => r.peakMB)).toFixed(1)} MB`;
  console.log(`${name}`);
  console.log(`  with the cache     ${side(a)}`);
  console.log(`  without (source)   ${side(b)}`);
  console.log(`  ratio              ${ratio('wallMs').toFixed(3)}× wall, ${ratio('cpuMs').toFixed(3)}× CPU`);
}
