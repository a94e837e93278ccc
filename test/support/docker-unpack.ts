/**
 * A layer tar as the Docker engine unpacks it, for the tests that hold the tree to the runtime:
 * `docker import` the tar as an image, `docker export` a container of it, and read what came out.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { listExport } from './export-list.js';
import { docker, requireEnv, run, skipReasonUnless } from './harness.js';

/** A test in a scratch directory of its own under the run's workdir (removed after), skipped without the engine. */
export function unpackTest(name: string, fn: (dir: string) => Promise<void>): void {
  test(name, { skip: skipReasonUnless('tar'), timeout: 5 * 60_000 }, async () => {
    const dir = await mkdtemp(join(requireEnv().workdir, 'unpack-'));
    try {
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** `docker import` the layer at `tarPath` as an image, run `fn` with its name, remove the image. */
export async function imported(tarPath: string, what: string, fn: (image: string) => Promise<void>): Promise<void> {
  const image = `layerlens-it/unpack-${what}:${process.pid}`;
  await docker(['import', tarPath, image]);
  try {
    await fn(image);
  } finally {
    await docker(['rmi', image]);
  }
}

/** What `docker export` of a container of `image` holds, less what Docker adds to every container. */
export async function dockerFiles(
  image: string,
  dir: string,
): Promise<{ paths: string[]; read: (p: string) => Promise<Buffer> }> {
  const cid = (await docker(['create', image, '/none'])).stdout.trim();
  const out = join(dir, 'export');
  await mkdir(out);
  try {
    await docker(['export', '-o', join(dir, 'export.tar'), cid]);
  } finally {
    await docker(['rm', cid]);
  }
  await run('tar', ['-xf', join(dir, 'export.tar'), '-C', out]);
  const listed = (await run('tar', ['-tf', join(dir, 'export.tar')])).stdout.split('\n');
  const paths = listed
    .filter((n) => n && !/^(?:\.dockerenv|dev|etc|proc|sys)(?:\/|$)/.test(n))
    .map((n) => '/' + n)
    .sort();
  return { paths, read: (p) => readFile(join(out, p)) };
}

/**
 * The file system of a container of `image` as `docker export` writes it, extracted to `out` and
 * listed as listExport lists it (the export's tar is removed; `out` is the caller's to remove).
 */
export async function exportedList(image: string, out: string): Promise<string[]> {
  const cid = (await docker(['create', image, '/none'])).stdout.trim();
  try {
    await docker(['export', '-o', `${out}.tar`, cid]);
  } finally {
    await docker(['rm', cid]);
  }
  await mkdir(out);
  try {
    await run('tar', ['-xf', `${out}.tar`, '-C', out]);
  } finally {
    await rm(`${out}.tar`, { force: true });
  }
  return listExport(out);
}
