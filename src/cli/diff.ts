/**
 * `layerlens diff OLD NEW` and `layerlens shared IMAGE…` (also `diff` with more than two images):
 * argument parsing and wiring. The images are opened from any sources and read together, the
 * layers they share parsed once (findings/compare/load.ts); the comparison is
 * findings/compare, the documents report/diff.
 */
import type { ImageModel } from '../engine/image.js';
import type { ImageReader } from '../engine/types.js';
import { LayerlensError } from '../errors/index.js';
import {
  COMPARING,
  compareImagesSteps,
  fillFindingDigests,
  prepareFilesSteps,
  inventoryRecords,
  sharedLayers,
} from '../findings/compare/index.js';
import { layerStep } from '../findings/compare/layers.js';
import { loadForComparison } from '../findings/compare/load.js';
import type { SharedImageInput } from '../findings/compare/shared.js';
import type { ImageComparison } from '../findings/compare/types.js';
import type { IgnoreEntry } from '../findings/ignore.js';
import { checkSteps, createContentInspector, packageInventory, severityRank } from '../findings/index.js';
import { inSlices, type Steps } from '../engine/steps.js';
import type { Finding } from '../findings/types.js';
import { diffJsonPieces } from '../report/diff/json.js';
import { toDiffMarkdown } from '../report/diff/markdown.js';
import { toSharedJson, toSharedMarkdown, toSharedTable, type SharedSizes } from '../report/diff/shared.js';
import { toDiffTable } from '../report/diff/table.js';
import { withTransport } from '../sources/options.js';
import { safeText } from '../text/safe-text.js';
import { loadIgnore } from './ignore-file.js';
import { checkOutputFile, writePiecesAtomic } from './output-file.js';
import { writePieces } from './stdout.js';
import { parseCommandArgs, parseSeverity, parseSeverityFilter } from './parse.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { openDb } from './vuln-db.js';
import { openReader } from './wiring.js';

const USAGE =
  'layerlens diff OLD NEW [--format table|json|markdown] [--output FILE] [--path GLOB]… [--severity S] [--fail-on S] [--ignore-file F] [--db DIR] [--db-update] [--db-max-age DAYS] [source options]';
const SHARED_USAGE = 'layerlens shared IMAGE IMAGE… [--format table|json|markdown] [--output FILE] [source options]';

const FORMATS = ['table', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

/** More images than this in one `shared` is refused (each is a tree in memory while it loads). */
const MAX_IMAGES = 64;

const HELP = `Usage: ${USAGE}
       ${SHARED_USAGE}

Compares two images from any sources (two tags, an archive and a daemon image, two OCI layout
tags…), read together: the layers they share (by diffID and by stored digest) and where their
histories part, the files added, removed and modified in the final filesystems (type, mode,
owner, size, sha256 of the content, link targets) grouped by directory, packages of every
ecosystem added, removed, up- or downgraded, the known vulnerabilities NEW fixes and introduces
(with a vulnerability database: see layerlens db --help), config (ENV with secrets masked, USER,
EXPOSE, ENTRYPOINT/CMD, LABEL, platform, history), sizes and wasted bytes, and the findings NEW
introduces and resolves.
Findings are matched by what they are about, not by layer: a rebuilt layer or a moved file does
not make a finding new. Secret values are always masked (scan --reveal shows them).

With more than two images (or \`layerlens shared\`): the layers and bytes the images share, per
image and in total.

  --format F        table (default), json (documented in docs/reports.md) or markdown (for a
                    pull-request comment)
  -o, --output FILE write the report to FILE (replaced atomically) instead of stdout
  --path GLOB       list only file changes at or below paths matching GLOB (* within a segment,
                    ** across segments, ?); may be given several times
  --severity S      the findings to list: lowest severity, or a comma-separated list (high,critical)
  --fail-on S       exit 1 when NEW introduces a finding at or above S
  --ignore-file F   accepted findings (default: ./.layerlensignore when it exists), for both images
  --db DIR          the OSV vulnerability database (as scan: layerlens's, else osv-scanner's cache)
  --db-update       update the database (the ecosystems the images need) before matching
  --db-max-age DAYS warn when the database is older (default 7)
  -h, --help        this help

Exit codes: 0 no new finding at or above --fail-on (or no --fail-on), 1 there is one, 2 error.

${SOURCE_OPTIONS_HELP}
  (the source options apply to every image; name each image's source with the skopeo-style
  prefixes: docker-daemon:app:1 docker-archive:app.tar oci:dir:tag docker://host/app:2)
`;

const OPTIONS = {
  ...SOURCE_OPTION_SPEC,
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  path: { type: 'string', multiple: true },
  severity: { type: 'string' },
  'fail-on': { type: 'string' },
  'ignore-file': { type: 'string' },
  db: { type: 'string' },
  'db-update': { type: 'boolean' },
  'db-max-age': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runDiff(argv: string[], command: 'diff' | 'shared' = 'diff'): Promise<number> {
  const usage = command === 'diff' ? USAGE : SHARED_USAGE;
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, usage);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = (values.format ?? 'table') as Format;
  if (!FORMATS.includes(format))
    throw new LayerlensError(
      `--format "${safeText(String(values.format))}": use one of ${FORMATS.join(', ')}`,
      'USAGE',
    );
  if (positionals.length < 2)
    throw new LayerlensError(
      `${command} needs at least two images, got ${positionals.length} (usage: ${usage})`,
      'USAGE',
    );
  if (positionals.length > MAX_IMAGES)
    throw new LayerlensError(`${command} takes at most ${MAX_IMAGES} images, got ${positionals.length}`, 'USAGE');
  if (positionals.filter((p) => p === '-').length > 1)
    throw new LayerlensError('only one image can come from stdin (-)', 'USAGE');
  const severities = parseSeverityFilter('--severity', values.severity);
  const failOn = parseSeverity('--fail-on', values['fail-on']);
  const maxAge = values['db-max-age'] === undefined ? 7 : Number(values['db-max-age']);
  if (!Number.isFinite(maxAge) || maxAge < 0)
    throw new LayerlensError(`--db-max-age "${safeText(String(values['db-max-age']))}": a number of days`, 'USAGE');
  const base = await sourceOptionsFrom(values);
  const named = positionals.map((p) => withTransport(p, base));
  if (values.output !== undefined) await checkOutputFile(values.output, '--output');
  const tty = !!process.stderr.isTTY;
  for (const n of named) n.opts.log = tty ? (line) => process.stderr.write(safeText(line) + '\n') : undefined;
  const readers = await openAll(named);
  const shared = command === 'shared' || positionals.length > 2;

  const report = shared
    ? await sharedReport(readers, positionals, format)
    : await diffReport(readers, positionals, format, {
        paths: values.path ?? [],
        ignoreFile: values['ignore-file'],
        shown: (f) => severities.shown.has(f.severity),
        leftOut: severities.leftOut,
        toFile: values.output !== undefined,
        failOn,
        db: { dir: values.db, update: !!values['db-update'], maxAge },
      });
  // (In pieces: the JSON file list of two big images is more than one string holds.)
  if (values.output !== undefined) await writePiecesAtomic(values.output, report.pieces);
  else await writePieces(report.pieces);
  return report.code;
}

/** Open every image; a failure closes the ones already open and names the image. */
export async function openAll(named: Array<ReturnType<typeof withTransport>>): Promise<ImageReader[]> {
  const opened = await Promise.allSettled(named.map((n) => openReader(n.input, n.opts)));
  const failed = opened.findIndex((r) => r.status === 'rejected');
  if (failed < 0) return opened.map((r) => (r as PromiseFulfilledResult<ImageReader>).value);
  for (const r of opened) if (r.status === 'fulfilled') await r.value.close().catch(() => {});
  throw (opened[failed] as PromiseRejectedResult).reason;
}

/** "reading: 3/5 2/4 layers" on a terminal's stderr while the images load. */
function progress(models: ImageModel[]): () => void {
  if (!process.stderr.isTTY) return () => {};
  const show = () =>
    process.stderr.write(
      `\r\x1b[Kreading layers: ${models.map((m) => `${m.appliedCount}/${m.meta?.layers.length ?? '?'}`).join('  ')}`,
    );
  for (const m of models) m.on('layer', show);
  return () => process.stderr.write('\r\x1b[K');
}

/**
 * Two loaded images compared: every check on each (after the ignore file), their package
 * inventories, their vulnerabilities when a database is there (opened, and updated when asked).
 * The command line's diff and the explorer's compare view both compare this way.
 */
export async function compareLoaded(
  models: ImageModel[],
  inputs: string[],
  o: {
    ignore: IgnoreEntry[];
    warn: (s: string) => void;
    db: { dir: string | undefined; update: boolean; maxAge: number };
    paths?: string[];
    /**
     * How the checks' and the comparison's walks are run: in slices (engine/steps.ts inSlices,
     * the heap checked between them), between keys in the explorer's compare view.
     */
    run?: <T>(steps: Steps<T>) => T | Promise<T>;
  },
): Promise<ImageComparison> {
  const run = o.run ?? (<T>(steps: Steps<T>) => inSlices(steps, { where: COMPARING }));
  // The file comparison's walk; the digests it reads that the loads deferred are hashed from the
  // sources (a worker thread) while the checks run here.
  const files = await run(prepareFilesSteps(models[0], models[1], o.paths));
  const { db, looked } = await openDb(models, o.db.dir, o.db.update, o.warn);
  const side = async (m: ImageModel, reference: string) => ({
    model: m,
    findings: await run(
      checkSteps(m, {
        reference,
        ignore: o.ignore,
        onWarning: o.warn,
        vulnerabilities: { db, looked, maxAgeDays: o.db.maxAge },
      }),
    ),
    packages: inventoryRecords(packageInventory(m)),
    vulnerabilitiesChecked: !!db,
  });
  let cmp: ImageComparison;
  try {
    const sides = [await side(models[0], inputs[0]), await side(models[1], inputs[1])];
    await files.digests;
    await fillFindingDigests(sides[0].model, sides[0].findings, sides[1].model, sides[1].findings);
    cmp = await run(compareImagesSteps(sides[0], sides[1], { paths: o.paths, files: files.walk }));
  } finally {
    db?.close();
  }
  if (!db)
    o.warn('no vulnerability database: packages were not checked for known vulnerabilities (run: layerlens db update)');
  const all = [...cmp.findings.new, ...cmp.findings.resolved, ...cmp.findings.unchanged.map((m) => m.new)];
  for (const f of all) if (f.ruleId === 'vulnerability-db-stale') o.warn(f.message);
  return cmp;
}

interface DiffOptions {
  paths: string[];
  ignoreFile: string | undefined;
  shown: (f: Finding) => boolean;
  leftOut: string;
  toFile: boolean;
  failOn: ReturnType<typeof parseSeverity>;
  db: { dir: string | undefined; update: boolean; maxAge: number };
}

async function diffReport(
  readers: ImageReader[],
  inputs: string[],
  format: Format,
  o: DiffOptions,
): Promise<{ pieces: Iterable<string>; code: number }> {
  const warned = new Set<string>();
  const warn = (s: string) => {
    if (warned.has(s)) return;
    warned.add(s);
    process.stderr.write(`layerlens: warning: ${safeText(s)}\n`);
  };
  const ignore = await loadIgnore(o.ignoreFile, warn);
  const { models, done } = await loadForComparison(readers, {
    inspector: () => createContentInspector(),
    contentDigests: true,
    label: (i) => `${i === 0 ? 'old' : 'new'} image ${inputs[i]}`,
  });
  const stop = progress(models);
  try {
    await done;
  } finally {
    stop();
  }
  const cmp = await compareLoaded(models, inputs, { ignore, warn, db: o.db, paths: o.paths });
  const hiddenCount =
    cmp.findings.new.filter((f) => !o.shown(f)).length + cmp.findings.resolved.filter((f) => !o.shown(f)).length;
  const hidden = { count: hiddenCount, leftOut: o.leftOut };
  const pieces =
    format === 'json'
      ? diffJsonPieces(cmp, { shown: o.shown })
      : format === 'markdown'
        ? toDiffMarkdown(cmp, { shown: o.shown, hidden })
        : toDiffTable(cmp, {
            shown: o.shown,
            hidden,
            color: !o.toFile && !!process.stdout.isTTY && !process.env.NO_COLOR,
            width: o.toFile ? undefined : process.stdout.columns,
          });
  const failOn = o.failOn;
  const fails = !!failOn && cmp.findings.new.some((f) => severityRank(f.severity) >= severityRank(failOn));
  return { pieces: typeof pieces === 'string' ? [pieces] : pieces, code: fails ? 1 : 0 };
}

async function sharedReport(
  readers: ImageReader[],
  inputs: string[],
  format: Format,
): Promise<{ pieces: Iterable<string>; code: number }> {
  // Sizes from the metadata when every layer's stored size is known and every image comes from
  // the same kind of source (registries store gzip blobs, docker save archives plain tars: one
  // layer would have two sizes): no layer is read. Else (a daemon image, a pipe, mixed sources)
  // every image is read, once per distinct layer, and the sizes are the uncompressed ones.
  const metas = await Promise.all(readers.map((r) => (r.onePass ? undefined : r.meta())));
  const known =
    metas.every((m) => m && m.layers.every((l) => l.compressedSize !== undefined)) &&
    new Set(metas.map((m) => m?.source)).size === 1;
  let sizes: SharedSizes;
  let images: SharedImageInput[];
  if (known) {
    sizes = 'stored';
    images = metas.map((m, k) => ({
      reference: inputs[k],
      layers: m!.layers.map((l, i) => ({
        diffId: l.diffId ?? null,
        size: l.compressedSize ?? null,
        createdBy: layerStep(m!.history, i),
      })),
    }));
    await Promise.all(readers.map((r) => r.close().catch(() => {})));
  } else {
    sizes = 'uncompressed';
    const { models, done } = await loadForComparison(readers, { label: (i) => inputs[i] });
    const stop = progress(models);
    try {
      await done;
    } finally {
      stop();
    }
    images = models.map((m, k) => ({
      reference: inputs[k],
      layers: m.layers.map((l, i) => ({
        diffId: m.meta?.layers[i]?.diffId ?? l.diffId ?? null,
        size: l.size ?? null,
        createdBy: layerStep(m.meta?.history ?? [], i),
      })),
    }));
  }
  const r = sharedLayers(images);
  const text =
    format === 'json'
      ? toSharedJson(r, sizes)
      : format === 'markdown'
        ? toSharedMarkdown(r, sizes)
        : toSharedTable(r, sizes);
  return { pieces: [text], code: 0 };
}
