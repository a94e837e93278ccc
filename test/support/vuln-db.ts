/** A vulnerability database built from the OSV fixtures (real advisories' facts), for tests that need one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_FILE, openIndex, updateDb, type VulnDb } from '../../src/vulndb/index.js';
import { writeOsvMirror } from './osv-fixtures.js';

/** The npm and Debian fixtures as a mirror, updated into an index in a temp dir; `dispose` removes it. */
export async function fixtureVulnDb(): Promise<{ db: VulnDb; dir: string; dispose: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'll-vulndb-'));
  const dir = await fixtureDb(root);
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

/** A database in `dir/db` built by `db update` from a mirror directory (`dir/mirror`) of the npm and Debian fixtures. */
export async function fixtureDb(dir: string): Promise<string> {
  const db = join(dir, 'db');
  await updateDb({ dir: db, base: writeOsvMirror(join(dir, 'mirror')), ecosystems: ['npm', 'Debian'] });
  return db;
}
