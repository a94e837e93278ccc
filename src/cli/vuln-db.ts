/**
 * The vulnerability database as scan, diff and the explorer open it for the images they read:
 * updated first when asked (only the ecosystems their packages need; a failed update is a
 * warning and the previous database is used), then found (--db, layerlens's cache, osv-scanner's
 * offline cache) and opened with the look-up keys of the packages present. What the check needs
 * of it is `vulnerabilityContext`: runChecks makes the findings, every view displays them.
 */
import type { ImageModel } from '../engine/image.js';
import { packageInventory } from '../findings/packages/index.js';
import { lookupKeys, type VulnerabilityContext } from '../findings/vulnerabilities/index.js';
import { defaultDbDir, locateDb, openVulnDb, type VulnDb } from '../vulndb/index.js';
import { dbUpdate } from './db.js';
import { errorMessage } from './errors.js';

/** The database for these images (see the header); `looked` says where, when there is none. */
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

export interface DbOptions {
  /** --db DIR */
  dir?: string;
  /** --db-update */
  update?: boolean;
  /** --db-max-age DAYS */
  maxAgeDays?: number;
  warn: (s: string) => void;
}

/** The vulnerability check's context for one image (scan and the explorer): the database opened for it. */
export async function vulnerabilityContext(model: ImageModel, o: DbOptions): Promise<VulnerabilityContext> {
  const { db, looked } = await openDb(model, o.dir, !!o.update, o.warn);
  return { db, looked, maxAgeDays: o.maxAgeDays };
}
