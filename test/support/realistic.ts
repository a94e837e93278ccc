/**
 * A realistic Debian image for integration tests and the benchmark: a bookworm minbase rootfs
 * made by debootstrap from the Debian mirror this machine's apt uses (read from
 * /etc/apt/sources.list* at run time), `docker import`ed, then `apt-get install nginx python3`
 * in a `docker build --network host`. Slow (minutes), so the image is cached in the test daemon
 * and its `docker save` archive in $LAYERLENS_IT_WORKDIR/realistic; a lock serialises builders.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { withDirLock } from './dir-lock.js';
import { join } from 'node:path';
import { docker, requireEnv, run, skipReason, which } from './harness.js';

export const REALISTIC_IMAGE = 'layerlens-realistic/bookworm-nginx:1';
const BASE_IMAGE = 'layerlens-realistic/bookworm-minbase:1';

/** The archive URL apt on this machine uses for a Debian `suite` (deb822 .sources or one-line .list), or undefined. */
function aptSourceFor(suite: string): string | undefined {
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d'))
    for (const f of readdirSync('/etc/apt/sources.list.d'))
      if (/\.(list|sources)$/.test(f)) files.push(join('/etc/apt/sources.list.d', f));
  const oneLine = new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${suite}\\s`, 'm');
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const para of text.split(/\n\s*\n/)) {
        const uris = para.match(/^URIs:\s*(\S+)/m)?.[1];
        const suites = para.match(/^Suites:\s*(.+)$/m)?.[1].split(/\s+/) ?? [];
        if (uris && suites.includes(suite) && !/^Enabled:\s*no/im.test(para)) return uris;
      }
    } else {
      const m = text.match(oneLine);
      if (m) return m[1];
    }
  }
  return undefined;
}

/** The Debian mirror URL apt uses for bookworm (not the security archive), or undefined. */
export function debianMirror(): string | undefined {
  return aptSourceFor('bookworm');
}

/** The Debian security archive's URL apt uses for bookworm-security, or undefined. */
export function debianSecurityMirror(): string | undefined {
  return aptSourceFor('bookworm-security');
}

/** Why the realistic image cannot be built here, or undefined. */
export function realisticSkipReason(): string | undefined {
  const base = skipReason();
  if (base) return base;
  if (!which('debootstrap')) return 'needs debootstrap on PATH';
  if (!debianMirror()) return 'no bookworm Debian mirror in /etc/apt/sources.list*';
  if (process.getuid?.() !== 0) return 'debootstrap needs root';
  return undefined;
}

async function imageExists(ref: string): Promise<boolean> {
  try {
    await docker(['image', 'inspect', ref]);
    return true;
  } catch {
    return false;
  }
}

/** Build (or reuse) the realistic image; returns the path of its `docker save` archive. */
export async function ensureRealisticImage(
  log: (s: string) => void = () => {},
): Promise<{ image: string; archive: string }> {
  const env = requireEnv();
  const dir = join(env.workdir, 'realistic');
  const archive = join(dir, 'bookworm-nginx.docker.tar');
  await mkdir(dir, { recursive: true });
  return withDirLock(join(dir, 'lock'), 'the realistic image', async () => {
    if (existsSync(archive) && (await imageExists(REALISTIC_IMAGE))) return { image: REALISTIC_IMAGE, archive };
    await buildBase(dir, log);
    const ctx = join(dir, 'context');
    await mkdir(ctx, { recursive: true });
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE}`,
        'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx python3 && rm -rf /var/lib/apt/lists/*',
        'EXPOSE 80',
        'CMD ["nginx", "-g", "daemon off;"]',
        '',
      ].join('\n'),
    );
    log('docker build --network host: apt-get install nginx python3');
    await docker(['build', '-q', '--network', 'host', '-t', REALISTIC_IMAGE, ctx], { timeoutMs: 30 * 60_000 });
    await docker(['save', '-o', archive, REALISTIC_IMAGE], { timeoutMs: 10 * 60_000 });
    return { image: REALISTIC_IMAGE, archive };
  });
}

/** The debootstrap bookworm minbase image, `docker import`ed (cached in the test daemon). */
async function buildBase(dir: string, log: (s: string) => void): Promise<void> {
  if (await imageExists(BASE_IMAGE)) return;
  const rootfs = join(dir, 'rootfs');
  await rm(rootfs, { recursive: true, force: true });
  log('debootstrap --variant=minbase bookworm (a few minutes)');
  await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, debianMirror()!], { timeoutMs: 30 * 60_000 });
  const tarball = join(dir, 'rootfs.tar');
  await run('tar', ['-C', rootfs, '--numeric-owner', '--xattrs', '-cf', tarball, '.'], { timeoutMs: 10 * 60_000 });
  await docker(['import', '--change', 'CMD ["bash"]', tarball, BASE_IMAGE], { timeoutMs: 10 * 60_000 });
  await rm(rootfs, { recursive: true, force: true });
  await rm(tarball, { force: true });
}

/** The realistic base alone (debootstrap bookworm minbase), built or reused under the same lock. */
export async function ensureRealisticBase(log: (s: string) => void = () => {}): Promise<string> {
  const env = requireEnv();
  const dir = join(env.workdir, 'realistic');
  await mkdir(dir, { recursive: true });
  return withDirLock(join(dir, 'lock'), 'the realistic image', async () => {
    await buildBase(dir, log);
    return BASE_IMAGE;
  });
}

export const REALISTIC_IMAGE_V2 = 'layerlens-realistic/bookworm-nginx:2';

/**
 * The realistic image's next version, for comparisons and the diff benchmark: the same base
 * layer, then nginx, python3 and curl with the security updates of the day applied (when the
 * host's apt knows the security archive), and one more EXPOSEd port. Built after (and cached
 * like) the first; returns its `docker save` archive.
 */
export async function ensureRealisticImageV2(
  log: (s: string) => void = () => {},
): Promise<{ image: string; archive: string; base: { image: string; archive: string } }> {
  const v1 = await ensureRealisticImage(log);
  const env = requireEnv();
  const dir = join(env.workdir, 'realistic');
  const archive = join(dir, 'bookworm-nginx-2.docker.tar');
  return withDirLock(join(dir, 'lock'), 'the realistic image', async () => {
    if (existsSync(archive) && (await imageExists(REALISTIC_IMAGE_V2)))
      return { image: REALISTIC_IMAGE_V2, archive, base: v1 };
    const ctx = join(dir, 'context-2');
    await mkdir(ctx, { recursive: true });
    const security = debianSecurityMirror();
    const upgrade = security
      ? `echo 'deb ${security} bookworm-security main' > /etc/apt/sources.list.d/security.list && `
      : '';
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE}`,
        `RUN ${upgrade}apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx python3 curl && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y && rm -rf /var/lib/apt/lists/*`,
        'EXPOSE 80 443',
        'CMD ["nginx", "-g", "daemon off;"]',
        '',
      ].join('\n'),
    );
    log('docker build --network host: the realistic image, version 2');
    await docker(['build', '-q', '--network', 'host', '-t', REALISTIC_IMAGE_V2, ctx], { timeoutMs: 30 * 60_000 });
    await docker(['save', '-o', archive, REALISTIC_IMAGE_V2], { timeoutMs: 10 * 60_000 });
    return { image: REALISTIC_IMAGE_V2, archive, base: v1 };
  });
}

export const REALISTIC_IMAGE_REBASED = 'layerlens-realistic/bookworm-nginx:2-rebased';

/**
 * The second version rebuilt on another base: the base's filesystem exported from a container and
 * imported again (the same files, another layer), then the same steps. No layer is shared with the
 * first version: the diff benchmark's worst case.
 */
export async function ensureRealisticImageRebased(
  log: (s: string) => void = () => {},
): Promise<{ image: string; archive: string }> {
  await ensureRealisticImageV2(log);
  const env = requireEnv();
  const dir = join(env.workdir, 'realistic');
  const archive = join(dir, 'bookworm-nginx-2-rebased.docker.tar');
  if (existsSync(archive) && (await imageExists(REALISTIC_IMAGE_REBASED)))
    return { image: REALISTIC_IMAGE_REBASED, archive };
  const base = 'layerlens-realistic/bookworm-minbase:1-reimported';
  const exported = join(dir, 'minbase-export.tar');
  log('re-importing the base (docker export | docker import)');
  const id = (await docker(['create', BASE_IMAGE])).stdout.trim();
  try {
    await docker(['export', '-o', exported, id], { timeoutMs: 10 * 60_000 });
  } finally {
    await docker(['rm', id]).catch(() => {});
  }
  await docker(['import', '--change', 'CMD ["bash"]', exported, base], { timeoutMs: 10 * 60_000 });
  await rm(exported, { force: true });
  const ctx = join(dir, 'context-rebased');
  await mkdir(ctx, { recursive: true });
  const dockerfile = await readFile(join(dir, 'context-2', 'Dockerfile'), 'utf8');
  await writeFile(join(ctx, 'Dockerfile'), dockerfile.replace(`FROM ${BASE_IMAGE}`, `FROM ${base}`));
  log('docker build --network host: version 2 on the re-imported base');
  await docker(['build', '-q', '--network', 'host', '-t', REALISTIC_IMAGE_REBASED, ctx], { timeoutMs: 30 * 60_000 });
  await docker(['save', '-o', archive, REALISTIC_IMAGE_REBASED], { timeoutMs: 10 * 60_000 });
  return { image: REALISTIC_IMAGE_REBASED, archive };
}
