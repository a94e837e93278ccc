/**
 * Any image layout held in a store → the chosen image: an OCI layout (index.json: OCI archives,
 * Docker 25+ and containerd `docker save`) or the legacy docker save manifest.json.
 */
import { LayerlensError } from '../../errors/index.js';
import { readOciImage, type ReadOptions, type ResolvedImage } from '../oci-layout/image.js';
import type { LayoutStore } from '../oci-layout/store.js';
import { readLegacyImage } from './legacy.js';

export async function readImage(store: LayoutStore, opts: ReadOptions): Promise<ResolvedImage> {
  if ((await store.size('index.json')) !== undefined) return readOciImage(store, opts);
  if ((await store.size('manifest.json')) !== undefined) return readLegacyImage(store, opts);
  throw new LayerlensError(
    `${store.label} holds neither index.json nor manifest.json: not a docker save or OCI image`,
    'NOT_IMAGE',
  );
}
