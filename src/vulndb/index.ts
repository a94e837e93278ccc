/**
 * The OSV vulnerability database as a data source: `openVulnDb` finds it (see location.ts) and
 * answers look-ups by package key, reading only the entries of the packages asked for.
 * layerlens's own index is read in place; osv-scanner's archives, when that is all there is, are
 * read once per scan keeping only the packages present.
 */
import { statSync } from 'node:fs';
import { addArchive, ArchiveError } from './build.js';
import { IndexReader, type IndexMeta } from './index-file.js';
import type { DbLocation } from './location.js';
import { candidateOf, type VulnCandidate, type VulnRecord } from './record.js';
import { fileSource } from './file-source.js';
import { LayerlensError } from '../errors/index.js';

export {
  packageKey,
  normalizeName,
  type VulnCandidate,
  type VulnRecord,
  type RecordSeverity,
  type SeverityLevel,
} from './record.js';
export { locateDb, defaultDbDir, DEFAULT_DB_URL, DEFAULT_ECOSYSTEMS, INDEX_FILE, type DbLocation } from './location.js';
export { updateDb, type UpdateResult } from './update.js';
export type { IndexMeta, EcosystemInfo } from './index-file.js';

/** What a scan needs of the database: its facts and look-ups by package key. */
export interface VulnDb {
  /** Where it is and what kind: for messages. */
  description: string;
  /** Ecosystem archives it holds (`Debian`, `npm` …) and when each was fetched. */
  ecosystems: Record<string, { fetched: string; advisories: number }>;
  /** The records of each key present: what matching needs now, each whole record on demand. */
  lookup(keys: Iterable<string>): Map<string, VulnCandidate[]>;
  close(): void;
}

export function openIndex(file: string): VulnDb {
  const r = new IndexReader(file);
  return {
    description: `layerlens index ${file}`,
    ecosystems: r.meta.ecosystems,
    lookup: (keys) => r.lookup(keys),
    close: () => r.close(),
  };
}

/**
 * osv-scanner's archives, read for the keys given (the packages present): every archive is read
 * and parsed once, at open. Its `fetched` date is the archive file's modification time.
 */
export async function openOsvScannerCache(archives: Map<string, string>, keys: Set<string>): Promise<VulnDb> {
  const records = new Map<string, VulnRecord[]>();
  const sink = {
    add(key: string, rec: VulnRecord) {
      const l = records.get(key);
      if (l) l.push(rec);
      else records.set(key, [rec]);
    },
  };
  const ecosystems: VulnDb['ecosystems'] = {};
  for (const [eco, zip] of archives) {
    // Positioned reads past 64 MiB: readFileSync threw Node's own "File size … is greater than
    // 2 GiB" for a larger archive, and the scan ended with it.
    const { src, close } = fileSource(zip);
    try {
      const stats = await addArchive(src, sink, (k) => keys.has(k));
      ecosystems[eco] = { fetched: statSync(zip).mtime.toISOString(), advisories: stats.advisories };
    } catch (err) {
      if (err instanceof ArchiveError)
        throw new LayerlensError(`${zip}: not a valid OSV archive (${err.message})`, 'CORRUPT');
      throw err;
    } finally {
      close();
    }
  }
  return {
    description: `osv-scanner cache ${[...new Set([...archives.values()].map((z) => z.replace(/\/[^/]+\/all\.zip$/, '')))].join(', ')}`,
    ecosystems,
    lookup(ks) {
      const out = new Map<string, VulnCandidate[]>();
      for (const k of ks) {
        const l = records.get(k);
        if (l) out.set(k, l.map(candidateOf));
      }
      return out;
    },
    close() {},
  };
}

/** Opens what `locateDb` found (an index, or osv-scanner's cache read for `keys`); undefined when nothing. */
export async function openVulnDb(loc: DbLocation, keys: Set<string>): Promise<VulnDb | undefined> {
  if (loc.kind === 'index') return openIndex(loc.file);
  if (loc.kind === 'osv-scanner') return openOsvScannerCache(loc.archives, keys);
  return undefined;
}

export function indexMeta(file: string): IndexMeta {
  const r = new IndexReader(file);
  try {
    return r.meta;
  } finally {
    r.close();
  }
}
