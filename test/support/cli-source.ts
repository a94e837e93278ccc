/**
 * The CLI run from its sources in a child process, in any working directory: tsx's loader is
 * named by its absolute path (`--import tsx` resolves from the child's working directory, and the
 * tests that read a directory's own files run the CLI in a temporary one).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** node's arguments before the CLI's own. */
export const CLI_FROM_SOURCE: readonly string[] = [
  '--import',
  join(root, 'node_modules/tsx/dist/esm/index.mjs'),
  join(root, 'src/cli/main.ts'),
];

/** `layerlens scan --demo ARGS` in `cwd`, without colour; a child that hangs is ended after 2 minutes. */
export function scanDemoIn(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...CLI_FROM_SOURCE, 'scan', '--demo', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
}
