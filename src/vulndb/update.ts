/**
 * `layerlens db update`: fetch each ecosystem's archive, verify it, build a new index holding the
 * fresh ecosystems plus the previous index's data for every other one, and swap it in with one
 * rename. Nothing is replaced until the new index is complete on disk: an interrupted or failed
 * update leaves the previous database as it was, and an ecosystem whose download fails keeps its
 * previous data.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LayerlensError } from '../errors/index.js';
import { addArchive, ArchiveError } from './build.js';
import { archiveLocation, DownloadError, fetchArchive } from './download.js';
import { fileSource } from './file-source.js';
import { IndexBuilder } from './index-builder.js';
import { IndexReader, type EcosystemInfo, type IndexMeta } from './index-file.js';
import { INDEX_FILE } from './location.js';

export interface UpdateOptions {
  dir: string;
  base: string;
  ecosystems: string[];
  now?: () => Date;
  log?: (line: string) => void;
}

export interface UpdateResult {
  meta: IndexMeta;
  updated: string[];
  failed: Array<{ ecosystem: string; error: string }>;
  /** Index build: seconds and bytes. */
  buildSeconds: number;
  indexBytes: number;
}

/** The archive (OSV bucket folder) a key's ecosystem belongs to: `Debian:12\tx` → `Debian`. */
export function archiveOfKey(key: string): string {
  return key.slice(0, key.indexOf('\t')).split(':')[0];
}

export async function updateDb(o: UpdateOptions): Promise<UpdateResult> {
  const now = o.now ?? (() => new Date());
  mkdirSync(o.dir, { recursive: true });
  const lock = join(o.dir, '.update.lock');
  try {
    closeSync(openSync(lock, 'wx'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A lock older than an hour is left over from a killed update.
    if (Date.now() - statSync(lock).mtimeMs < 3600_000)
      throw new LayerlensError(`another layerlens db update is running on ${o.dir} (remove ${lock} if not)`, 'EXISTS');
  }
  const work = join(o.dir, `.update-${randomBytes(6).toString('hex')}`);
  mkdirSync(work, { mode: 0o700 });
  const indexPath = join(o.dir, INDEX_FILE);
  let previous: IndexReader | undefined;
  try {
    if (existsSync(indexPath)) {
      try {
        previous = new IndexReader(indexPath);
      } catch (err) {
        // A damaged previous index: the new one is built from what this update fetches.
        o.log?.(`previous index unreadable, rebuilding: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // Records go to a spool file as they are read (index-builder.ts): memory follows the number
    // of records, not their size.
    const builder = new IndexBuilder(join(work, 'records.spool'));
    const ecosystems: Record<string, EcosystemInfo> = {};
    const updated: string[] = [];
    const failed: UpdateResult['failed'] = [];
    let buildNs = 0n;
    for (const eco of o.ecosystems) {
      const file = join(work, `${eco.replace(/[^A-Za-z0-9.-]/g, '_')}.zip`);
      const location = archiveLocation(o.base, eco);
      o.log?.(`fetching ${eco} from ${location}`);
      try {
        const fetched = await fetchArchive(location, file);
        const t0 = process.hrtime.bigint();
        const { src, close } = fileSource(file);
        const mark = builder.mark();
        let stats;
        try {
          stats = await addArchive(src, builder);
        } catch (err) {
          builder.rollback(mark); // nothing of a bad archive goes into the index
          throw err;
        } finally {
          close();
        }
        buildNs += process.hrtime.bigint() - t0;
        const packages = builder.keysSince(mark);
        ecosystems[eco] = {
          source: fetched.source,
          fetched: now().toISOString(),
          sha256: fetched.sha256,
          bytes: fetched.bytes,
          advisories: stats.advisories,
          withdrawn: stats.withdrawn,
          records: stats.records,
          newestModified: stats.newestModified,
        };
        updated.push(eco);
        o.log?.(`${eco}: ${stats.advisories} advisories (${stats.withdrawn} withdrawn), ${packages} packages`);
      } catch (err) {
        if (!(err instanceof DownloadError || err instanceof ArchiveError)) throw err;
        const why = err instanceof ArchiveError ? `${location}: not a valid OSV archive (${err.message})` : err.message;
        failed.push({ ecosystem: eco, error: why });
        o.log?.(`${eco}: ${why}; keeping the previous data`);
      } finally {
        rmSync(file, { force: true });
      }
    }
    // Every ecosystem not refreshed keeps what the previous index had.
    if (previous) {
      const fresh = new Set(updated);
      for (const [eco, info] of Object.entries(previous.meta.ecosystems)) if (!fresh.has(eco)) ecosystems[eco] = info;
      const t0 = process.hrtime.bigint();
      for (const [k, texts] of previous.entries((k) => !fresh.has(archiveOfKey(k))))
        for (const t of texts) builder.addText(k, t);
      buildNs += process.hrtime.bigint() - t0;
    }
    if (!updated.length) {
      builder.close();
      throw new LayerlensError(
        failed.map((f) => f.error).join('; ') + (previous ? ' (the previous database is unchanged)' : ''),
        'NETWORK',
      );
    }
    const tmp = join(o.dir, `.${INDEX_FILE}.${randomBytes(6).toString('hex')}.tmp`);
    const t0 = process.hrtime.bigint();
    const fd = openSync(tmp, 'wx', 0o644);
    let meta: IndexMeta;
    try {
      meta = builder.finish(fd, { built: now().toISOString(), ecosystems });
      fsyncSync(fd);
    } catch (err) {
      builder.close();
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    buildNs += process.hrtime.bigint() - t0;
    previous?.close();
    previous = undefined;
    renameSync(tmp, indexPath);
    return {
      meta,
      updated,
      failed,
      buildSeconds: Number(buildNs) / 1e9,
      indexBytes: statSync(indexPath).size,
    };
  } finally {
    previous?.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(lock, { force: true });
  }
}
