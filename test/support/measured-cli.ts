/**
 * Run the layerlens CLI (from src/, under tsx) as a child process and measure it: exit code,
 * stdout, stderr, wall time, and the child's own peak RSS (reported by the child at exit:
 * report-rss.mjs). A child that outlives `killAfterMs` is killed and reported as such.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak RSS of the child in MiB (undefined when it was killed). */
  rssMb?: number;
  killed: boolean;
}

export function runMeasured(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; killAfterMs?: number } = {},
): Promise<Measured> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlens-cli-'));
  const rssFile = path.join(tmp, 'rss');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmp,
    DOCKER_CONFIG: path.join(tmp, 'docker'),
    XDG_RUNTIME_DIR: path.join(tmp, 'run'),
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    // No daemon: a name is read from the registry.
    DOCKER_HOST: `unix://${path.join(tmp, 'no-docker.sock')}`,
    NO_COLOR: '1',
    LAYERLENS_TEST_RSS_FILE: rssFile,
    ...o.env,
  };
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      path.join(root, 'test/support/report-rss.mjs'),
      path.join(root, 'src/cli/main.ts'),
      ...args,
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, o.killAfterMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let rssMb: number | undefined;
      try {
        rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        rssMb = undefined;
      }
      rmSync(tmp, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, rssMb, killed });
    });
  });
}
