/** The vulnerability database as scan and diff open it for the images they read. */
import type { ImageModel } from '../engine/image.js';
import { packageInventory } from '../findings/packages/index.js';
import { lookupKeys } from '../findings/vulnerabilities/index.js';
import { defaultDbDir, locateDb, openVulnDb, type VulnDb } from '../vulndb/index.js';
import { dbUpdate } from './db.js';
import { errorMessage } from './errors.js';

/**
 * The vulnerability database for these images: updated first when asked (only the ecosystems their
 * packages need; a failed update is a warning, and the previous database is used), then opened
 * with the look-up keys of the packages found.
 */
export async function openDb(
  models: ImageModel | ImageModel[],
  dir: string | undefined,
  update: boolean,
  warn: (s: string) => void,
): Promise<{ db: VulnDb | undefined; looked?: string[] }> {
  const keys = new Set<string>();
  for (const m of Array.isArray(models) ? models : [models])
    for (const k of lookupKeys(packageInventory(m))) keys.add(k);
  if (update) {
    const ecosystems = [...new Set([...keys].map((k) => k.slice(0, k.indexOf('\t')).split(':')[0]))].sort();
    if (ecosystems.length) {
      try {
        const r = await dbUpdate(dir ?? defaultDbDir(), ecosystems, undefined, () => {});
        for (const f of r.failed) warn(`db update: ${f.error} (previous data kept)`);
      } catch (err) {
        warn(`db update failed: ${errorMessage(err)}; using the database as it was`);
      }
    }
  }
  const loc = locateDb(dir);
  return { db: await openVulnDb(loc, keys), looked: loc.kind === 'none' ? loc.looked : undefined };
}
