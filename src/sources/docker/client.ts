/**
 * A dockerode client for one resolved endpoint, and daemon failures as one-line errors that say
 * where layerlens looked. Used for Docker and for Podman's Docker-compatible API alike.
 */
import https from 'node:https';
import type Docker from 'dockerode';
import { createRequire } from 'node:module';
import { LayerlensError } from '../../errors/index.js';
import type { DaemonEndpoint } from './endpoint.js';

export type DaemonKind = 'docker' | 'podman';

export function daemonName(kind: DaemonKind): string {
  return kind === 'docker' ? 'Docker daemon' : 'Podman service';
}

/**
 * dockerode merges its own reading of DOCKER_HOST / DOCKER_CERT_PATH into whatever it is given
 * (and throws on a malformed DOCKER_HOST): build it with those hidden so the resolved endpoint
 * is the only truth.
 */
export function daemonClient(ep: DaemonEndpoint): Docker {
  // Loaded on first use: dockerode (with ssh2 and its crypto) slowed archive, layout and registry
  // loads by ~0.1 s just by being in the process.
  const Docker = require('dockerode') as typeof import('dockerode');
  const saved: Record<string, string | undefined> = {};
  for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CLIENT_TIMEOUT']) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  try {
    if (ep.socketPath)
      return new Docker({ socketPath: ep.socketPath, host: undefined, port: undefined, protocol: undefined });
    return new Docker({
      socketPath: undefined,
      protocol: ep.protocol,
      host: ep.host,
      port: ep.port,
      username: ep.username,
      ca: ep.tls?.ca,
      cert: ep.tls?.cert,
      key: ep.tls?.key,
      // Skip-verify contexts: an agent that accepts any certificate (docker-modem has no switch).
      ...(ep.tls && !ep.tls.verify
        ? { agent: new https.Agent({ rejectUnauthorized: false, ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key }) }
        : {}),
      ...(ep.protocol === 'ssh' ? { sshOptions: { agent: process.env.SSH_AUTH_SOCK } } : {}),
    } as Docker.DockerOptions);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

const require = createRequire(import.meta.url);

const UNREACHABLE = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOTSOCK',
  'EPIPE',
]);

/** Map a dockerode/network failure to a LayerlensError. `image` names the image for 404s. */
export function describeDaemonError(
  err: unknown,
  ep: DaemonEndpoint,
  kind: DaemonKind,
  image?: string,
): LayerlensError {
  if (err instanceof LayerlensError) return err;
  const e = err as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } | null; reason?: string };
  const code = e.code ?? '';
  const name = daemonName(kind);
  if (code === 'EACCES' || code === 'EPERM') {
    return new LayerlensError(
      `permission denied on the ${name} socket ${ep.socketPath ?? ep.url}; ${kind === 'docker' ? 'add your user to the docker group, run as root,' : 'check the socket owner,'} or use --source archive/oci/registry`,
      'DAEMON_PERMISSION',
    );
  }
  if (UNREACHABLE.has(code)) {
    const hint =
      kind === 'docker'
        ? 'is it running? set DOCKER_HOST or use --source archive/oci/registry'
        : 'is `podman system service` running?';
    return new LayerlensError(`cannot reach the ${name} at ${ep.url} (connect ${code}); ${hint}`, 'DAEMON_UNREACHABLE');
  }
  if (/certificate|self[- ]signed|TLS|SSL/i.test(e.message ?? '')) {
    return new LayerlensError(`TLS failure talking to the ${name} at ${ep.url}: ${firstLine(e.message)}`, 'DAEMON_TLS');
  }
  const serverMsg = firstLine(e.json?.message ?? stripModem(e.message ?? String(err)));
  if (e.statusCode === 404 && image !== undefined) {
    return new LayerlensError(`${image} is not in the ${name} at ${ep.url}`, 'IMAGE_NOT_FOUND');
  }
  if (e.statusCode !== undefined)
    return new LayerlensError(`the ${name} at ${ep.url} answered ${e.statusCode}: ${serverMsg}`, 'DAEMON_ERROR');
  return new LayerlensError(`${name} at ${ep.url}: ${serverMsg}`, 'DAEMON_ERROR');
}

function stripModem(msg: string): string {
  // docker-modem: "(HTTP code 404) no such image - No such image: x:latest "
  return msg.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0].trim();
}

/** Reject after `ms` with a one-line "did not answer" error. */
export function withTimeout<T>(p: Promise<T>, ms: number, ep: DaemonEndpoint, kind: DaemonKind): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LayerlensError(
            `the ${daemonName(kind)} at ${ep.url} did not answer within ${Math.round(ms / 1000)}s`,
            'DAEMON_TIMEOUT',
          ),
        ),
      ms,
    );
    timer.unref?.();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
