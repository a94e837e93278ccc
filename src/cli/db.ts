/**
 * `layerlens db update|status`: the offline OSV vulnerability database. Arguments and output only:
 * the work is in src/vulndb.
 */
import { LayerlensError } from '../errors/index.js';
import { safeText } from '../text/safe-text.js';
import {
  DEFAULT_DB_URL,
  DEFAULT_ECOSYSTEMS,
  defaultDbDir,
  indexMeta,
  locateDb,
  updateDb,
  type UpdateResult,
} from '../vulndb/index.js';
import { parseCommandArgs } from './parse.js';

const USAGE = 'layerlens db update [--ecosystem E]… [--db-url URL] [--db DIR] | layerlens db status [--db DIR]';

const HELP = `Usage: ${USAGE}

The OSV vulnerability database scan matches packages against, kept offline.

  db update         download each ecosystem's all.zip, verify it and build the index; the previous
                    database stays in use until the new one is complete, and an ecosystem whose
                    download fails keeps its previous data
    --ecosystem E   only these (repeatable; OSV names: Debian, Ubuntu, Alpine, npm, PyPI, Go,
                    Maven, RubyGems, Packagist, NuGet, "Rocky Linux", AlmaLinux; default: all of them)
    --db-url URL    a mirror with the OSV bucket's layout (URL/ECOSYSTEM/all.zip), a local directory
                    or file: URL (osv-scanner's offline cache: DIR/osv-scanner); default
                    $LAYERLENS_DB_URL, else ${DEFAULT_DB_URL}
  db status         where the database is, what it holds and how old it is
  --db DIR          the database directory (default $LAYERLENS_DB_DIR, else ${defaultDbDir()})
  -h, --help        this help
`;

export async function runDb(argv: string[]): Promise<number> {
  const sub = argv[0];
  const { values, positionals } = parseCommandArgs(
    argv.slice(1),
    {
      ecosystem: { type: 'string', multiple: true },
      'db-url': { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help || sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(HELP);
    return sub === undefined && !values.help ? 2 : 0;
  }
  if (positionals.length)
    throw new LayerlensError(`db ${sub}: unexpected "${safeText(positionals[0])}" (usage: ${USAGE})`, 'USAGE');
  if (sub === 'update') {
    const ecosystems = values.ecosystem?.length ? [...new Set(values.ecosystem)] : DEFAULT_ECOSYSTEMS;
    const r = await dbUpdate(values.db ?? defaultDbDir(), ecosystems, values['db-url'], (l) =>
      process.stderr.write(`layerlens: ${safeText(l)}\n`),
    );
    printUpdate(r, values.db ?? defaultDbDir());
    return r.failed.length ? 1 : 0;
  }
  if (sub === 'status') return dbStatus(values.db);
  throw new LayerlensError(`unknown command "db ${safeText(sub)}" (usage: ${USAGE})`, 'USAGE');
}

export function dbUpdate(
  dir: string,
  ecosystems: string[],
  url: string | undefined,
  log: (line: string) => void,
): Promise<UpdateResult> {
  return updateDb({ dir, base: url ?? process.env.LAYERLENS_DB_URL ?? DEFAULT_DB_URL, ecosystems, log });
}

function printUpdate(r: UpdateResult, dir: string): void {
  const lines = [
    `vulnerability database updated: ${dir}`,
    `  updated: ${r.updated.join(', ')}`,
    ...r.failed.map((f) => `  FAILED ${f.ecosystem}: ${safeText(f.error)} (previous data kept)`),
    `  ${r.meta.keys} packages, ${r.meta.records} records; index ${(r.indexBytes / 1048576).toFixed(1)} MiB built in ${r.buildSeconds.toFixed(1)} s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function dbStatus(explicit: string | undefined): number {
  const loc = locateDb(explicit);
  const now = Date.now();
  const age = (iso: string) => `${Math.floor((now - Date.parse(iso)) / 86_400_000)} days old`;
  if (loc.kind === 'none') {
    process.stdout.write(`no vulnerability database (looked in ${loc.looked.join(', ')}); run: layerlens db update\n`);
    return 1;
  }
  if (loc.kind === 'osv-scanner') {
    process.stdout.write(`osv-scanner offline cache at ${loc.dir} (read directly at each scan):\n`);
    for (const [eco, zip] of loc.archives) process.stdout.write(`  ${eco}: ${zip}\n`);
    return 0;
  }
  const meta = indexMeta(loc.file);
  const out = [
    `layerlens vulnerability database: ${loc.file}`,
    `  built ${meta.built} (${age(meta.built)}); ${meta.keys} packages, ${meta.records} records`,
  ];
  for (const [eco, e] of Object.entries(meta.ecosystems).sort()) {
    out.push(
      `  ${eco}: ${e.advisories} advisories (${e.withdrawn} withdrawn), fetched ${e.fetched} (${age(e.fetched)})${e.newestModified ? `, newest ${e.newestModified}` : ''} from ${e.source}`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
