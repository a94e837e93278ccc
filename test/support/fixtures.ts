/**
 * Fixture images for integration tests, built ONCE per test run against the
 * throwaway dockerd of scripts/test-all.sh and exported in every shape layerlens
 * reads. Test files run in separate processes, so the build is guarded by a lock
 * directory and a marker file (ready.json) in $LAYERLENS_IT_WORKDIR/fixtures.
 *
 * Dockerfiles: test/support/dockerfiles/{basic,hostile}.Dockerfile.
 * Build contexts (busybox rootfs, fake key, fake token) are generated into
 * $LAYERLENS_IT_WORKDIR/contexts at build time; no secret-looking data is committed.
 *
 * `docker save` shape: Debian 12 ships docker.io 20.10.24 (API 1.41), whose
 * `docker save` writes the LEGACY shape: manifest.json
 * [{Config:"<imageid>.json", RepoTags, Layers:["<v1id>/layer.tar", ...]}],
 * `repositories`, and per layer `<v1id>/{VERSION,json,layer.tar}` with
 * uncompressed layers (the dir names are v1 ids, not diffIDs). No oci-layout /
 * index.json. `Fixtures.dockerSaveShape` records what was actually seen.
 * skopeo's docker-archive writer (basic.legacy.tar, made from the OCI layout)
 * writes another legacy variant: `<diffid-hex>.tar` layer files and
 * `<configdigest-hex>.json` at the top level (manifest.json points at those),
 * plus `<v1id>/{VERSION,json}` and `<v1id>/layer.tar` as SYMLINKS to
 * `../<diffid-hex>.tar`; RepoTags is fully qualified
 * ("docker.io/layerlens-fixture/basic:1").
 * skopeo's oci: layouts from a docker-archive get gzip layers
 * (…tar+gzip); basic-oci-zstd gets …tar+zstd.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { githubToken as githubStyleToken } from './fake-secrets.js';
import { docker, requireEnv, run, which } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCKERFILES = join(HERE, 'dockerfiles');
/** Bump when the Dockerfiles or the export steps change (invalidates ready.json). */
const FIXTURE_VERSION = 2;

export const FIXTURE_IMAGES = {
  basic: 'layerlens-fixture/basic:1',
  hostile: 'layerlens-fixture/hostile:1',
} as const;

export interface FixtureSecrets {
  /** PEM/OpenSSH text of the private key added in L2 at /root/.ssh/id_rsa and deleted in L3 */
  sshPrivateKey: string;
  /** where the key was in the image */
  sshKeyPath: string;
  /** fake GitHub token (ghp_ + 36 base62) in /etc/app/config.ini of L6, gone in L7 */
  githubToken: string;
  /** value of ENV API_TOKEN (config only) */
  apiToken: string;
  /** value of --build-arg BUILD_SECRET (appears in history as |1 BUILD_SECRET=...) */
  buildSecret: string;
}

export interface LayerExpectation {
  /** Dockerfile instruction that made the layer (abbreviated) */
  instruction: string;
  /** paths the layer tar contains (archive paths, no leading '/'; dirs without trailing '/') */
  contains: string[];
  /** whiteout entries the layer holds */
  whiteouts: string[];
}

/**
 * Non-empty layers of basic:1, oldest first, as verified against the vfs
 * daemon (docker history + the layer tars). The vfs driver computes diffs by
 * walking both trees, so "rm -rf dir && mkdir dir" produces per-file whiteouts
 * (opt/app/.wh.sub), NOT an opaque whiteout (.wh..wh..opq); overlay2 would
 * differ. Parent directories appear in each layer that changes below them.
 */
export const BASIC_LAYERS: LayerExpectation[] = [
  { instruction: 'COPY rootfs/ /', contains: ['bin/busybox', 'bin/sh'], whiteouts: [] },
  { instruction: 'COPY id_rsa /root/.ssh/id_rsa', contains: ['root/.ssh/id_rsa'], whiteouts: [] },
  { instruction: 'RUN rm /root/.ssh/id_rsa', contains: ['root/.ssh'], whiteouts: ['root/.ssh/.wh.id_rsa'] },
  {
    instruction: 'RUN mkdir -p /opt/app/sub && echo a > /opt/app/sub/f && echo keep > /opt/keep',
    contains: ['opt/app/sub/f', 'opt/keep'],
    whiteouts: [],
  },
  {
    instruction: 'RUN rm -rf /opt/app && mkdir -p /opt/app && echo new > /opt/app/g',
    contains: ['opt/app/g'],
    whiteouts: ['opt/app/.wh.sub'],
  },
  { instruction: 'COPY config.v1.ini /etc/app/config.ini', contains: ['etc/app/config.ini'], whiteouts: [] },
  { instruction: 'COPY config.v2.ini /etc/app/config.ini', contains: ['etc/app/config.ini'], whiteouts: [] },
  {
    instruction: 'RUN mkdir -p /data && echo data > /data/file && ln /data/file /data/hard',
    contains: ['data/file', 'data/hard'],
    whiteouts: [],
  },
  {
    instruction: 'COPY suid-helper /usr/local/bin/suid-helper',
    contains: ['usr/local/bin/suid-helper'],
    whiteouts: [],
  },
  { instruction: 'RUN chmod 4755 /usr/local/bin/suid-helper', contains: ['usr/local/bin/suid-helper'], whiteouts: [] },
  {
    instruction: '|1 BUILD_SECRET=... RUN test -n "$BUILD_SECRET" && echo ... > /etc/app/build-info',
    contains: ['etc/app/build-info'],
    whiteouts: [],
  },
];

export interface Fixtures {
  version: number;
  /** $LAYERLENS_IT_WORKDIR */
  workdir: string;
  /** $LAYERLENS_IT_WORKDIR/fixtures: all artifacts below */
  dir: string;
  /** registry host:port the images were pushed to (plain HTTP) */
  registryHost: string;
  images: { basic: string; hostile: string };
  /** image IDs (config digests) in the test daemon */
  imageIds: { basic: string; hostile: string };
  /** `docker version` of the test daemon / CLI */
  dockerServerVersion: string;
  dockerClientVersion: string;
  /** shape of `docker save` output seen: 'legacy' (<id>/layer.tar) or 'oci' (oci-layout + manifest.json) */
  dockerSaveShape: 'legacy' | 'oci';
  /** sorted entry names of basic.docker.tar (for format tests) */
  dockerSaveEntries: string[];
  /** `docker save` of basic (uncompressed tar) */
  basicDockerTar: string;
  /** gzip of basicDockerTar */
  basicDockerTarGz: string;
  /** skopeo docker-archive: writer output (legacy variant: <diffid>.tar layers) */
  basicLegacyTar: string;
  /** `docker save` of hostile */
  hostileDockerTar: string;
  /** OCI image layout dir (gzip layers), tag in ociTag */
  basicOciLayout: string;
  /** oci-archive (tar of an OCI layout), tag in ociTag */
  basicOciArchive: string;
  /** OCI image layout dir with zstd-compressed layers (media type ...tar+zstd) */
  basicOciZstdLayout: string;
  /** OCI layout of hostile */
  hostileOciLayout: string;
  /** the tag (index.json org.opencontainers.image.ref.name) used in the OCI layouts */
  ociTag: string;
  /** registry references (pushed with skopeo) */
  registry: {
    basic: string;
    basicDigest: string;
    basicZstd: string;
    basicZstdDigest: string;
    hostile: string;
    hostileDigest: string;
  };
  /** generated fake secrets, so tests can assert detection without hard-coding */
  secrets: FixtureSecrets;
  /** exposed ports in basic's config */
  exposedPorts: string[];
  /** USER of basic */
  user: string;
  /** RootFS.Layers (diffIDs) of basic, oldest first */
  basicDiffIds: string[];
  /** `docker history --no-trunc` of basic, newest first, as the CLI shows it */
  basicHistory: Array<{ id: string; createdBy: string; size: string }>;
}

const BUSYBOX_APPLETS = [
  'sh',
  'rm',
  'ln',
  'chmod',
  'mkdir',
  'cp',
  'mv',
  'echo',
  'printf',
  'touch',
  'cat',
  'ls',
  'test',
  '[',
  'env',
  'id',
  'wc',
  'true',
  'false',
  'tr',
  'head',
  'sleep',
];

let memo: Promise<Fixtures> | undefined;

/**
 * Build the fixture images and artifacts once per run (across processes) and
 * return their paths. Requires the integration environment.
 */
export function ensureFixtures(): Promise<Fixtures> {
  memo ??= ensureFixturesOnce().catch((err) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

async function ensureFixturesOnce(): Promise<Fixtures> {
  const env = requireEnv();
  const dir = join(env.workdir, 'fixtures');
  const marker = join(dir, 'ready.json');
  const lock = join(env.workdir, 'fixtures.lock');
  await mkdir(dir, { recursive: true });

  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    const ready = await readMarker(marker);
    if (ready) return ready;
    if (await tryLock(lock)) {
      try {
        const again = await readMarker(marker);
        if (again) return again;
        const fx = await buildAll(env.workdir, dir, env.registry);
        await writeFile(`${marker}.tmp`, JSON.stringify(fx, null, 2));
        await rename(`${marker}.tmp`, marker);
        return fx;
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for fixture lock ${lock}`);
    await sleep(500);
  }
}

async function readMarker(marker: string): Promise<Fixtures | undefined> {
  try {
    const fx = JSON.parse(await readFile(marker, 'utf8')) as Fixtures;
    return fx.version === FIXTURE_VERSION ? fx : undefined;
  } catch {
    return undefined;
  }
}

/** mkdir-based lock; a lock whose owner process is gone is broken. */
async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), String(process.pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
    let age = 0;
    try {
      age = Date.now() - (await stat(lock)).mtimeMs;
    } catch {
      return false;
    }
    const dead = pid > 0 ? !alive(pid) : age > 10_000;
    if (dead) await rm(lock, { recursive: true, force: true });
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function buildAll(workdir: string, dir: string, registryHost: string): Promise<Fixtures> {
  const t0 = Date.now();
  const log = (msg: string) => process.stderr.write(`[fixtures +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
  const secrets = makeSecrets();
  const contexts = join(workdir, 'contexts');
  await rm(contexts, { recursive: true, force: true });
  // Start from an empty artifact dir (a half-finished earlier attempt must not leak in;
  // skopeo refuses to add to an existing docker-archive).
  for (const e of await readdir(dir)) await rm(join(dir, e), { recursive: true, force: true });

  // --- build contexts ---
  const basicCtx = join(contexts, 'basic');
  const hostileCtx = join(contexts, 'hostile');
  for (const ctx of [basicCtx, hostileCtx]) await writeRootfs(join(ctx, 'rootfs'));

  const basicDockerfile = (await readFile(join(DOCKERFILES, 'basic.Dockerfile'), 'utf8')).replaceAll(
    '@API_TOKEN@',
    secrets.apiToken,
  );
  await writeFile(join(basicCtx, 'Dockerfile'), basicDockerfile);
  await writeFile(join(basicCtx, 'id_rsa'), secrets.sshPrivateKey, { mode: 0o600 });
  await writeFile(
    join(basicCtx, 'config.v1.ini'),
    `# layerlens test fixture (fake credentials)\n[github]\nuser = fixture-bot\ntoken = ${secrets.githubToken}\n`,
  );
  await writeFile(join(basicCtx, 'config.v2.ini'), '# layerlens test fixture\n[github]\nuser = fixture-bot\n');
  await writeFile(join(basicCtx, 'suid-helper'), '#!/bin/sh\necho "layerlens fixture helper"\n', { mode: 0o755 });
  await copyFile(join(DOCKERFILES, 'hostile.Dockerfile'), join(hostileCtx, 'Dockerfile'));

  // --- images ---
  log(`docker build ${FIXTURE_IMAGES.basic}`);
  await docker([
    'build',
    '-q',
    '-t',
    FIXTURE_IMAGES.basic,
    '--build-arg',
    `BUILD_SECRET=${secrets.buildSecret}`,
    basicCtx,
  ]);
  log(`docker build ${FIXTURE_IMAGES.hostile}`);
  await docker(['build', '-q', '-t', FIXTURE_IMAGES.hostile, hostileCtx]);

  const imageId = async (ref: string) => (await docker(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
  const inspect = JSON.parse((await docker(['image', 'inspect', FIXTURE_IMAGES.basic])).stdout)[0];
  const historyOut = (await docker(['history', '--no-trunc', '--format', '{{json .}}', FIXTURE_IMAGES.basic])).stdout;
  const basicHistory = historyOut
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ID: string; CreatedBy: string; Size: string })
    .map((h) => ({ id: h.ID, createdBy: h.CreatedBy, size: h.Size }));
  const versions = JSON.parse((await docker(['version', '--format', '{{json .}}'])).stdout);

  // --- docker save ---
  const basicDockerTar = join(dir, 'basic.docker.tar');
  const basicDockerTarGz = join(dir, 'basic.docker.tar.gz');
  const hostileDockerTar = join(dir, 'hostile.docker.tar');
  log('docker save');
  await docker(['save', '-o', basicDockerTar, FIXTURE_IMAGES.basic]);
  await docker(['save', '-o', hostileDockerTar, FIXTURE_IMAGES.hostile]);
  await pipeline(createReadStream(basicDockerTar), createGzip(), createWriteStream(basicDockerTarGz));
  for (const f of [basicDockerTar, hostileDockerTar, basicDockerTarGz]) await chmod(f, 0o644);
  const dockerSaveEntries = (await run('tar', ['-tf', basicDockerTar])).stdout.split('\n').filter(Boolean).sort();
  const dockerSaveShape = dockerSaveEntries.includes('oci-layout') ? 'oci' : 'legacy';

  // --- skopeo conversions (no daemon transport needed: read the docker-archive) ---
  const ociTag = '1';
  const skopeo = (args: string[]) => run('skopeo', ['--insecure-policy', ...args]);
  const basicOciLayout = join(dir, 'basic-oci');
  const basicOciArchive = join(dir, 'basic.oci.tar');
  const basicOciZstdLayout = join(dir, 'basic-oci-zstd');
  const hostileOciLayout = join(dir, 'hostile-oci');
  const basicLegacyTar = join(dir, 'basic.legacy.tar');
  const src = `docker-archive:${basicDockerTar}`;
  log('skopeo copy → oci layouts / archives');
  await skopeo(['copy', '-q', src, `oci:${basicOciLayout}:${ociTag}`]);
  await skopeo(['copy', '-q', src, `oci-archive:${basicOciArchive}:${ociTag}`]);
  await skopeo([
    'copy',
    '-q',
    '--dest-compress',
    '--dest-compress-format',
    'zstd',
    src,
    `oci:${basicOciZstdLayout}:${ociTag}`,
  ]);
  await skopeo(['copy', '-q', `docker-archive:${hostileDockerTar}`, `oci:${hostileOciLayout}:${ociTag}`]);
  await skopeo([
    'copy',
    '-q',
    `oci:${basicOciLayout}:${ociTag}`,
    `docker-archive:${basicLegacyTar}:${FIXTURE_IMAGES.basic}`,
  ]);

  // --- push to the test registry ---
  log(`skopeo copy → docker://${registryHost}`);
  const push = async (from: string, to: string, extra: string[] = []) => {
    const digestFile = join(dir, `digest-${createHash('sha256').update(to).digest('hex').slice(0, 12)}`);
    await skopeo([
      'copy',
      '-q',
      '--dest-tls-verify=false',
      '--digestfile',
      digestFile,
      ...extra,
      from,
      `docker://${to}`,
    ]);
    return (await readFile(digestFile, 'utf8')).trim();
  };
  const registry = {
    basic: `${registryHost}/fixture/basic:1`,
    basicZstd: `${registryHost}/fixture/basic:1-zstd`,
    hostile: `${registryHost}/fixture/hostile:1`,
    basicDigest: '',
    basicZstdDigest: '',
    hostileDigest: '',
  };
  registry.basicDigest = await push(src, registry.basic);
  registry.basicZstdDigest = await push(`oci:${basicOciZstdLayout}:${ociTag}`, registry.basicZstd);
  registry.hostileDigest = await push(`docker-archive:${hostileDockerTar}`, registry.hostile);
  log('done');

  return {
    version: FIXTURE_VERSION,
    workdir,
    dir,
    registryHost,
    images: { ...FIXTURE_IMAGES },
    imageIds: { basic: await imageId(FIXTURE_IMAGES.basic), hostile: await imageId(FIXTURE_IMAGES.hostile) },
    dockerServerVersion: String(versions?.Server?.Version ?? ''),
    dockerClientVersion: String(versions?.Client?.Version ?? ''),
    dockerSaveShape,
    dockerSaveEntries,
    basicDockerTar,
    basicDockerTarGz,
    basicLegacyTar,
    hostileDockerTar,
    basicOciLayout,
    basicOciArchive,
    basicOciZstdLayout,
    hostileOciLayout,
    ociTag,
    registry,
    secrets,
    exposedPorts: Object.keys(inspect?.Config?.ExposedPorts ?? {}).sort(),
    user: String(inspect?.Config?.User ?? ''),
    basicDiffIds: (inspect?.RootFS?.Layers ?? []) as string[],
    basicHistory,
  };
}

/** rootfs/bin/busybox (static) + applet symlinks. */
export async function writeRootfs(rootfs: string): Promise<void> {
  const bin = join(rootfs, 'bin');
  await mkdir(bin, { recursive: true });
  const busybox = findStaticBusybox();
  await copyFile(busybox, join(bin, 'busybox'));
  await chmod(join(bin, 'busybox'), 0o755);
  for (const applet of BUSYBOX_APPLETS) await symlink('busybox', join(bin, applet));
  await mkdir(join(rootfs, 'tmp'), { recursive: true });
  await chmod(join(rootfs, 'tmp'), 0o1777);
}

function findStaticBusybox(): string {
  const candidates = [process.env.LAYERLENS_IT_BUSYBOX, '/bin/busybox', '/usr/bin/busybox', which('busybox')];
  for (const c of candidates) {
    if (c && existsSync(c)) return c;
  }
  throw new Error('static busybox not found: apt-get install busybox-static (or set LAYERLENS_IT_BUSYBOX)');
}

function makeSecrets(): FixtureSecrets {
  // (With its CRC-32 tail: a ghp_ token without one is reported as a made-up value.)
  const githubToken = githubStyleToken();
  return {
    sshPrivateKey: generateSshKey(),
    sshKeyPath: '/root/.ssh/id_rsa',
    githubToken,
    apiToken: `lltest_${randomBytes(16).toString('hex')}`,
    buildSecret: `llbuild_${randomBytes(12).toString('hex')}`,
  };
}

/** A throwaway RSA key: PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), generated fresh each run. */
function generateSshKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return privateKey;
}

/** For debugging: list a directory's files (used by the harness smoke test). */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, prefix: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), rel);
      else out.push(rel);
    }
  };
  await walk(root, '');
  return out.sort();
}
