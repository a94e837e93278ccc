/**
 * Where the vulnerability database is: `--db DIR`, `LAYERLENS_DB_DIR`, layerlens's own cache
 * (`$XDG_CACHE_HOME/layerlens/osv`, else `~/.cache/layerlens/osv`), and osv-scanner's offline cache
 * (`$OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY`, else its user cache directory), whose layout is
 * `DIR/osv-scanner/ECOSYSTEM/all.zip` (newer releases: `DIR/osv-scalibr/…`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const INDEX_FILE = 'osv-index.lldb';
export const DEFAULT_DB_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The ecosystems `db update` fetches by default: those layerlens reads packages of. */
export const DEFAULT_ECOSYSTEMS = [
  'Debian',
  'Ubuntu',
  'Alpine',
  'Rocky Linux',
  'AlmaLinux',
  'npm',
  'PyPI',
  'Go',
  'Maven',
  'RubyGems',
  'Packagist',
  'NuGet',
];

function cacheHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_CACHE_HOME || join(homedir(), '.cache');
}

/** The directory `db update` writes to and `scan` reads first. */
export function defaultDbDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAYERLENS_DB_DIR || join(cacheHome(env), 'layerlens', 'osv');
}

/** osv-scanner's archives under `dir`: ecosystem → all.zip path (both layouts, and a bare bucket-like one). */
export function osvScannerArchives(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['osv-scanner', 'osv-scalibr', '.']) {
    const base = join(dir, sub);
    let names: string[];
    try {
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const eco of names) {
      const zip = join(base, eco, 'all.zip');
      if (!out.has(eco) && existsSync(zip) && statSync(zip).isFile()) out.set(eco, zip);
    }
  }
  return out;
}

export type DbLocation =
  | { kind: 'index'; dir: string; file: string }
  | { kind: 'osv-scanner'; dir: string; archives: Map<string, string> }
  | { kind: 'none'; looked: string[] };

/** Finds the database: an explicit directory, else the places above in order. */
export function locateDb(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): DbLocation {
  const candidates = explicit
    ? [explicit]
    : [
        defaultDbDir(env),
        ...(env.OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY ? [env.OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY] : []),
        cacheHome(env), // osv-scanner's default: the user cache directory's osv-scanner/
      ];
  for (const dir of candidates) {
    const file = join(dir, INDEX_FILE);
    if (existsSync(file)) return { kind: 'index', dir, file };
    const archives = osvScannerArchives(dir);
    if (archives.size) return { kind: 'osv-scanner', dir, archives };
  }
  return { kind: 'none', looked: candidates };
}
