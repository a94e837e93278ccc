/**
 * The registry source: `openRegistryImage(ref, opts)` reads an image straight from a registry,
 * without any daemon. Credentials come from --username/--password-stdin, Docker's config (auths,
 * credsStore, credHelpers), DOCKER_CONFIG or Podman's auth.json (see credentials.ts).
 *
 * It connects and resolves the manifest before returning (so the caller can fall back or report
 * "not found" at once); config, provenance and layers follow through the reader.
 */
import type { ImageReader } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import type { SourceOptions } from '../options.js';
import { parseReference, type ImageReference } from '../../reference/parse.js';
import { RegistryClient } from './client.js';
import { resolveCredential } from './credentials.js';
import { prewarmFetchWorker } from './fetch-worker.js';
import type { RetryPolicy } from './retry.js';
import { RegistryImageReader, type ReaderOptions } from './reader.js';
import { resolveImage } from './resolve.js';

export { RegistryClient } from './client.js';
export { RegistryImageReader } from './reader.js';
export { parsePlatform, formatPlatform, hostPlatform } from './platform.js';

/** Knobs tests and benchmarks set; the CLI never needs them. */
export interface RegistryOpenExtras extends ReaderOptions {
  /** Root of Docker's per-registry certificate dirs (default /etc/docker/certs.d). */
  certsDir?: string;
  /** Environment and home for credential lookup (default: process.env, os.homedir()). */
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  retry?: RetryPolicy;
}

/** Open an image in its registry. `input` is a parsed reference or the text of one. */
export async function openRegistryImage(
  input: ImageReference | string,
  opts: SourceOptions,
  extras: RegistryOpenExtras = {},
): Promise<ImageReader> {
  const ref = typeof input === 'string' ? toReference(input) : input;
  // Boot the download worker now: it starts while /v2/, the manifest and the config are fetched.
  if (extras.offThread !== false) prewarmFetchWorker();
  const credential = await resolveCredential({
    registry: ref.registry,
    repository: ref.repository,
    username: opts.username,
    password: opts.password,
    env: extras.env,
    homedir: extras.homedir,
    log: opts.log,
  });
  const client = await RegistryClient.connect(ref.apiHost, {
    credential,
    insecure: opts.insecure,
    plainHttp: opts.plainHttp,
    caFile: opts.caFile,
    certsDir: extras.certsDir,
    log: opts.log,
    retry: extras.retry,
    timeoutMs: opts.timeoutMs,
  });
  try {
    const resolved = await resolveImage(client, ref, opts.platform);
    return new RegistryImageReader(client, ref, resolved, extras);
  } catch (err) {
    client.close();
    throw err;
  }
}

function toReference(input: string): ImageReference {
  try {
    return parseReference(input);
  } catch (err) {
    throw new LayerlensError((err as Error).message, 'BAD_REFERENCE');
  }
}
