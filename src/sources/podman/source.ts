/**
 * Podman through its Docker-compatible API: the Docker source with Podman's socket
 * (CONTAINER_HOST, rootless $XDG_RUNTIME_DIR/podman/podman.sock, rootful /run/podman/podman.sock).
 */
import type { ImageReader } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { podmanEndpoints, type ResolveEnv } from '../docker/endpoint.js';
import { openDaemonImage, type DaemonSourceOptions } from '../docker/source.js';

export function findPodman(where: ResolveEnv = {}) {
  return podmanEndpoints(where);
}

export async function openPodmanImage(
  input: string,
  o: Omit<DaemonSourceOptions, 'kind' | 'endpoint'>,
  where: ResolveEnv = {},
): Promise<ImageReader> {
  const { found, looked } = podmanEndpoints(where);
  if (!found.length) {
    throw new LayerlensError(
      `no Podman socket found (looked at ${looked.join(', ')}); start it with \`podman system service\` or set CONTAINER_HOST`,
      'DAEMON_UNREACHABLE',
    );
  }
  return openDaemonImage(input, { ...o, kind: 'podman', endpoint: found[0] });
}
