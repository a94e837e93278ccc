/**
 * What every source reads about how to open an image (which source, platform, registry access), and
 * skopeo's transport names. The command line turns argv into these (src/cli/source-options.ts);
 * sources never see argv.
 */
import { LayerlensError } from '../errors/index.js';

export type SourceChoice = 'auto' | 'docker' | 'podman' | 'archive' | 'oci' | 'registry';

export interface SourceOptions {
  source: SourceChoice;
  /** os/arch[/variant]; default: the host's. */
  platform?: string;
  /** Pull through the daemon first (docker/podman). */
  pull: boolean;
  /** Registry credentials given on the command line. */
  username?: string;
  password?: string;
  /** Skip TLS verification (registry). */
  insecure: boolean;
  /** Plain HTTP (registry); loopback registries get it automatically. */
  plainHttp: boolean;
  caFile?: string;
  /** --timeout: how long one registry request may take, retries included (default 30 s), and a daemon's inspect (default 15 s). */
  timeoutMs?: number;
  /** Progress messages (pull progress etc.); never to stdout. */
  log?: (line: string) => void;
}

export const SOURCE_CHOICES: readonly SourceChoice[] = ['auto', 'docker', 'podman', 'archive', 'oci', 'registry'];

// skopeo's transport names, and the source each one means here (null: not read by layerlens).
const TRANSPORTS: ReadonlyArray<readonly [prefix: string, source: SourceChoice | null]> = [
  ['docker://', 'registry'],
  ['docker-daemon:', 'docker'],
  ['docker-archive:', 'archive'],
  ['oci-archive:', 'archive'],
  ['oci:', 'oci'],
  ['containers-storage:', 'podman'],
  ['dir:', null],
];

/**
 * The source a skopeo-style name chooses, with what follows its prefix; undefined when the name
 * has no transport prefix (null source: a transport layerlens does not read).
 */
export function transportOf(input: string): { source: SourceChoice | null; rest: string } | undefined {
  const t = TRANSPORTS.find(([prefix]) => input.startsWith(prefix));
  return t && { source: t[1], rest: input.slice(t[0].length) };
}

/**
 * An image named the skopeo way (`docker://nginx:stable`, `docker-daemon:app:1`,
 * `docker-archive:app.tar`, `oci:./layout:v1`, `oci-archive:app.tar:v1`,
 * `containers-storage:app`): the source it names and the rest (a reference, or a path with an
 * optional `:TAG`). Only with --source auto: with a --source the image is taken as written (an
 * image may be called `oci:1`). `docker:` without `//` is an image name, as in docker.
 */
export function withTransport(input: string, opts: SourceOptions): { input: string; opts: SourceOptions } {
  if (!input || opts.source !== 'auto') return { input, opts }; // (--demo: no image)
  const t = transportOf(input);
  if (!t) return { input, opts };
  const { source, rest } = t;
  const prefix = input.slice(0, input.length - rest.length);
  if (!source) {
    throw new LayerlensError(
      `skopeo's ${prefix} transport is not read by layerlens: copy it to an OCI layout (skopeo copy ${prefix}… oci:DIR) and open that`,
      'USAGE',
    );
  }
  if (!rest)
    throw new LayerlensError(
      `${prefix} needs ${source === 'archive' || source === 'oci' ? 'a path' : 'an image'} after it`,
      'USAGE',
    );
  return { input: rest, opts: { ...opts, source } };
}
