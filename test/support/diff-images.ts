/**
 * Images for the comparison tests, built by the real Docker engine of the test harness (legacy
 * builder, FROM scratch with a static busybox) and exported the ways layerlens reads them:
 *
 *   base:1   busybox; Debian-style os-release and dpkg status (libc6 of glibc 2.36-9+deb12u1,
 *            affected by CVE-2023-4911; openssl 3.0.11; libfoo1);
 *            /etc/legacy.conf; /etc/base.ini with a fake GitHub token
 *   base:2   the updated base: the same busybox layer (byte for byte: its files' times are
 *            fixed), then glibc 2.36-9+deb12u4 (fixed), openssl 3.0.13, libfoo1 gone, curl added,
 *            legacy.conf gone, base.ini without the token
 *   app-a:1  FROM base:1: COPY app/ (run.sh, settings.ini, data.bin, lodash 4.17.21 in
 *            node_modules), EXPOSE 8080, USER 1000
 *   app-a:2  the same app rebuilt FROM base:2, with an AWS key added (app/.aws/credentials),
 *            data.bin changed at the same size, lodash 4.17.15 (affected by CVE-2021-23337),
 *            EXPOSE 8080 5432, ENV MODE=prod
 *   app-b:1  another app FROM base:1 (shares base:1's layers with app-a:1)
 *
 * Every image is in the daemon; app-a:1 and app-a:2 also as `docker save` archives, skopeo OCI
 * layouts (gzip layers) and in the harness registry. Secrets are generated at run time.
 */
import { randomBytes } from 'node:crypto';
import { lutimes, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { upperAlnum } from './fake-secrets.js';
import { writeRootfs } from './fixtures.js';
import { docker, requireEnv, run } from './harness.js';

export const DIFF_IMAGES = {
  base1: 'layerlens-diff/base:1',
  base2: 'layerlens-diff/base:2',
  a1: 'layerlens-diff/app-a:1',
  a2: 'layerlens-diff/app-a:2',
  b1: 'layerlens-diff/app-b:1',
} as const;

export interface DiffImages {
  images: typeof DIFF_IMAGES;
  /** docker save archives. */
  archives: { a1: string; a2: string };
  /** skopeo OCI layouts (gzip layers), tag `1`. */
  layouts: { a1: string; a2: string };
  /** Registry references. */
  registry: { a1: string; a2: string };
  secrets: { baseToken: string; awsKey: string };
}

const status = (pkgs: Array<[string, string, string?]>) =>
  pkgs
    .map(
      ([n, v, src]) =>
        `Package: ${n}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\n${src ? `Source: ${src}\n` : ''}Version: ${v}\nDescription: fixture package ${n}\n`,
    )
    .join('\n');

const npmPackage = (name: string, version: string) => JSON.stringify({ name, version, description: 'fixture' });

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

let memo: Promise<DiffImages> | undefined;

export function ensureDiffImages(): Promise<DiffImages> {
  memo ??= build().catch((err) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

async function build(): Promise<DiffImages> {
  const env = requireEnv();
  const dir = join(env.workdir, 'diff-images');
  await rm(dir, { recursive: true, force: true });
  const ctx = (name: string) => join(dir, 'contexts', name);
  const put = async (base: string, files: Record<string, string>) => {
    for (const [p, content] of Object.entries(files)) {
      await mkdir(join(base, p, '..'), { recursive: true });
      await writeFile(join(base, p), content);
    }
  };
  const b62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const secrets = {
    baseToken: 'ghp_' + Array.from(randomBytes(36), (b) => b62[b % 62]).join(''),
    // (AWS key ids are base32: no 0, 1, 8, 9.)
    awsKey: `AKIA${upperAlnum(16).replace(/[0189]/g, '7')}`,
  };

  const baseDockerfile = 'FROM scratch\nCOPY rootfs/ /\nCOPY files/ /\n';
  for (const [name, files] of [
    [
      'base1',
      {
        'files/etc/os-release': OS_RELEASE,
        'files/var/lib/dpkg/status': status([
          ['libc6', '2.36-9+deb12u1', 'glibc'],
          ['libfoo1', '1.0-1'],
          ['openssl', '3.0.11-1~deb12u1'],
        ]),
        'files/etc/legacy.conf': 'legacy=1\n',
        'files/etc/base.ini': `[github]\nuser = base-bot\ntoken = ${secrets.baseToken}\n`,
      },
    ],
    [
      'base2',
      {
        'files/etc/os-release': OS_RELEASE,
        'files/var/lib/dpkg/status': status([
          ['curl', '7.88.1-10+deb12u5'],
          ['libc6', '2.36-9+deb12u4', 'glibc'],
          ['openssl', '3.0.13-1~deb12u1'],
        ]),
        'files/etc/base.ini': '[github]\nuser = base-bot\n',
      },
    ],
  ] as const) {
    await writeRootfs(join(ctx(name), 'rootfs'));
    await put(ctx(name), { ...files, Dockerfile: baseDockerfile });
    // The busybox layer the same in both bases; their other files of another day.
    await fixTimes(join(ctx(name), 'files'), name === 'base1' ? OLD_DAY : NEW_DAY);
    await fixTimes(join(ctx(name), 'rootfs'), OLD_DAY);
  }

  const appDockerfile = (extra: string) =>
    `ARG BASE\nFROM \${BASE}\nCOPY app/ /app/\n${extra}EXPOSE 8080\nUSER 1000\nCMD ["/app/run.sh"]\n`;
  await put(ctx('a1'), {
    Dockerfile: appDockerfile(''),
    'app/run.sh': '#!/bin/sh\nexec /app/server\n',
    'app/settings.ini': 'port = 8080\n',
    'app/data.bin': 'AAAAAAAA',
    'app/node_modules/lodash/package.json': npmPackage('lodash', '4.17.21'),
  });
  await put(ctx('a2'), {
    Dockerfile: appDockerfile('EXPOSE 5432\nENV MODE=prod\n'),
    'app/run.sh': '#!/bin/sh\nexec /app/server\n',
    'app/settings.ini': 'port = 8080\n',
    'app/data.bin': 'BBBBBBBB',
    'app/node_modules/lodash/package.json': npmPackage('lodash', '4.17.15'),
    'app/.aws/credentials': `[default]\naws_access_key_id = ${secrets.awsKey}\n`,
  });
  await put(ctx('b1'), {
    Dockerfile: appDockerfile(''),
    'app/run.sh': '#!/bin/sh\nexec /app/other\n',
  });

  // The rebuild's unchanged files differ from the first build's in modification time only.
  await fixTimes(join(ctx('a1'), 'app'), OLD_DAY);
  await fixTimes(join(ctx('a2'), 'app'), NEW_DAY);
  await fixTimes(join(ctx('b1'), 'app'), OLD_DAY);
  const I = DIFF_IMAGES;
  await docker(['build', '-q', '-t', I.base1, ctx('base1')]);
  await docker(['build', '-q', '-t', I.base2, ctx('base2')]);
  await docker(['build', '-q', '--build-arg', `BASE=${I.base1}`, '-t', I.a1, ctx('a1')]);
  await docker(['build', '-q', '--build-arg', `BASE=${I.base2}`, '-t', I.a2, ctx('a2')]);
  await docker(['build', '-q', '--build-arg', `BASE=${I.base1}`, '-t', I.b1, ctx('b1')]);

  const archives = { a1: join(dir, 'app-a-1.docker.tar'), a2: join(dir, 'app-a-2.docker.tar') };
  await docker(['save', '-o', archives.a1, I.a1]);
  await docker(['save', '-o', archives.a2, I.a2]);
  const skopeo = (args: string[]) => run('skopeo', ['--insecure-policy', ...args]);
  const layouts = { a1: join(dir, 'app-a-1-oci'), a2: join(dir, 'app-a-2-oci') };
  await skopeo(['copy', '-q', `docker-archive:${archives.a1}`, `oci:${layouts.a1}:1`]);
  await skopeo(['copy', '-q', `docker-archive:${archives.a2}`, `oci:${layouts.a2}:1`]);
  const registry = { a1: `${env.registry}/diff/app-a:1`, a2: `${env.registry}/diff/app-a:2` };
  for (const [from, to] of [
    [archives.a1, registry.a1],
    [archives.a2, registry.a2],
  ])
    await skopeo(['copy', '-q', '--dest-tls-verify=false', `docker-archive:${from}`, `docker://${to}`]);
  // (The contexts held the secrets: gone once built.)
  await rm(join(dir, 'contexts'), { recursive: true, force: true });
  return { images: I, archives, layouts, registry, secrets };
}

const OLD_DAY = new Date('2024-01-01T00:00:00Z');
const NEW_DAY = new Date('2024-06-01T00:00:00Z');

/** Every entry below `dir` (and `dir`) gets the modification time `t`: builds of it are byte for byte the same. */
async function fixTimes(dir: string, t: Date): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await fixTimes(p, t);
    else await lutimes(p, t, t);
  }
  await lutimes(dir, t, t);
}
