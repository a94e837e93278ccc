/**
 * Options every image-reading command shares (explore, inspect, scan), in util.parseArgs form,
 * turned into the `SourceOptions` that sources read (src/sources/options.ts).
 */
import type { ParseArgsConfig } from 'node:util';
import { LayerlensError } from '../errors/index.js';
import { safeText } from '../text/safe-text.js';
import { parsePlatform } from '../sources/oci-layout/platform.js';
import { SOURCE_CHOICES, type SourceChoice, type SourceOptions } from '../sources/options.js';
import { MAX_TOKEN_LENGTH } from '../sources/registry/limits.js';

export const SOURCE_OPTION_SPEC = {
  source: { type: 'string' },
  platform: { type: 'string' },
  pull: { type: 'boolean' },
  username: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean' },
  insecure: { type: 'boolean' },
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
  timeout: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

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
  --ca-file F         extra CA certificate(s) for the registry
  --timeout D         give up on a registry request after D (30s, 2m, 500ms; default 30s),
                      its retries counted in; a blob download fails when it stalls for D;
                      also how long a Docker or Podman daemon may take to describe an image (default 15s)
                      and how long its export may pause once begun (default 1m)`;

/** Turn parsed option values into SourceOptions (reads the password from stdin when asked). */
export async function sourceOptionsFrom(values: Record<string, unknown>): Promise<SourceOptions> {
  const source = (values.source as string | undefined) ?? 'auto';
  if (!SOURCE_CHOICES.includes(source as SourceChoice)) {
    throw new LayerlensError(`unknown --source "${source}": use one of ${SOURCE_CHOICES.join(', ')}`, 'USAGE');
  }
  // Checked here, before any source is tried: a typo is a usage error for every source (and
  // for --demo, which has one platform and would otherwise ignore it).
  if (typeof values.platform === 'string') parsePlatform(values.platform);
  const timeoutMs = parseDuration('--timeout', values.timeout);
  let password: string | undefined;
  if (values['password-stdin']) {
    if (process.stdin.isTTY)
      throw new LayerlensError(
        '--password-stdin: pipe the password in (echo "$PW" | layerlens … --password-stdin)',
        'USAGE',
      );
    if (!values.username) throw new LayerlensError('--password-stdin needs --username', 'USAGE');
    password = await readPassword(process.stdin);
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
    timeoutMs,
    // Escaped: a source's progress quotes what a daemon or registry sent.
    log: (line) => process.stderr.write(`${safeText(line)}\n`),
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as Go and trivy write them (`30s`, `2m`, `1m30s`, `500ms`, `1h`) or a bare number
 * of seconds; undefined when the flag is not given. From 100 ms to 24 h.
 */
export function parseDuration(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v).trim();
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) {
    ms = 0;
    for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * UNIT_MS[unit];
  }
  if (ms === undefined || !Number.isFinite(ms))
    throw new LayerlensError(`${flag} "${safeText(text)}": use a duration such as 30s, 2m or 500ms`, 'USAGE');
  if (ms < 100 || ms > 86_400_000)
    throw new LayerlensError(`${flag} ${safeText(text)}: use a duration from 100ms to 24h`, 'USAGE');
  return Math.round(ms);
}

/**
 * --password-stdin's password: stdin up to its end, one trailing newline dropped (as `docker
 * login` reads it). Bounded: it goes into the Authorization header of every request, as a token
 * does, so past a token's bound (MAX_TOKEN_LENGTH) reading stops with a usage error; a file or an
 * endless stream piped in by mistake is not read into memory whole.
 */
export async function readPassword(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  const tooLong = () =>
    new LayerlensError(
      `--password-stdin: more than ${MAX_TOKEN_LENGTH >> 10} KiB on stdin, longer than any password or token: pipe in the password alone`,
      'USAGE',
    );
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stdin) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    chunks.push(b);
    n += b.length;
    // (+2: the line end dropped below.)
    if (n > MAX_TOKEN_LENGTH + 2) throw tooLong();
  }
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (Buffer.byteLength(password) > MAX_TOKEN_LENGTH) throw tooLong();
  return password;
}
