/**
 * The layerlens CLI as a child process, measured: exit status, stdout, stderr, wall time and the
 * child's own peak RSS (it reports it at exit: report-rss.mjs). The built CLI (dist/) is used
 * when it is newer than every source file, as in CI (scripts/test-all.sh builds first): it starts
 * in ~0.2 s and its RSS is the product's own; otherwise src/ runs under tsx, which costs ~1 s and
 * ~30 MB more (RUNNER_OVERHEAD_MB says how much to allow).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return newest;
}

const built = path.join(ROOT, 'dist/cli/main.cjs');
/** The built CLI, or undefined when it is missing or older than the sources. */
const useDist = existsSync(built) && statSync(built).mtimeMs >= newestSource(path.join(ROOT, 'src'));

/** The command that runs the CLI, before its arguments. */
export const CLI: string[] = useDist ? [built] : ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts')];

/** RSS the runner adds over the product's own: none for dist/, tsx's for src/. */
export const RUNNER_OVERHEAD_MB = useDist ? 0 : 40;

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
  /** Peak RSS of the child in MiB (undefined when it was killed before it could say). */
  rssMb?: number;
  killed: boolean;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Bytes for stdin (else stdin is empty). */
  stdin?: Buffer | string;
  /** Kill the child after this long (it is then `killed`). Default 60 s. */
  killAfterMs?: number;
  /** Node flags before the CLI (e.g. --max-old-space-size=200). */
  nodeFlags?: string[];
  /** Close the read end of stdout at once: the child's writes fail with EPIPE. */
  closeStdout?: boolean;
  cwd?: string;
}

/** Run `layerlens ARGS` in a child process with a private HOME and no Docker daemon. */
export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlens-hostile-'));
  const rssFile = path.join(tmp, 'rss');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmp,
    DOCKER_CONFIG: path.join(tmp, 'docker'),
    XDG_RUNTIME_DIR: path.join(tmp, 'run'),
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    DOCKER_HOST: `unix://${path.join(tmp, 'no-docker.sock')}`,
    NO_COLOR: '1',
    LAYERLENS_TEST_RSS_FILE: rssFile,
    ...o.env,
  };
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...(o.nodeFlags ?? []), '--import', path.join(ROOT, 'test/support/report-rss.mjs'), ...CLI, ...args],
    { cwd: o.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const out: Buffer[] = [];
  let stderr = '';
  if (o.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => {}); // a child that exits before reading all of stdin
  child.stdin.end(o.stdin ?? '');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, o.killAfterMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let rssMb: number | undefined;
      try {
        rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        rssMb = undefined;
      }
      rmSync(tmp, { recursive: true, force: true });
      resolve({ status, signal, stdout: Buffer.concat(out), stderr, ms: performance.now() - t0, rssMb, killed });
    });
  });
}

/** JavaScript's own error texts: a message holding one is an internal error shown as a message. */
export const RAW_JS_ERROR =
  /Cannot read propert|is not a function|is not iterable|undefined|Unexpected token|Maximum call stack|out of memory|Invalid array length|RangeError|TypeError|ReferenceError|SyntaxError|ERR_[A-Z_]+|\n\s+at /;

/**
 * The CLI's contract for bad input: exit 2, one line on stderr starting `layerlens: `, nothing
 * of JavaScript's own in it; returns the line.
 */
export function assertOneLineError(r: CliResult, what: string): string {
  const lines = r.stderr.trimEnd().split('\n');
  if (r.status !== 2 || lines.length !== 1 || !lines[0].startsWith('layerlens: ') || RAW_JS_ERROR.test(r.stderr))
    throw new Error(`${what}: expected exit 2 with one plain line, got status ${r.status} (${r.signal}):\n${r.stderr}`);
  return lines[0];
}
