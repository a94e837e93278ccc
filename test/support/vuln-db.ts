/** A vulnerability database built from the OSV fixtures (real advisories' facts), for tests that need one. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_FILE, openIndex, updateDb, type VulnDb } from '../../src/vulndb/index.js';
import { DEBIAN_ZIP, NPM_ZIP } from './osv-fixtures.js';

/** The npm and Debian fixtures as a mirror, updated into an index in a temp dir; `dispose` removes it. */
export async function fixtureVulnDb(): Promise<{ db: VulnDb; dir: string; dispose: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'll-vulndb-'));
  const mirror = join(root, 'mirror');
  for (const [eco, zip] of [
    ['npm', NPM_ZIP()],
    ['Debian', DEBIAN_ZIP()],
  ] as const) {
    mkdirSync(join(mirror, eco), { recursive: true });
    writeFileSync(join(mirror, eco, 'all.zip'), zip);
  }
  const dir = join(root, 'db');
  await updateDb({ dir, base: mirror, ecosystems: ['npm', 'Debian'] });
  const db = openIndex(join(dir, INDEX_FILE));
  return {
    db,
    dir,
    dispose: () => {
      db.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
