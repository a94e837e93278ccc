/**
 * Findings: the content inspector that runs while layers stream, and `runChecks`, the pure
 * checks over the loaded model. The explorer and `layerlens scan` both use these two.
 *
 *   const model = new ImageModel();
 *   await model.load(reader, { inspectContent: createContentInspector() });
 *   const findings = runChecks(model, { reference: 'nginx:stable' });
 */
import { keyVariantFindings } from './key-variants.js';
import type { ImageModel } from '../engine/image.js';
import type { ContentInspector, ContentSink } from '../engine/parse-layer.js';
import { provenanceFindings as signatureFindings } from './signatures.js';
import { configFindings } from './config.js';
import { configValueFindings } from './config-values.js';
import { imagePasswd } from './run-user.js';
import type { InspectedContent } from './content.js';
import { deletedFileSteps } from './deleted-files.js';
import { computeEfficiencySteps, efficiencyFindings } from './efficiency.js';
import { drain, type Steps } from '../engine/steps.js';
import { applyIgnore, type IgnoreEntry } from './ignore.js';
import { OS_BY_NAME_MAX, OsFileCollector, osFileKind, osFindings, osInventory } from './os/index.js';
import { PackageFileCollector, packageFileKind, packageInventory } from './packages/index.js';
import { vulnerabilityFindings, type VulnerabilityContext } from './vulnerabilities/index.js';
import { permissionFindings } from './permissions.js';
import { portFindings } from './ports.js';
import { provenanceFindings } from './provenance.js';
import { secretFindingsSteps } from './secrets/index.js';
import { skippedExt, skippedSystemData } from './skip.js';
import { unpackFindings } from './unpack.js';
import { BATCH_FILE_MAX, SecretBatch } from './secrets/batch.js';
import { credentialRulesFor, mayBeCredentialFile } from './secrets/credential-files.js';
import { DEFAULT_MAX_BYTES, FileSecretScanner, partRead, type ScanOptions } from './secrets/scanner.js';
import { newSecretStats, type SecretScanStats } from './secrets/stats.js';
import { SecretRemote, secretThreadForced } from './secrets/remote.js';
import type { Finding } from './types.js';
import { sortFindingsSteps, uniqueIdsSteps } from './order.js';

export type { Finding, Severity, Category } from './types.js';
export { SEVERITIES, severityRank } from './types.js';
export { sortFindings, compareFindings } from './order.js';
export { earlyFindings, earlySteps } from './early.js';
export type { InspectedContent } from './content.js';
export { computeEfficiency, type EfficiencyReport } from './efficiency.js';
/**
 * The walk every check shares, in steps: the explorer runs it between keys before it opens the
 * vulnerability database, whose package inventory reads it.
 */
export { nodeIndexSteps as sharedWalkSteps } from './content.js';
export { OS_BY_NAME_MAX, osInventory, type OsInventory } from './os/index.js';
export { packageInventory, type PackageInventory, type Package } from './packages/index.js';
export { lookupKeys, type VulnerabilityContext } from './vulnerabilities/index.js';
export { PORT_TABLE, portInfo, type PortInfo } from './ports.js';
export { parseIgnoreFile, applyIgnore, type IgnoreEntry } from './ignore.js';
export { maskSecret } from './secrets/mask.js';
export { newSecretStats, secretScanSummary, type SecretScanStats, type SecretScanSummary } from './secrets/stats.js';

export interface InspectorOptions {
  /** Keep secret values unmasked in evidence (`--reveal`). */
  reveal?: boolean;
  /** Where the secret scan counts what it looked at (the report's `secretScan`); a new one when not given. */
  secretStats?: SecretScanStats;
  /** Bytes scanned per file (default 2 MB: DEFAULT_MAX_BYTES); the rest of a larger file is skipped. */
  maxBytesPerFile?: number;
  /**
   * Scan small files in batches (default; see secrets/batch.ts). False: each file on its own, on
   * the main thread.
   */
  batch?: boolean;
  /**
   * Bytes of text files seen after which the secret scan starts its worker thread and, once it has
   * loaded, sends files there (secrets/remote.ts); default REMOTE_AFTER. Infinity: never.
   */
  remoteAfter?: number;
  /**
   * Use the secret scan's thread (past remoteAfter) whatever the machine's cores (true), or never
   * (false); default: where it has a core of its own (secrets/remote.ts CORES_MIN).
   */
  remote?: boolean;
}

/**
 * The text an image holds before the secret scan moves to its thread: below it, the thread's
 * start (its modules load in ~0.15 s of CPU, on the core that hashes and inflates) costs more
 * than it saves. A Debian image with nginx holds ~18 MB, a tree of npm packages hundreds.
 */
const REMOTE_AFTER = 48 << 20;

/**
 * The `inspectContent` hook for `ImageModel.load`: scans each regular file's bytes for secrets as
 * they stream (binaries skipped by their first bytes, at most `maxBytesPerFile` read; small files
 * in batches, see secrets/batch.ts) and keeps the few OS files the inventory needs. Only small
 * results stay on the version.
 */
export function createContentInspector(
  opts: InspectorOptions = {},
): ContentInspector & { readonly secretStats: SecretScanStats } {
  const stats = opts.secretStats ?? newSecretStats();
  const scanOpts = { reveal: opts.reveal, maxBytes: opts.maxBytesPerFile ?? DEFAULT_MAX_BYTES, stats };
  stats.maxBytesPerFile = scanOpts.maxBytes;
  const batch = opts.batch === false ? undefined : SecretBatch.create(scanOpts);
  // A batch reads its files whole: only files within the scan's limit go there (a limit below
  // the batch's own size must still hold, and its files be counted as read in part).
  const batchMax = Math.min(BATCH_FILE_MAX, scanOpts.maxBytes);
  // Files of the OS files' names away from their paths, kept for a link that may lead there
  // (os/locate.ts): at most OS_BY_NAME_MAX per load, so an image of a million files named
  // `status` is not a million dpkg databases parsed; a link to one past the bound is reported as
  // not read, as a link to a file of another name is.
  let byName = 0;
  // The thread, once the text seen passes remoteAfter (null: it cannot run, or never here).
  let remote: SecretRemote | null | undefined = batch && opts.remote !== false ? undefined : null;
  let seen = 0;
  const remoteAfter = opts.remoteAfter ?? (secretThreadForced() ? 0 : REMOTE_AFTER);
  const remoteFor = (size: number): SecretRemote | undefined => {
    if (remote === null) return undefined;
    if (remote === undefined) {
      if ((seen += size) < remoteAfter) return undefined;
      remote = SecretRemote.start({ reveal: scanOpts.reveal, maxBytes: scanOpts.maxBytes }, stats, opts.remote) ?? null;
    }
    return remote?.usable ? remote : undefined;
  };
  const inspector: ContentInspector = (parts, attrs, whole, start, end) => {
    const base = parts[parts.length - 1] ?? '';
    let osKind = osFileKind(parts);
    if (osKind && !osKind.atPath && ++byName > OS_BY_NAME_MAX) osKind = undefined;
    const pkgKind = packageFileKind(parts, attrs);
    // Most files stop here: empty, a format without secrets, or system data.
    const scan = attrs.size > 0 && !skippedExt(base) && !skippedSystemData(parts);
    if (!scan && attrs.size > 0) stats.skippedByName++;
    if (!scan && !osKind && !pkgKind) return undefined;
    // Files a credential-file rule reads are scanned alone (their parsers need the whole text).
    // A batched file's path is joined only if it has a hit (or its name may be a credential file's).
    const credPath = mayBeCredentialFile(base) ? '/' + parts.join('/') : undefined;
    if (
      batch &&
      !osKind &&
      !pkgKind &&
      attrs.size <= batchMax &&
      (credPath === undefined || credentialRulesFor(credPath).length === 0)
    ) {
      const far = remoteFor(attrs.size);
      // Given whole at its header (most small files): staged and queued here, or sent to the
      // thread's batch, no sink.
      if (whole !== undefined) {
        if (!far?.whole(parts.join('/'), true, whole, start!, end!, attrs) && batch.stage(whole, start!, end!))
          batch.queue(parts, attrs);
        return undefined;
      }
      const id = far?.open(parts.join('/'));
      if (id !== undefined) return new FileSink(undefined, parts, scanOpts, undefined, undefined, undefined, far, id);
      return new FileSink(batch, parts, scanOpts, undefined, undefined, undefined);
    }
    const far = scan ? remoteFor(attrs.size) : undefined;
    const id = far?.open(parts.join('/'));
    const sec =
      scan && id === undefined ? new FileSecretScanner(credPath ?? '/' + parts.join('/'), scanOpts) : undefined;
    return new FileSink(
      undefined,
      parts,
      scanOpts,
      sec,
      osKind ? new OsFileCollector(osKind.kind, !osKind.atPath) : undefined,
      pkgKind ? new PackageFileCollector(pkgKind, base) : undefined,
      id === undefined ? undefined : far,
      id,
    );
  };
  if (batch)
    inspector.flush = () => {
      batch.run();
      return remote ? remote.flush() : undefined;
    };
  return Object.assign(inspector, { secretStats: stats });
}

/**
 * One file's sink (a class, not closures: one is made per file, 500k on large images; and one
 * class for every kind of file, so the engine's calls into sinks see a single shape).
 *
 * A small file for the batch (see secrets/batch.ts) is staged straight from the chunk that holds
 * it whole (`whole`: the tar reader's call for a file in one chunk), then queued; one that
 * arrives in pieces (`write`: it straddles two chunks) is scanned on its own. Other files go to
 * their own scanner and, for the few OS files, to the inventory's collector.
 */
class FileSink implements ContentSink {
  /** Staged by `whole` (not binary): queued at `end`, when its entry is known. */
  private staged = false;
  /** Bytes sent to the thread's scanner (`remote`): what it reads of a file, and no more. */
  private sent = 0;

  constructor(
    /** Set for a batched file. */
    private readonly batch: SecretBatch | undefined,
    private readonly parts: readonly string[],
    private readonly opts: ScanOptions,
    /** The file's own scanner: given, or made when a batched file arrives in pieces. */
    private sec: FileSecretScanner | undefined,
    private readonly os: OsFileCollector | undefined,
    /** Package files (package.json, METADATA, lockfiles, jars, Go binaries): the inventory's. */
    private readonly pkg: PackageFileCollector | undefined,
    /** The secret scan's thread, and the file's id there, when it scans the file (secrets/remote.ts). */
    private readonly remote?: SecretRemote,
    private readonly id = 0,
  ) {}

  whole(buf: Buffer, start: number, end: number): void {
    if (this.batch) this.staged = this.batch.stage(buf, start, end);
    else this.write(buf.subarray(start, end));
  }

  write(chunk: Buffer): void {
    if (this.remote) this.send(chunk);
    else if (this.batch && !this.sec) this.sec = new FileSecretScanner('/' + this.parts.join('/'), this.opts);
    this.sec?.write(chunk);
    this.os?.write(chunk);
    this.pkg?.write(chunk);
  }

  /**
   * A sparse file's hole: zeros, which hold no secret and no package data. Not handed on, so the
   * checks read the data the file holds (a hole at its start would make it look binary).
   */
  hole(_n: number): void {}

  /**
   * To the thread's scanner, only the bytes it reads (scanner.ts partRead). A binary's stop at
   * its head: an image's large files are mostly binaries (shared libraries, executables), and
   * sending each one's first 2 MB was half the bytes copied to the thread.
   */
  private send(chunk: Buffer): void {
    const { part, binary } = partRead(chunk, this.sent, this.opts.maxBytes ?? DEFAULT_MAX_BYTES);
    if (part) this.remote!.write(this.id, part);
    this.sent = binary ? Number.POSITIVE_INFINITY : this.sent + (part?.length ?? 0);
  }

  end(later: { content?: unknown }): InspectedContent | undefined {
    if (this.staged) this.batch!.queue(this.parts, later);
    // (The thread's result is merged into what this returns once it arrives: remote.ts receive.)
    this.remote?.end(this.id, later);
    const secrets = this.sec?.end();
    const osData = this.os?.end();
    const pkgData = this.pkg?.end();
    if (!secrets && !osData && !pkgData) return undefined;
    const out: InspectedContent = {};
    if (secrets) out.secrets = secrets;
    if (osData) out.os = osData;
    if (pkgData) out.packages = pkgData;
    if (this.sec?.truncated) out.truncated = true;
    return out;
  }
}

export interface CheckContext {
  /** What the user asked for (for the provenance check): `nginx:stable`, a path, `-`. */
  reference: string;
  /** Today, for end-of-life dates and ignore-entry expiry (default: now). */
  now?: Date;
  /** Unmask values found in the config and history (file content is masked by the inspector). */
  reveal?: boolean;
  /** Accepted findings (.layerlensignore); matching findings are left out. */
  ignore?: IgnoreEntry[];
  /** Receives ignore-file warnings (expired entries). */
  onWarning?: (message: string) => void;
  /** Match the packages against a vulnerability database (absent: no vulnerability check at all). */
  vulnerabilities?: VulnerabilityContext;
}

/** Every check over a loaded model; sorted most severe first. Pure: reads the model only. */
export function runChecks(model: ImageModel, ctx: CheckContext): Finding[] {
  return drain(checkSteps(model, ctx));
}

/** What the checks' work is called where it stops for want of memory (engine/steps.ts inSlices). */
export const CHECKING = 'running the checks';

/**
 * runChecks in steps: the walks over every path (the node index the checks share, the efficiency
 * figures, the superseded files) yield every few thousand paths. The explorer runs them between
 * keys once the image is in (at two million paths they take ~0.4 s), `scan` a slice after another
 * (`inSlices`, which checks the heap between slices).
 */
export function* checkSteps(model: ImageModel, ctx: CheckContext): Steps<Finding[]> {
  const meta = model.meta;
  if (!meta) return [];
  const now = ctx.now ?? new Date();
  // (The checks that walk every node share one walk: content.ts nodeIndex.)
  const eff = yield* computeEfficiencySteps(model);
  const secrets = yield* secretFindingsSteps(model);
  const deleted = yield* deletedFileSteps(model);
  let all: Finding[] = [
    ...secrets,
    ...deleted,
    ...configFindings(meta, { reveal: ctx.reveal, passwd: imagePasswd(model) }),
    ...configValueFindings(meta, { reveal: ctx.reveal }),
    ...portFindings(meta, model.tree),
    ...permissionFindings(model),
    ...provenanceFindings(meta, ctx.reference),
    ...signatureFindings(meta),
    ...osFindings(model, osInventory(model), now),
    ...efficiencyFindings(model, eff),
    ...(ctx.vulnerabilities
      ? vulnerabilityFindings(model, packageInventory(model), { reveal: ctx.reveal, ...ctx.vulnerabilities }, now)
      : []),
    ...unpackFindings(model),
    ...keyVariantFindings(meta),
  ];
  if (ctx.ignore?.length) {
    const r = applyIgnore(all, ctx.ignore, now);
    for (const w of r.warnings) ctx.onWarning?.(w);
    all = r.kept;
  }
  return yield* uniqueIdsSteps(yield* sortFindingsSteps(all));
}
