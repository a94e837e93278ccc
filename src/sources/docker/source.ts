/**
 * An image in a Docker Engine (or Podman's Docker-compatible API). Metadata comes from inspect +
 * history — both answer in milliseconds, long before the first layer byte — then the image export
 * (`GET /images/{name}/get`, a docker-save tar) is streamed through the one-pass archive reader:
 * nothing of it is buffered in memory or on disk.
 *
 * History: the /history API cannot tell an empty step from a 0-byte layer, so meta.history is first
 * inferred (see history.ts). When the export's own config has been read (at the end of the export)
 * meta.history and meta.config.history are replaced IN PLACE with the exact mapping; consumers that
 * read them after `done` see the exact one.
 */
import type { Readable } from 'node:stream';
import { mapHistory } from '../../engine/history.js';
import type { ImageConfig, ImageMeta, ImageReader, LayerBlob, SourceProgress } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { isImageId, parseReference } from '../../reference/index.js';
import { openArchiveStream } from '../archive/stream.js';
import { formatPlatform, normalizePlatform, parsePlatform, platformScore } from '../oci-layout/platform.js';
import { daemonClient, describeDaemonError, formatWait, withTimeout } from './client.js';
import { daemonName, type DaemonEndpoint, type DaemonKind } from './endpoint.js';
import type { EngineClient } from './engine-api.js';
import { checkHistoryAnswer, checkInspectAnswer, type InspectInfo } from './answers.js';
import { historyFromApi, type ApiHistoryItem } from './history.js';
import { pullImage } from './pull.js';
import { endOnStall } from './stall.js';

export interface DaemonSourceOptions {
  kind: DaemonKind;
  endpoint: DaemonEndpoint;
  platform?: string;
  pull?: boolean;
  username?: string;
  password?: string;
  log?: (line: string) => void;
  /** Inspect timeout (ms). */
  timeoutMs?: number;
}

/** Image-config keys of the Engine's inspect `Config` (the rest are container settings). */
const IMAGE_CONFIG_KEYS = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Healthcheck',
  'OnBuild',
  'Shell',
];

/** What the daemon is asked for: the canonical name when the input parses, else as typed (an ID). */
export function daemonImageName(input: string): string {
  if (isImageId(input)) return input; // An image ID (full or short) is the daemon's own name.
  try {
    const ref = parseReference(input);
    return ref.digest
      ? `${ref.registry}/${ref.repository}@${ref.digest}`
      : `${ref.registry}/${ref.repository}:${ref.tag}`;
  } catch {
    return input;
  }
}

/** The name Podman resolved a short one to (`localhost/app:1` for `app:1`), from its RepoTags. */
function podmanReference(input: string, info: InspectInfo): string {
  if (!isImageId(input)) {
    const asked = /[:@][^/]*$/.test(input) ? input : `${input}:latest`;
    const tag = info.RepoTags?.find((t) => t === asked || t.endsWith(`/${asked}`));
    if (tag) return tag;
  }
  return displayReference(input);
}

function displayReference(input: string): string {
  if (isImageId(input)) return input;
  try {
    return parseReference(input).canonical;
  } catch {
    return input;
  }
}

/**
 * The names to ask the engine for, in order. Docker resolves references as Docker does (docker.io
 * for a short name). Podman keeps a short name loaded from an archive as `localhost/NAME` and
 * resolves short names itself, so it is asked first for the name as typed (after a --pull, for
 * the name pulled), then for Docker's form.
 */
export function engineImageNames(input: string, kind: DaemonKind, pulled: boolean): string[] {
  const normalized = daemonImageName(input);
  if (kind === 'docker' || isImageId(input) || normalized === input) return [normalized];
  return pulled ? [normalized, input] : [input, normalized];
}

export async function openDaemonImage(input: string, o: DaemonSourceOptions): Promise<ImageReader> {
  const ep = o.endpoint;
  const docker = daemonClient(ep);
  const names = engineImageNames(input, o.kind, !!o.pull);
  const want = o.platform !== undefined ? parsePlatform(o.platform) : undefined;
  if (o.pull)
    await pullImage(docker, names[0], ep, o.kind, {
      platform: o.platform,
      username: o.username,
      password: o.password,
      log: o.log,
    });

  let info!: InspectInfo;
  let history!: ApiHistoryItem[];
  for (const [i, name] of names.entries()) {
    const image = docker.image(name);
    try {
      const [i0, h0] = await withTimeout(
        Promise.all([image.inspect(), image.history()]),
        o.timeoutMs ?? 15_000,
        ep,
        o.kind,
      );
      checkInspectAnswer(i0, `the ${daemonName(o.kind)} at ${ep.url}`);
      checkHistoryAnswer(h0, `the ${daemonName(o.kind)} at ${ep.url}`);
      [info, history] = [i0, h0];
      break;
    } catch (err) {
      const e = describeDaemonError(err, ep, o.kind, input);
      if (e.code !== 'IMAGE_NOT_FOUND' || i === names.length - 1) throw e;
    }
  }
  const meta = metaFromInspect(input, info, history, o.kind, ep);
  if (want && meta.platform && platformScore(want, meta.platform) === 0) {
    throw new LayerlensError(
      `${input} in the ${daemonName(o.kind)} is ${formatPlatform(meta.platform)}, not ${formatPlatform(want)}${o.pull ? '' : ' (add --pull to fetch that platform)'}`,
      'PLATFORM',
    );
  }
  // (An export that stops is ended after --timeout, or a minute: a daemon under load may pause.)
  return daemonReader(docker, info.Id, input, meta, o.kind, ep, info.Size, o.timeoutMs ?? 60_000);
}

export function metaFromInspect(
  input: string,
  info: InspectInfo,
  history: ApiHistoryItem[],
  kind: DaemonKind,
  ep: DaemonEndpoint,
): ImageMeta {
  const diffIds = info.RootFS?.Layers ?? [];
  const cfg: Record<string, unknown> = {};
  for (const k of IMAGE_CONFIG_KEYS) {
    const v = info.Config?.[k];
    if (
      v === undefined ||
      v === null ||
      v === '' ||
      v === false ||
      (Array.isArray(v) && !v.length) ||
      (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length)
    )
      continue;
    cfg[k] = v;
  }
  const config: ImageConfig = {
    architecture: info.Architecture,
    os: info.Os,
    ...(info.Variant ? { variant: info.Variant } : {}),
    created: info.Created,
    ...(info.Author ? { author: info.Author } : {}),
    config: cfg as ImageConfig['config'],
    rootfs: { type: info.RootFS?.Type ?? 'layers', diff_ids: diffIds },
    history: historyFromApi(history, diffIds.length),
  };
  const repoDigest = info.RepoDigests?.find((d) => d.includes('@'));
  return {
    reference: kind === 'podman' ? podmanReference(input, info) : displayReference(input),
    source: kind,
    digest: repoDigest ? repoDigest.slice(repoDigest.indexOf('@') + 1) : info.Id,
    configDigest: info.Id,
    platform:
      info.Os && info.Architecture
        ? normalizePlatform({ os: info.Os, architecture: info.Architecture, variant: info.Variant })
        : undefined,
    config,
    layers: diffIds.map((diffId) => ({ diffId })),
    history: mapHistory(config),
    repoTags: info.RepoTags?.length ? info.RepoTags : undefined,
    notes: [
      `${kind === 'docker' ? 'daemon' : 'podman'}: ${ep.url}`,
      'history from the daemon API until the export has been read',
    ],
  };
}

function daemonReader(
  docker: EngineClient,
  id: string,
  input: string,
  meta: ImageMeta,
  kind: DaemonKind,
  ep: DaemonEndpoint,
  size: number | undefined,
  stallMs: number,
): ImageReader {
  let exportStream: Readable | undefined;
  // The daemon prepares its export before the first byte (seconds for a big image): say so, and
  // give the image's size as an estimate of the export's.
  const progress: SourceProgress = {
    bytesRead: 0,
    phase: `waiting for the ${daemonName(kind)}'s export`,
    ...(size ? { totalBytes: size, totalIsEstimate: true } : {}),
  };
  return {
    meta: async () => meta,
    progress,
    async *blobs(): AsyncIterable<LayerBlob> {
      try {
        // By ID: the image that was inspected, even if the tag moved since.
        exportStream = await docker.image(id).export();
      } catch (err) {
        throw describeDaemonError(err, ep, kind, input);
      }
      endOnStall(
        exportStream,
        stallMs,
        () =>
          new LayerlensError(
            `the ${daemonName(kind)} at ${ep.url} stopped sending its export of ${input} (nothing for ${formatWait(stallMs)}; --timeout changes it)`,
            'DAEMON_TIMEOUT',
          ),
      );
      const pass = openArchiveStream(exportStream, {
        label: `the ${daemonName(kind)} export of ${input}`,
        reference: meta.reference,
        source: kind,
        platform: meta.platform ? formatPlatform(meta.platform) : undefined,
        progress,
      });
      yield* pass.blobs();
      refineHistory(meta, (await pass.resolved()).meta.config);
    },
    close: async () => {
      (exportStream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined)?.destroy?.();
    },
  };
}

/** Replace the inferred history with the export config's exact one (same layers only). */
export function refineHistory(meta: ImageMeta, exact: ImageConfig): void {
  const a = meta.config.rootfs?.diff_ids ?? [];
  const b = exact.rootfs?.diff_ids ?? [];
  if (!exact.history || a.length !== b.length || a.some((d, i) => d !== b[i])) return;
  meta.config.history = exact.history;
  meta.history.splice(0, meta.history.length, ...mapHistory(exact));
  meta.notes = (meta.notes ?? []).filter((n) => !n.startsWith('history from the daemon API'));
}
