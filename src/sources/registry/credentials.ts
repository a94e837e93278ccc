/**
 * Registry credentials, found where Docker and Podman keep them:
 *
 *  1. --username with --password-stdin (SourceOptions.username/password)
 *  2. $REGISTRY_AUTH_FILE (containers-auth.json), when set
 *  3. Docker's config: $DOCKER_CONFIG/config.json or ~/.docker/config.json — credHelpers[host],
 *     then credsStore, then auths[key] (base64 "user:pass" `auth`, `identitytoken`, `registrytoken`)
 *  4. Podman: ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.config/containers/auth.json
 *
 * Docker Hub's key is `https://index.docker.io/v1/`. Helpers speak docker-credential-helpers'
 * `get` protocol: server URL on stdin, `{ServerURL, Username, Secret}` on stdout; the user name
 * `<token>` means Secret is an identity token. Secrets are never logged; `source` says where they
 * came from so messages can name it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Shape, isPlainObject } from '../../engine/config-shape.js';
import { LayerlensError } from '../../errors/index.js';
import { dockerConfigDir, readJsonFile } from '../docker-config.js';

export interface Credential {
  username?: string;
  password?: string;
  /** OAuth2 refresh token for the token endpoint (Docker's identitytoken). */
  identityToken?: string;
  /** A bearer token to send as-is (Docker's registrytoken). */
  registryToken?: string;
  /** Where it came from (no secret): "~/.docker/config.json", "docker-credential-pass", "--username". */
  source: string;
}

export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export interface CredentialLookup {
  /** Registry as in the reference: 'docker.io', 'localhost:5000', 'ghcr.io'. */
  registry: string;
  /** Repository path, for Podman's per-namespace entries. */
  repository?: string;
  username?: string;
  password?: string;
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  log?: (line: string) => void;
  /** Milliseconds a credential helper may take. */
  helperTimeoutMs?: number;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry | null>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Is this registry Docker Hub? */
export function isDockerHub(registry: string): boolean {
  return HUB_ALIASES.has(registry.toLowerCase());
}

/** The key Docker uses for a registry in config.json and with helpers. */
export function dockerConfigKey(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_KEY : registry;
}

/** Docker's ConvertToHostname: strip a scheme and any path from an auths key. */
export function keyHostname(key: string): string {
  let k = key;
  if (k.startsWith('http://')) k = k.slice(7);
  else if (k.startsWith('https://')) k = k.slice(8);
  const slash = k.indexOf('/');
  return slash >= 0 ? k.slice(0, slash) : k;
}

export async function resolveCredential(q: CredentialLookup): Promise<Credential | undefined> {
  const env = q.env ?? process.env;
  const home = q.homedir ?? os.homedir();
  if (q.username !== undefined || q.password !== undefined) {
    if (!q.username) return { password: q.password, source: '--password-stdin' };
    return { username: q.username, password: q.password ?? '', source: '--username' };
  }

  if (env.REGISTRY_AUTH_FILE) {
    const c = fromAuthsFile(env.REGISTRY_AUTH_FILE, q, 'REGISTRY_AUTH_FILE', true);
    if (c) return c;
  }

  const dockerDir = dockerConfigDir(env, home);
  const dockerFile = path.join(dockerDir, 'config.json');
  const cfg = readConfig(dockerFile, q.log);
  if (cfg) {
    const key = dockerConfigKey(q.registry);
    const helper =
      cfg.credHelpers?.[q.registry] ??
      cfg.credHelpers?.[key] ??
      (isDockerHub(q.registry) ? hubHelper(cfg.credHelpers) : undefined);
    const store = helper ?? cfg.credsStore;
    if (store) {
      const c = await fromHelper(store, key, q);
      if (c) return c;
    }
    const c = entryFromAuths(
      cfg.auths,
      q,
      false,
      env.DOCKER_CONFIG ? '$DOCKER_CONFIG/config.json' : '~/.docker/config.json',
    );
    if (c) return c;
  }

  const podmanFiles: Array<[string, string]> = [];
  if (env.XDG_RUNTIME_DIR)
    podmanFiles.push([
      path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'),
      '$XDG_RUNTIME_DIR/containers/auth.json',
    ]);
  podmanFiles.push([
    path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'auth.json'),
    '~/.config/containers/auth.json',
  ]);
  for (const [file, label] of podmanFiles) {
    const c = fromAuthsFile(file, q, label, true);
    if (c) return c;
  }
  return undefined;
}

function hubHelper(helpers: Record<string, string> | undefined): string | undefined {
  if (!helpers) return undefined;
  for (const [k, v] of Object.entries(helpers)) if (isDockerHub(keyHostname(k))) return v;
  return undefined;
}

function readConfig(file: string, log?: (line: string) => void): ConfigFile | undefined {
  const parsed = readJsonFile(file);
  if (parsed === 'invalid') {
    log?.(`warning: ${file} is not valid JSON; ignoring it`);
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  // As docker does when its config does not decode ("Error loading config file"): warn, go on
  // without it.
  try {
    checkConfigShape(parsed, file);
  } catch (err) {
    if (!(err instanceof LayerlensError)) throw err;
    log?.(`warning: ${err.message}; ignoring it`);
    return undefined;
  }
  return parsed as ConfigFile;
}

/** Throws BAD_CONFIG unless every field read from a config or auth file has its type. */
function checkConfigShape(cfg: Record<string, unknown>, file: string): void {
  const s: Shape = new Shape(file, 'BAD_CONFIG');
  s.string(cfg, 'credsStore', 'credsStore');
  s.stringMap(cfg, 'credHelpers', 'credHelpers');
  const auths = s.object(cfg, 'auths', 'auths');
  for (const [key, e] of Object.entries(auths ?? {})) {
    const field = `auths[${JSON.stringify(key)}]`;
    if (e === null) continue; // (an entry left empty, as Go decodes it)
    if (!isPlainObject(e)) s.fail(field, e, 'an object');
    for (const k of ['auth', 'username', 'password', 'identitytoken', 'registrytoken']) s.string(e, k, `${field}.${k}`);
  }
}

function fromAuthsFile(file: string, q: CredentialLookup, label: string, namespaced: boolean): Credential | undefined {
  const cfg = readConfig(file, q.log);
  return cfg ? entryFromAuths(cfg.auths, q, namespaced, label) : undefined;
}

/**
 * Find the auths entry for a registry. Docker matches on the hostname of each key; Podman also
 * allows `host/namespace/repo` keys, the most specific one winning.
 */
function entryFromAuths(
  auths: Record<string, AuthEntry | null> | undefined,
  q: CredentialLookup,
  namespaced: boolean,
  label: string,
): Credential | undefined {
  if (!auths) return undefined;
  const hub = isDockerHub(q.registry);
  const candidates: string[] = [];
  if (namespaced && q.repository) {
    const parts = q.repository.split('/');
    for (let n = parts.length; n >= 1; n--) candidates.push(`${q.registry}/${parts.slice(0, n).join('/')}`);
  }
  candidates.push(dockerConfigKey(q.registry), q.registry);
  for (const key of candidates) {
    const e = auths[key];
    if (e) return entryToCredential(e, label);
  }
  for (const [key, e] of Object.entries(auths)) {
    const host = keyHostname(key);
    if (e && (host === q.registry || (hub && isDockerHub(host)))) return entryToCredential(e, label);
  }
  return undefined;
}

function entryToCredential(e: AuthEntry, source: string): Credential | undefined {
  const c: Credential = { source };
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      c.username = decoded.slice(0, colon);
      c.password = decoded.slice(colon + 1);
    }
  } else if (e.username) {
    c.username = e.username;
    c.password = e.password ?? '';
  }
  if (e.identitytoken) c.identityToken = e.identitytoken;
  if (e.registrytoken) c.registryToken = e.registrytoken;
  return c.username || c.identityToken || c.registryToken ? c : undefined;
}

/** Run `docker-credential-NAME get`. Missing credentials → undefined; a broken helper → warning, undefined. */
export async function fromHelper(
  name: string,
  serverUrl: string,
  q: Pick<CredentialLookup, 'env' | 'log' | 'helperTimeoutMs'>,
): Promise<Credential | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    q.log?.(`warning: ignoring credential helper with an odd name "${name}"`);
    return undefined;
  }
  const program = `docker-credential-${name}`;
  let result: { code: number | null; stdout: string; stderr: string };
  try {
    result = await runHelper(program, serverUrl, q.env ?? process.env, q.helperTimeoutMs ?? 30_000);
  } catch (err) {
    q.log?.(
      `warning: credential helper ${program} could not run (${(err as Error).message}); continuing without its credentials`,
    );
    return undefined;
  }
  const out = result.stdout.trim();
  if (result.code !== 0) {
    // docker-credential-helpers prints "credentials not found in native keychain" for a miss.
    if (!/credentials not found/i.test(out + result.stderr)) {
      q.log?.(`warning: ${program} get failed (exit ${result.code}): ${firstLine(out || result.stderr)}`);
    }
    return undefined;
  }
  let parsed: { ServerURL?: string; Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(out);
  } catch {
    q.log?.(`warning: ${program} get printed something that is not JSON; ignoring it`);
    return undefined;
  }
  if (!parsed.Secret) return undefined;
  if (parsed.Username === '<token>') return { identityToken: parsed.Secret, source: program };
  return { username: parsed.Username ?? '', password: parsed.Secret, source: program };
}

/** A helper's answer (`{ServerURL, Username, Secret}`), a token included, is far below this. */
const HELPER_OUTPUT_MAX = 1 << 20;

function runHelper(
  program: string,
  input: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs / 1000}s`));
    }, timeoutMs);
    // (An answer is one small JSON object: a helper that goes on printing is stopped.)
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.length > HELPER_OUTPUT_MAX) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`it printed more than ${HELPER_OUTPUT_MAX >> 10} KiB`));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < HELPER_OUTPUT_MAX) stderr += d;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`${program} not found on PATH`) : err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {
      /* helper exited before reading: its exit code tells */
    });
    child.stdin.end(input);
  });
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').slice(0, 200);
}
