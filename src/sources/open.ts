/**
 * `openImage(input, opts)`: pick the source for what the user named and open it.
 *
 * auto (the default):
 *   - `-` → an archive on stdin (one pass);
 *   - an existing path → by CONTENT: a directory is an OCI layout (or an extracted docker save),
 *     a file an archive (tar, gzip or zstd); `PATH:TAG` picks one image of several;
 *   - a reference → the Docker daemon when it is reachable and has the image, else Podman's
 *     socket when there is one and it has the image, else the registry source, else a one-line
 *     error saying where layerlens looked.
 * `--source X` forces one source.
 */
import fs from 'node:fs/promises';
import type { SourceOptions } from './options.js';
import type { ImageReader } from '../engine/types.js';
import { LayerlensError } from '../errors/index.js';
import { isImageId, parseReference } from '../reference/index.js';
import { openArchive, openArchiveFile } from './archive/index.js';
import { daemonName, podmanEndpoints, resolveDockerEndpoint, type DaemonEndpoint } from './docker/endpoint.js';
import type { DaemonSourceOptions } from './docker/source.js';
import { openOciLayout } from './oci-layout/dir.js';

/** Failures that mean "not here, try the next source" in auto mode. */
const FALL_THROUGH = new Set(['IMAGE_NOT_FOUND', 'DAEMON_UNREACHABLE', 'DAEMON_PERMISSION', 'DAEMON_TIMEOUT']);

export async function openImage(input: string, opts: SourceOptions): Promise<ImageReader> {
  const select = { platform: opts.platform };
  switch (opts.source) {
    case 'archive': {
      if (input === '-') return openArchive('-', { ...select, reference: 'stdin' });
      const p = (await splitPathTag(input)) ?? { path: input };
      return openArchiveFile(p.path, { ...select, tag: p.tag, reference: input });
    }
    case 'oci': {
      const p = (await splitPathTag(input)) ?? { path: input };
      return openOciLayout(p.path, { ...select, tag: p.tag, reference: input });
    }
    case 'docker':
      return (await loadDaemon()).openDaemonImage(checkName(input), {
        ...daemonOptions(opts),
        kind: 'docker',
        endpoint: resolveDockerEndpoint(),
      });
    case 'podman':
      return (await import('./podman/source.js')).openPodmanImage(checkName(input), daemonOptions(opts));
    case 'registry': {
      const registry = await loadRegistry();
      return registry.openRegistryImage(checkName(input), opts);
    }
    case 'auto':
    case undefined:
      return openAuto(input, opts);
    default:
      throw new LayerlensError(`unknown source ${JSON.stringify(opts.source)}`, 'BAD_ARGUMENT');
  }
}

async function openAuto(input: string, opts: SourceOptions): Promise<ImageReader> {
  const select = { platform: opts.platform };
  if (input === '-') return openArchive('-', { ...select, reference: 'stdin' });
  const p = await splitPathTag(input);
  if (p) {
    const st = await fs.stat(p.path);
    if (st.isDirectory()) return openOciLayout(p.path, { ...select, tag: p.tag, reference: input });
    return openArchiveFile(p.path, { ...select, tag: p.tag, reference: input });
  }
  if (looksLikePath(input)) throw new LayerlensError(`${input}: no such file or directory`, 'NOT_FOUND');
  checkName(input);

  const daemonOpts = daemonOptions(opts);
  const misses: { kind: 'docker' | 'podman'; ep: DaemonEndpoint; err: LayerlensError }[] = [];
  const docker = resolveDockerEndpoint();
  const { openDaemonImage } = await loadDaemon();
  try {
    return await openDaemonImage(input, { ...daemonOpts, kind: 'docker', endpoint: docker });
  } catch (err) {
    // --pull means "through the daemon": its failures are the answer.
    if (
      !(err instanceof LayerlensError) ||
      !FALL_THROUGH.has(err.code) ||
      (opts.pull && err.code !== 'IMAGE_NOT_FOUND')
    )
      throw err;
    misses.push({ kind: 'docker', ep: docker, err });
  }
  for (const ep of podmanEndpoints().found.slice(0, 1)) {
    try {
      return await openDaemonImage(input, { ...daemonOpts, kind: 'podman', endpoint: ep });
    } catch (err) {
      if (!(err instanceof LayerlensError) || !FALL_THROUGH.has(err.code)) throw err;
      misses.push({ kind: 'podman', ep, err });
    }
  }
  if (!isImageId(input)) {
    const registry = await loadRegistry();
    try {
      return await registry.openRegistryImage(input, opts);
    } catch (err) {
      // Say where else layerlens looked, so "host not found" is not the whole story.
      if (!(err instanceof LayerlensError) || misses.length === 0) throw err;
      const local = notLocal(input, misses).message.replace(/; use --source registry.*$/, '');
      throw new LayerlensError(`${local}; and from its registry: ${err.message}`, err.code);
    }
  }
  throw notLocal(input, misses);
}

/** "IMAGE is not in the local Docker daemon (looked at unix:///…); use --source registry …" */
function notLocal(
  input: string,
  misses: { kind: 'docker' | 'podman'; ep: DaemonEndpoint; err: LayerlensError }[],
): LayerlensError {
  const parts = misses.map((m) => {
    const name = `${m.kind === 'docker' ? 'local ' : ''}${daemonName(m.kind)}`;
    switch (m.err.code) {
      case 'IMAGE_NOT_FOUND':
        return `is not in the ${name} (looked at ${m.ep.url})`;
      case 'DAEMON_UNREACHABLE': {
        const why = /\(connect (\w+)\)/.exec(m.err.message)?.[1];
        return `could not be looked up: the ${name} at ${m.ep.url} is not reachable${why ? ` (connect ${why})` : ''}`;
      }
      case 'DAEMON_PERMISSION':
        return `could not be looked up: permission denied on the ${daemonName(m.kind)} socket ${m.ep.socketPath ?? m.ep.url}`;
      default:
        return `could not be looked up: ${m.err.message}`;
    }
  });
  const code = misses.every((m) => m.err.code === 'IMAGE_NOT_FOUND')
    ? 'IMAGE_NOT_FOUND'
    : (misses[0]?.err.code ?? 'IMAGE_NOT_FOUND');
  return new LayerlensError(
    `${input} ${parts.join(', and ')}; use --source registry to read it from its registry, or give a docker save archive or OCI layout path`,
    code,
  );
}

function daemonOptions(opts: SourceOptions): Omit<DaemonSourceOptions, 'kind' | 'endpoint'> {
  return {
    platform: opts.platform,
    pull: opts.pull,
    username: opts.username,
    password: opts.password,
    log: opts.log,
    timeoutMs: opts.timeoutMs,
  };
}

/** A reference or image ID; anything else is a one-line BAD_REFERENCE error. */
function checkName(input: string): string {
  if (isImageId(input)) return input;
  try {
    parseReference(input);
  } catch (err) {
    throw new LayerlensError((err as Error).message, 'BAD_REFERENCE');
  }
  return input;
}

/** `PATH` or `PATH:TAG` when PATH exists; undefined otherwise. */
async function splitPathTag(input: string): Promise<{ path: string; tag?: string } | undefined> {
  if (await exists(input)) return { path: input };
  // The tag may hold colons itself (PATH:host:5000/name:tag): try the longest existing prefix.
  for (let colon = input.lastIndexOf(':'); colon > 0; colon = input.lastIndexOf(':', colon - 1)) {
    const path = input.slice(0, colon);
    if (colon < input.length - 1 && (await exists(path))) return { path, tag: input.slice(colon + 1) };
  }
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

function looksLikePath(input: string): boolean {
  return /^(\.{1,2}\/|\/|~)/.test(input) || /\.(tar|tgz|tar\.gz|tar\.zst|oci)$/i.test(input) || input.includes('\\');
}

/**
 * The daemon source, loaded when an image is looked up there: with it come node:http and
 * node:https (its Engine API client), ~10 ms of a start-up that reads only a file otherwise.
 */
function loadDaemon(): Promise<typeof import('./docker/source.js')> {
  return import('./docker/source.js');
}

/** The registry source is loaded when it is needed: an image named by path never needs it. */
function loadRegistry(): Promise<typeof import('./registry/index.js')> {
  return import('./registry/index.js');
}
