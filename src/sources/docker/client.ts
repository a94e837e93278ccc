/**
 * The Engine API client for one resolved endpoint, and daemon failures as one-line errors that
 * say where layerlens looked. Used for Docker and for Podman's Docker-compatible API alike.
 */
import { LayerlensError } from '../../errors/index.js';
import { daemonName, type DaemonEndpoint, type DaemonKind } from './endpoint.js';
import { EngineClient } from './engine-api.js';

/** A client for the resolved endpoint: the endpoint is the only truth (no environment read here). */
export function daemonClient(ep: DaemonEndpoint): EngineClient {
  return new EngineClient(ep);
}

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

/** Map an Engine API or network failure to a LayerlensError. `image` names the image for 404s. */
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
  if (/^ssh to /.test(e.message ?? '')) {
    return new LayerlensError(`cannot reach the ${name} at ${ep.url}: ${firstLine(e.message)}`, 'DAEMON_UNREACHABLE');
  }
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
  // "(HTTP code 404) No such image: x:latest" (and docker-modem's older "… no such image - …")
  return msg.replace(/^\(HTTP code \d+\) (?:[^-]*- )?/, '').trim();
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0].trim();
}

/** A wait as --timeout takes it: `2s`, `1500ms`. */
export function formatWait(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Reject after `ms` with a one-line "did not answer" error. */
export function withTimeout<T>(p: Promise<T>, ms: number, ep: DaemonEndpoint, kind: DaemonKind): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LayerlensError(
            `the ${daemonName(kind)} at ${ep.url} did not answer within ${formatWait(ms)} (--timeout changes it)`,
            'DAEMON_TIMEOUT',
          ),
        ),
      ms,
    );
    timer.unref?.();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
