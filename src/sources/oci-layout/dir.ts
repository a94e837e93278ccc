/**
 * An OCI image layout directory (skopeo `oci:DIR`, `docker buildx --output type=oci,tar=false`,
 * an extracted OCI archive or docker save). Metadata is read first; layers are streamed from
 * blobs/<alg>/<hex> and can be re-read.
 */
import fs from 'node:fs/promises';
import type { ImageReader } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';
import { seekableReader } from '../archive/file.js';
import { readImage } from '../archive/read-image.js';
import type { ReadOptions } from './image.js';
import { DirStore, fsError } from './store.js';

export async function openOciLayout(dir: string, opts: Omit<ReadOptions, 'source'>): Promise<ImageReader> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new LayerlensError(`${dir}: no such file or directory`, 'NOT_FOUND');
    throw fsError(err, dir);
  }
  if (!st.isDirectory())
    throw new LayerlensError(`${dir} is not a directory (use --source archive for an archive file)`, 'NOT_IMAGE');
  const store = new DirStore(dir, dir);
  if (
    (await store.size('oci-layout')) === undefined &&
    (await store.size('index.json')) === undefined &&
    (await store.size('manifest.json')) === undefined
  ) {
    throw new LayerlensError(`${dir} is not an OCI image layout (no oci-layout or index.json)`, 'NOT_IMAGE');
  }
  if ((await store.size('oci-layout')) !== undefined && (await store.size('index.json')) === undefined) {
    throw new LayerlensError(`${dir} has an oci-layout file but no index.json`, 'NOT_IMAGE');
  }
  return seekableReader(store, await readImage(store, { ...opts, source: 'oci' }));
}

/** Is `dir` an image layout directory (by content)? */
export async function isLayoutDir(dir: string): Promise<boolean> {
  const store = new DirStore(dir);
  return (
    (await store.size('oci-layout')) !== undefined ||
    (await store.size('index.json')) !== undefined ||
    (await store.size('manifest.json')) !== undefined
  );
}
