/**
 * Where the Docker daemon is, resolved the way the docker CLI does it:
 *   1. DOCKER_HOST (unix://, tcp://, ssh://, npipe://) with DOCKER_TLS_VERIFY / DOCKER_TLS /
 *      DOCKER_CERT_PATH;
 *   2. else a docker context: DOCKER_CONTEXT, or `currentContext` in $DOCKER_CONFIG/config.json
 *      (default ~/.docker) → contexts/meta/<sha256(name)>/meta.json → Endpoints.docker.Host, with
 *      TLS material under contexts/tls/<sha256(name)>/docker/;
 *   3. else unix:///var/run/docker.sock.
 * (The endpoint is resolved here alone: the Engine API client, engine-api.ts, reads no environment.)
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LayerlensError } from '../../errors/index.js';
import { dockerConfigDir, readClientFile, readJsonFile } from '../docker-config.js';

export type DaemonKind = 'docker' | 'podman';

/** How messages name a daemon of this kind. */
export function daemonName(kind: DaemonKind): string {
  return kind === 'docker' ? 'Docker daemon' : 'Podman service';
}

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Verify the daemon's certificate. */
  verify: boolean;
}

export interface DaemonEndpoint {
  /** As the CLI writes it: unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://me@box. */
  url: string;
  /** Where it came from: `DOCKER_HOST`, `docker context "remote"`, `default`, `CONTAINER_HOST`… */
  origin: string;
  socketPath?: string;
  protocol?: 'http' | 'https' | 'ssh';
  host?: string;
  port?: number;
  username?: string;
  tls?: TlsMaterial;
}

export interface ResolveEnv {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export { dockerConfigDir };

export function resolveDockerEndpoint(where: ResolveEnv = {}): DaemonEndpoint {
  const env = where.env ?? process.env;
  const home = where.home ?? os.homedir();
  const configDir = dockerConfigDir(env, home);
  if (env.DOCKER_HOST) {
    const tlsVerify = !!env.DOCKER_TLS_VERIFY;
    const tlsOn = tlsVerify || !!env.DOCKER_TLS;
    const certDir = env.DOCKER_CERT_PATH || configDir;
    const tls = tlsOn ? readTls(certDir, tlsVerify, 'DOCKER_CERT_PATH') : undefined;
    return parseHostUrl(env.DOCKER_HOST, 'DOCKER_HOST', tls);
  }
  const name = env.DOCKER_CONTEXT || currentContext(configDir);
  if (name && name !== 'default')
    return contextEndpoint(configDir, name, env.DOCKER_CONTEXT ? 'DOCKER_CONTEXT' : 'config.json');
  return { url: `unix://${DEFAULT_DOCKER_SOCKET}`, origin: 'default', socketPath: DEFAULT_DOCKER_SOCKET };
}

function currentContext(configDir: string): string | undefined {
  const file = path.join(configDir, 'config.json');
  const cfg = readJsonFile(file);
  if (cfg === 'invalid') throw new LayerlensError(`${file} is not valid JSON`, 'BAD_CONFIG');
  const current = (cfg as { currentContext?: unknown } | null | undefined)?.currentContext;
  return typeof current === 'string' && current ? current : undefined;
}

function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function contextEndpoint(configDir: string, name: string, via: string): DaemonEndpoint {
  const id = contextDirName(name);
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  const data = readClientFile(metaFile);
  if (data === undefined) {
    throw new LayerlensError(
      `docker context ${JSON.stringify(name)} (from ${via}) not found: no ${metaFile}`,
      'BAD_CONFIG',
    );
  }
  // (Any JSON: null, a list, a string … has no endpoint.)
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } | null } | null } | null;
  try {
    meta = JSON.parse(data.toString('utf8'));
  } catch {
    throw new LayerlensError(`${metaFile} is not valid JSON`, 'BAD_CONFIG');
  }
  const ep = meta?.Endpoints?.docker;
  if (!ep || typeof ep.Host !== 'string' || !ep.Host) {
    throw new LayerlensError(
      `docker context ${JSON.stringify(name)} has no docker endpoint (${metaFile})`,
      'BAD_CONFIG',
    );
  }
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some((f) => existsSync(path.join(tlsDir, f)));
  const tls = hasTls ? readTls(tlsDir, ep.SkipTLSVerify !== true, `context ${name}`, true) : undefined;
  return parseHostUrl(ep.Host, `docker context ${JSON.stringify(name)}`, tls);
}

function readTls(dir: string, verify: boolean, what: string, optional = false): TlsMaterial {
  const read = (f: string, required: boolean): Buffer | undefined => {
    const p = path.join(dir, f);
    const data = readClientFile(p);
    if (data === undefined && required && !optional)
      throw new LayerlensError(`TLS is on but ${p} cannot be read (${what})`, 'BAD_CONFIG');
    return data;
  };
  return { ca: read('ca.pem', verify), cert: read('cert.pem', false), key: read('key.pem', false), verify };
}

/** A daemon host URL → endpoint. `host:port` alone means tcp. */
export function parseHostUrl(raw: string, origin: string, tls?: TlsMaterial): DaemonEndpoint {
  const text = raw.trim();
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET;
    return { url: `unix://${socketPath}`, origin, socketPath };
  }
  if (text.startsWith('npipe://')) {
    const socketPath = text.slice('npipe://'.length) || '//./pipe/docker_engine';
    return { url: text, origin, socketPath };
  }
  if (text.startsWith('/')) return { url: `unix://${text}`, origin, socketPath: text };
  let u: URL;
  try {
    u = new URL(text.includes('://') ? text : `tcp://${text}`);
  } catch {
    throw new LayerlensError(
      `${origin}: invalid daemon address ${JSON.stringify(raw)} (expected unix:///path, tcp://host:port or ssh://user@host)`,
      'BAD_CONFIG',
    );
  }
  const scheme = u.protocol.replace(/:$/, '');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!['ssh', 'tcp', 'http', 'https'].includes(scheme)) {
    throw new LayerlensError(
      `${origin}: unsupported daemon address scheme ${JSON.stringify(scheme)} in ${JSON.stringify(raw)}`,
      'BAD_CONFIG',
    );
  }
  if (!host)
    throw new LayerlensError(`${origin}: invalid daemon address ${JSON.stringify(raw)} (no host)`, 'BAD_CONFIG');
  if (scheme === 'ssh') {
    return {
      url: text,
      origin,
      protocol: 'ssh',
      host,
      port: u.port ? Number(u.port) : 22,
      username: u.username || undefined,
    };
  }
  const secure = !!tls || scheme === 'https';
  const port = u.port ? Number(u.port) : secure ? 2376 : 2375;
  const hostText = host.includes(':') ? `[${host}]` : host;
  return { url: `tcp://${hostText}:${port}`, origin, protocol: secure ? 'https' : 'http', host, port, tls };
}

/** Podman's Docker-compatible sockets: CONTAINER_HOST, rootless, rootful — the existing ones. */
export function podmanEndpoints(where: ResolveEnv = {}): { found: DaemonEndpoint[]; looked: string[] } {
  const env = where.env ?? process.env;
  const looked: string[] = [];
  const found: DaemonEndpoint[] = [];
  if (env.CONTAINER_HOST) {
    const ep = parseHostUrl(env.CONTAINER_HOST, 'CONTAINER_HOST');
    looked.push(ep.url);
    if (!ep.socketPath || existsSync(ep.socketPath)) found.push(ep);
  }
  const candidates: [string, string][] = [];
  if (env.XDG_RUNTIME_DIR)
    candidates.push([path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'), 'rootless podman socket']);
  else if (typeof process.getuid === 'function' && process.getuid() !== 0)
    candidates.push([`/run/user/${process.getuid()}/podman/podman.sock`, 'rootless podman socket']);
  candidates.push(['/run/podman/podman.sock', 'rootful podman socket']);
  for (const [p, origin] of candidates) {
    looked.push(`unix://${p}`);
    if (existsSync(p)) found.push({ url: `unix://${p}`, origin, socketPath: p });
  }
  return { found, looked };
}
