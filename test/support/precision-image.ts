/**
 * An image of ordinary dependency trees, for the secret scanner's precision test: the realistic
 * Debian image (test/support/realistic.ts) plus Python, Perl, Ruby and Go libraries as Debian ships them (apt-get in a
 * `docker build --network host`: PyPI is not reachable here) and the node_modules of popular npm
 * packages (`npm install` from the npm registry into the build context). On top of them, one
 * layer of generated real-shaped secrets (every rule's true positive, test/support/secret-cases.ts)
 * and one layer that deletes half of them. Built once per test run and cached in the test daemon;
 * its `docker save` archive in $LAYERLENS_IT_WORKDIR/precision.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { withDirLock } from './dir-lock.js';
import { dirname, join } from 'node:path';
import { docker, requireEnv, run } from './harness.js';
import { ensureRealisticImage, REALISTIC_IMAGE } from './realistic.js';
import { CASES } from './secret-cases.js';

export const PRECISION_IMAGE = 'layerlens-precision/deps:1';

/** npm packages whose trees hold SDK docs, test files, example keys and PEM headers. */
export const NPM_PACKAGES = [
  'express',
  'aws-sdk',
  'firebase-admin',
  'firebase',
  'googleapis',
  'stripe',
  'twilio',
  'mongoose',
  'jest',
  'jsonwebtoken',
  'jose',
  'pg',
  'mysql2',
  'ioredis',
  '@sendgrid/mail',
  '@slack/web-api',
  '@octokit/rest',
  'openai',
  'nodemailer',
  'sequelize',
  'passport',
  'dotenv',
  'axios',
  'discord.js',
  'knex',
  '@google-cloud/storage',
  '@azure/storage-blob',
  // Code generated from API schemas (PascalCase model names in a credential's place) and a query
  // engine shipped as base64 wasm in a JS file (token look-alikes inside encoded data).
  '@datadog/datadog-api-client',
  '@prisma/client',
  // Generated type declarations whose names fill a token's length (`secret_access_key:
  // SandboxesSandboxAwsMountStaticAuthConfig.SecretAccessKey`) and self-assigned exports.
  'langsmith',
  // Signs with a key of its own to probe crypto support; bundled and minified below.
  'ssh2',
];

/**
 * Published keys away from their packages (found by their digest, reported as published):
 * ssh2's probe key in a minified bundle that names no module, Mojolicious's development key
 * copied into the app's tree.
 */
export const PUBLISHED_COPIES = { bundle: '/app/dist/server.min.js', copy: '/srv/tls/server.key' };

/** Python libraries as Debian packages them (dist-packages). */
export const DEBIAN_PYTHON = [
  'python3-boto3',
  'python3-botocore',
  'python3-django',
  'python3-google-auth',
  'python3-paramiko',
  'python3-requests',
  'python3-cryptography',
  'python3-jwt',
  'python3-oauthlib',
  'python3-sqlalchemy',
  'python3-flask',
  'python3-celery',
  'python3-twilio',
  'python3-redis',
];

/**
 * Other languages' libraries as Debian packages them: Perl with POD documentation holding example
 * keys and URLs, and a web framework's built-in development certificate; Ruby, Go and Rust
 * libraries with their test keys.
 */
export const DEBIAN_LIBRARIES = [
  'libmojolicious-perl',
  'libcrypt-jwt-perl',
  'ruby-net-ssh',
  'golang-golang-x-crypto-dev',
  // Rust crates' sources (/usr/share/cargo/registry): test CAs, benches, #[cfg(test)] modules.
  'librust-rustls-dev',
  'librust-pem-dev',
];

export interface PlantedSecret {
  ruleId: string;
  path: string;
  /** The layer that deletes it, or null when it ships in the final image. */
  deletedIn: number | null;
}

export interface PrecisionImage {
  archive: string;
  planted: PlantedSecret[];
  /** The index of the layer that holds the planted secrets. */
  plantLayer: number;
}

/** Where each case's true positive goes in the image: its credential-file path, else a file of its own. */
function plantedPath(id: string, path: string | undefined, i: number): string {
  if (!path) return `/srv/leaks/${id}.conf`;
  // Credential files keep their name (and the directory their rule reads): under a home of their own.
  return path.replace(/^\/(?:root|app|src|var\/www\/html)/, `/srv/leaks/case${i}`);
}

export async function ensurePrecisionImage(log: (s: string) => void = () => {}): Promise<PrecisionImage> {
  const env = requireEnv();
  const dir = join(env.workdir, 'precision');
  const archive = join(dir, 'precision.docker.tar');
  const ctx = join(dir, 'context');
  await mkdir(dir, { recursive: true });
  const planted: PlantedSecret[] = CASES.map((c, i) => ({
    ruleId: c.id,
    path: plantedPath(c.id, c.path, i),
    deletedIn: i % 2 === 1 ? 0 : null, // (set to the deleting layer's index below)
  }));
  await withDirLock(join(dir, 'lock'), 'the precision image', async () => {
    await ensureRealisticImage(log);
    // The planted secrets are made anew each build (they are random): the whole context is rebuilt.
    await rm(ctx, { recursive: true, force: true });
    await mkdir(join(ctx, 'app'), { recursive: true });
    await writeFile(
      join(ctx, 'app', 'package.json'),
      JSON.stringify({ name: 'precision-app', version: '1.0.0', private: true }),
    );
    log(`npm install ${NPM_PACKAGES.length} packages into the build context`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...NPM_PACKAGES], {
      cwd: join(ctx, 'app'),
      timeoutMs: 20 * 60_000,
    });
    // (What a minifier leaves of the module: its lines joined, no module marker.)
    const ssh2 = await readFile(join(ctx, 'app/node_modules/ssh2/lib/protocol/constants.js'), 'utf8');
    await mkdir(join(ctx, dirname(PUBLISHED_COPIES.bundle)), { recursive: true });
    await writeFile(join(ctx, PUBLISHED_COPIES.bundle), ssh2.replace(/\n\s*/g, ''));
    for (const [i, c] of CASES.entries()) {
      const file = join(ctx, 'leaks', planted[i].path.slice(1));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, c.tp());
    }
    const removed = planted.filter((p) => p.deletedIn !== null).map((p) => p.path);
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${REALISTIC_IMAGE}`,
        `RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${[...DEBIAN_PYTHON, ...DEBIAN_LIBRARIES].join(' ')} && rm -rf /var/lib/apt/lists/* && mkdir -p ${dirname(PUBLISHED_COPIES.copy)} && cp /usr/share/perl5/Mojo/IOLoop/resources/server.key ${PUBLISHED_COPIES.copy}`,
        'COPY leaks/ /',
        `RUN rm -f ${removed.join(' ')}`,
        // (Last: the test daemon's vfs storage copies every layer below into each new one.)
        'COPY app /app',
        '',
      ].join('\n'),
    );
    log(
      `docker build --network host: ${DEBIAN_PYTHON.length + DEBIAN_LIBRARIES.length} Debian library packages, node_modules, planted secrets`,
    );
    await docker(['build', '-q', '--network', 'host', '-t', PRECISION_IMAGE, ctx], { timeoutMs: 30 * 60_000 });
    await docker(['save', '-o', archive, PRECISION_IMAGE], { timeoutMs: 10 * 60_000 });
    if (!existsSync(archive)) throw new Error('docker save wrote no archive');
  });
  // Layers: the realistic image's (its filesystem layers), apt, leaks, rm, app.
  const { stdout } = await docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', PRECISION_IMAGE]);
  const layers = Number(stdout.trim());
  const plantLayer = layers - 3;
  for (const p of planted) if (p.deletedIn !== null) p.deletedIn = layers - 2;
  return { archive, planted, plantLayer };
}
