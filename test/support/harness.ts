/**
 * Helpers for integration tests that talk to REAL services started by
 * scripts/test-all.sh (or `scripts/services.sh start`):
 *
 *   LAYERLENS_IT_DOCKER_HOST  unix:///tmp/layerlens-it.XXXX/docker.sock  (throwaway dockerd, vfs)
 *   LAYERLENS_IT_REGISTRY     127.0.0.1:PORT                            (plain-HTTP distribution registry)
 *   LAYERLENS_IT_WORKDIR      /tmp/layerlens-it.XXXX                    (scratch space, removed afterwards)
 *
 * Without them integration tests are skipped:
 *
 *   test('reads the fixture', { skip: skipReason() }, async () => {
 *     const fx = await ensureFixtures();
 *     ...
 *   });
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

export { ensureFixtures, FIXTURE_IMAGES, BASIC_LAYERS } from './fixtures.js';
export type { Fixtures, FixtureSecrets, LayerExpectation } from './fixtures.js';

export interface IntegrationEnv {
  /** docker -H value, e.g. unix:///tmp/layerlens-it.abc/docker.sock */
  dockerHost: string;
  /** registry host:port, plain HTTP */
  registry: string;
  /** scratch directory owned by this test run */
  workdir: string;
}

/** The integration environment, or null when the variables are not set. */
export function integrationEnv(): IntegrationEnv | null {
  const dockerHost = process.env.LAYERLENS_IT_DOCKER_HOST;
  const registry = process.env.LAYERLENS_IT_REGISTRY;
  const workdir = process.env.LAYERLENS_IT_WORKDIR;
  if (!dockerHost || !registry || !workdir) return null;
  return { dockerHost, registry, workdir };
}

/** Why integration tests cannot run here, or undefined when they can. Pass as `{ skip: skipReason() }`. */
export function skipReason(): string | undefined {
  const missing = ['LAYERLENS_IT_DOCKER_HOST', 'LAYERLENS_IT_REGISTRY', 'LAYERLENS_IT_WORKDIR'].filter(
    (v) => !process.env[v],
  );
  if (missing.length) {
    return `integration tests need ${missing.join(', ')} (run scripts/test-all.sh as root)`;
  }
  const env = integrationEnv()!;
  if (env.dockerHost.startsWith('unix://')) {
    const sock = env.dockerHost.slice('unix://'.length);
    if (!existsSync(sock)) return `docker socket ${sock} does not exist (services stopped?)`;
  }
  try {
    if (!statSync(env.workdir).isDirectory()) return `LAYERLENS_IT_WORKDIR ${env.workdir} is not a directory`;
  } catch {
    return `LAYERLENS_IT_WORKDIR ${env.workdir} does not exist`;
  }
  return undefined;
}

/** Like skipReason(), but also requires a tool on PATH (e.g. 'skopeo'). */
export function skipReasonUnless(...tools: string[]): string | undefined {
  const base = skipReason();
  if (base) return base;
  const missing = tools.filter((t) => !which(t));
  return missing.length ? `integration test needs ${missing.join(', ')} on PATH` : undefined;
}

/** Require the environment (throws with the skip reason when absent). */
export function requireEnv(): IntegrationEnv {
  const env = integrationEnv();
  if (!env) throw new Error(skipReason() ?? 'integration environment missing');
  return env;
}

/**
 * The docker CLI used against the test daemon: $LAYERLENS_IT_DOCKER_CLI, else
 * Debian's /usr/bin/docker (same version as the daemon), else `docker` on PATH.
 */
export function dockerCli(): string {
  if (process.env.LAYERLENS_IT_DOCKER_CLI) return process.env.LAYERLENS_IT_DOCKER_CLI;
  if (existsSync('/usr/bin/docker')) return '/usr/bin/docker';
  return 'docker';
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** data written to the child's stdin */
  input?: string | Buffer;
  /** default 10 minutes */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Error thrown by run()/docker(): message includes the command and stderr. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} failed (${code ?? 'signal'}): ${stderr.trim() || stdout.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

/** Run a program (no shell); throws CommandError on non-zero exit. */
export function run(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const options: ExecFileOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 10 * 60_000,
    encoding: 'utf8',
  };
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, options, (err, stdout, stderr) => {
      const out = String(stdout ?? '');
      const errText = String(stderr ?? '');
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        const cmd = [file, ...args].map(shellQuote).join(' ');
        reject(new CommandError(cmd, e.killed ? 'timeout' : (e.code ?? null), out, errText));
      } else {
        resolve({ stdout: out, stderr: errText });
      }
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/**
 * Run the docker CLI against the test daemon (`docker -H $LAYERLENS_IT_DOCKER_HOST ...`).
 * Uses the legacy builder (DOCKER_BUILDKIT=0) and an isolated client config dir.
 */
export async function docker(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = requireEnv();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_BUILDKIT: '0',
    DOCKER_CLI_HINTS: 'false',
    DOCKER_CONFIG: `${env.workdir}/docker-config`,
    ...opts.env,
  };
  delete childEnv.DOCKER_HOST;
  delete childEnv.DOCKER_CONTEXT;
  return run(dockerCli(), ['-H', env.dockerHost, ...args], { ...opts, env: childEnv });
}

/** Environment for Dockerode / layerlens code under test so it talks to the test daemon. */
export function dockerEnv(): NodeJS.ProcessEnv {
  const env = requireEnv();
  return { DOCKER_HOST: env.dockerHost };
}

/** `which` without a shell. */
export function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = `${dir}/${tool}`;
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface CliRun extends RunResult {
  /** The exit status (0, 1 for findings at --fail-on, 2 for errors). */
  code: number;
}

const CLI_MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/**
 * `layerlens ARGS` from src/ (under tsx) against the test daemon when there is one: its exit status
 * is a result here, not a failure (only a signal or a time-out throws).
 */
export async function layerlensCli(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  const ienv = integrationEnv();
  const env = { ...process.env, ...(ienv ? { DOCKER_HOST: ienv.dockerHost } : {}), ...o.env };
  try {
    return {
      code: 0,
      ...(await run(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { env, timeoutMs: o.timeoutMs })),
    };
  } catch (err) {
    if (err instanceof CommandError && typeof err.code === 'number')
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    throw err;
  }
}
