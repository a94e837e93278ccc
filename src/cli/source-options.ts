/**
 * Options every image-reading command shares (explore, inspect, scan), in util.parseArgs form,
 * and their typed result. Sources read only `SourceOptions`; they never see argv.
 */
import type { ParseArgsConfig } from 'node:util';
import { LayerlensError } from '../engine/types.js';
import { parsePlatform } from '../sources/oci-layout/platform.js';

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
  /** Progress messages (pull progress etc.); never to stdout. */
  log?: (line: string) => void;
}

export const SOURCE_OPTION_SPEC = {
  source: { type: 'string' },
  platform: { type: 'string' },
  pull: { type: 'boolean' },
  username: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean' },
  insecure: { type: 'boolean' },
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const SOURCE_CHOICES: readonly SourceChoice[] = ['auto', 'docker', 'podman', 'archive', 'oci', 'registry'];

export const SOURCE_OPTIONS_HELP = `Image source options:
  --source S          auto | docker | podman | archive | oci | registry (default: auto)
                      auto: an existing path is read as an archive or OCI layout, "-" is an
                      archive on stdin, a name is looked up in the Docker daemon, then the registry.
                      skopeo-style names choose it too: docker://REF (registry), docker-daemon:REF,
                      docker-archive:PATH, oci:PATH[:TAG], oci-archive:PATH[:TAG],
                      containers-storage:REF (podman)
  --platform P        os/arch[/variant] to pick from multi-platform images (default: this host's)
  --pull              pull through the daemon first, with progress
  -u, --username U    registry user (with --password-stdin)
  --password-stdin    read the registry password from stdin
  --insecure          do not verify the registry's TLS certificate
  --plain-http        talk plain HTTP to the registry (automatic on loopback)
  --ca-file F         extra CA certificate(s) for the registry`;

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
 * An image named the skopeo way (`docker://nginx:stable`, `docker-daemon:app:1`,
 * `docker-archive:app.tar`, `oci:./layout:v1`, `oci-archive:app.tar:v1`,
 * `containers-storage:app`): the source it names and the rest (a reference, or a path with an
 * optional `:TAG`). Only with --source auto: with a --source the image is taken as written (an
 * image may be called `oci:1`). `docker:` without `//` is an image name, as in docker.
 */
export function withTransport(input: string, opts: SourceOptions): { input: string; opts: SourceOptions } {
  if (!input || opts.source !== 'auto') return { input, opts }; // (--demo: no image)
  const t = TRANSPORTS.find(([prefix]) => input.startsWith(prefix));
  if (!t) return { input, opts };
  const [prefix, source] = t;
  if (!source) {
    throw new LayerlensError(`skopeo's ${prefix} transport is not read by layerlens: copy it to an OCI layout (skopeo copy ${prefix}… oci:DIR) and open that`, 'USAGE');
  }
  const rest = input.slice(prefix.length);
  if (!rest) throw new LayerlensError(`${prefix} needs ${source === 'archive' || source === 'oci' ? 'a path' : 'an image'} after it`, 'USAGE');
  return { input: rest, opts: { ...opts, source } };
}

/** Turn parsed option values into SourceOptions (reads the password from stdin when asked). */
export async function sourceOptionsFrom(values: Record<string, unknown>): Promise<SourceOptions> {
  const source = (values.source as string | undefined) ?? 'auto';
  if (!SOURCE_CHOICES.includes(source as SourceChoice)) {
    throw new LayerlensError(`unknown --source "${source}": use one of ${SOURCE_CHOICES.join(', ')}`, 'USAGE');
  }
  // Checked here, before any source is tried: a typo is a usage error for every source (and
  // for --demo, which has one platform and would otherwise ignore it).
  if (typeof values.platform === 'string') parsePlatform(values.platform);
  let password: string | undefined;
  if (values['password-stdin']) {
    if (process.stdin.isTTY) throw new LayerlensError('--password-stdin: pipe the password in (echo "$PW" | layerlens … --password-stdin)', 'USAGE');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!values.username) throw new LayerlensError('--password-stdin needs --username', 'USAGE');
  }
  return {
    source: source as SourceChoice,
    platform: values.platform as string | undefined,
    pull: !!values.pull,
    username: values.username as string | undefined,
    password,
    insecure: !!values.insecure,
    plainHttp: !!values['plain-http'],
    caFile: values['ca-file'] as string | undefined,
    log: (line) => process.stderr.write(line + '\n'),
  };
}
