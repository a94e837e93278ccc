export { resolveDockerEndpoint, podmanEndpoints, parseHostUrl, type DaemonEndpoint } from './endpoint.js';
export { openDaemonImage, type DaemonSourceOptions } from './source.js';
export { describeDaemonError, daemonClient } from './client.js';
