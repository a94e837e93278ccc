/**
 * What comparing two images gives: the shape the diff reports (JSON, table, Markdown) and the
 * explorer's compare view display. Field names follow the documented diff JSON (docs/reports.md).
 */
import type { EntryType } from '../../engine/types.js';
import type { WasteCause } from '../efficiency.js';
import type { Finding, Severity } from '../types.js';

/** Who an image is, as the comparison names it. */
export interface ImageSummary {
  reference: string;
  source: string;
  digest: string | null;
  configDigest: string | null;
  platform: string | null;
  /** Filesystem layers. */
  layerCount: number;
}

/** One filesystem layer in a comparison. */
export interface LayerRef {
  index: number;
  diffId: string | null;
  /** The stored blob's digest, when the source knows it (registries, OCI layouts). */
  digest: string | null;
  /** Uncompressed bytes. */
  size: number | null;
  /** Stored bytes (compressed where the source stores it so). */
  compressedSize: number | null;
  /**
   * The step that made it, written Dockerfile-like, secrets masked (`# comment` when the history
   * has only a comment, as `docker import` leaves); null when the history does not say.
   */
  createdBy: string | null;
}

/**
 * One row of the two layer lists side by side: `shared` (same diffID: the same files, whatever
 * the compression), `rebuilt` (same step, other content), `removed` (only in OLD), `added` (only in NEW).
 */
export interface LayerRow {
  relation: 'shared' | 'rebuilt' | 'removed' | 'added';
  old: LayerRef | null;
  new: LayerRef | null;
  /** For shared layers: the stored blobs are the same too (same digest). */
  sameDigest?: boolean;
}

export interface LayerComparison {
  rows: LayerRow[];
  /**
   * Layers of NEW that OLD holds too (anywhere): by diffID (the same files), and among those the
   * ones stored as the same blob (same digest; null when a source does not know its blobs'
   * digests, as a docker save archive); and their uncompressed bytes.
   */
  shared: { byDiffId: number; byDigest: number | null; bytes: number };
  /** Leading layers both images hold in the same order: the common base. */
  commonPrefix: number;
  /**
   * Where the histories part, when they do: the first filesystem layer that differs and the steps
   * on each side ("identical up to layer 4, then RUN …"). Null when every layer is shared in order.
   */
  divergence: { layer: number; old: string | null; new: string | null } | null;
}

/** A history step in a comparison (metadata-only steps included). */
export interface StepRef {
  /** Position in the image's history, oldest first. */
  index: number;
  createdBy: string | null;
  emptyLayer: boolean;
  layerIndex: number | null;
}

/** History steps aligned: `same` (same step, same layer), `rebuilt` (same step, other layer), `removed`, `added`. */
export interface HistoryRow {
  relation: 'same' | 'rebuilt' | 'removed' | 'added';
  old: StepRef | null;
  new: StepRef | null;
}

/** What a path is in one image's final filesystem. */
export interface FileState {
  type: EntryType;
  /** Permission bits as 4 octal digits (`0755`, `4755`). */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  /** `sha256:…` of a regular file's content, when it was hashed. */
  digest: string | null;
  linkTarget: string | null;
  /** The layer whose version is in force. */
  layer: number;
}

export type FileAspect = 'type' | 'mode' | 'owner' | 'size' | 'content' | 'target' | 'xattrs' | 'device';

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'modified';
  old: FileState | null;
  new: FileState | null;
  /** For `modified`: what differs. */
  aspects: FileAspect[];
  /** Content bytes NEW has more (negative: fewer). */
  sizeDelta: number;
}

/** Changes under one directory (its direct entries). */
export interface DirectorySummary {
  path: string;
  added: number;
  removed: number;
  modified: number;
  /** Bytes of the files added, of the files removed, and the net change with the modified ones. */
  bytesAdded: number;
  bytesRemoved: number;
  bytesDelta: number;
}

export interface FileComparison {
  /** The --path globs the lists were narrowed to (empty: the whole filesystem). */
  paths: string[];
  added: number;
  removed: number;
  modified: number;
  /** Paths whose versions differ only in modification time (not listed as modified). */
  timestampOnly: number;
  bytesAdded: number;
  bytesRemoved: number;
  /** Net content bytes: NEW's files minus OLD's, over the changes listed. */
  bytesDelta: number;
  /**
   * Whether regular files were compared by content: false when a side was read without content
   * digests, so same-sized files could only be compared by their attributes.
   */
  contentCompared: boolean;
  /** Modified files whose content could not be compared (a digest missing on one side). */
  contentUnknown: number;
  directories: DirectorySummary[];
  entries: FileChange[];
}

export interface ValueChange<T> {
  old: T;
  new: T;
}

/** An ENV or LABEL entry that differs; values masked where they look secret. */
export interface KeyChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  old: string | null;
  new: string | null;
  /** The value (either side) looks like a secret and is masked. */
  masked: boolean;
}

export interface ConfigComparison {
  user: ValueChange<string | null> | null;
  platform: ValueChange<string | null> | null;
  entrypoint: ValueChange<string[] | null> | null;
  cmd: ValueChange<string[] | null> | null;
  workingDir: ValueChange<string | null> | null;
  stopSignal: ValueChange<string | null> | null;
  healthcheck: ValueChange<string | null> | null;
  exposedPorts: { added: string[]; removed: string[] };
  volumes: { added: string[]; removed: string[] };
  env: KeyChange[];
  labels: KeyChange[];
  history: HistoryRow[];
}

export interface SideSizes {
  layers: number;
  /** Sum of the layers' uncompressed sizes. */
  uncompressed: number;
  /** Sum of the stored sizes, or null when a layer's is unknown. */
  compressed: number | null;
  /** Content bytes of the regular files in the final filesystem. */
  files: number;
  wasted: number;
  wastedByCause: Record<WasteCause, number>;
}

export interface SizeComparison {
  old: SideSizes;
  new: SideSizes;
  /** Uncompressed bytes of NEW's layers that OLD holds too. */
  sharedBytes: number;
}

/** One package as comparisons see it (OS packages today; every ecosystem once the inventory has them). */
export interface PackageRecord {
  /** What scopes its name and orders its versions: the package URL type (`deb`, `apk`, `rpm`, `npm`, `pypi`, `golang`…). */
  ecosystem: string;
  name: string;
  version: string;
  arch?: string;
  purl?: string;
}

export interface PackageChange {
  ecosystem: string;
  name: string;
  arch?: string;
  old: string;
  new: string;
}

export interface PackageComparison {
  /** Whether either image had a package inventory to compare. */
  compared: boolean;
  added: PackageRecord[];
  removed: PackageRecord[];
  upgraded: PackageChange[];
  downgraded: PackageChange[];
  /** Another version whose order is not known for the ecosystem. */
  changed: PackageChange[];
  unchanged: number;
}

/** A finding of NEW matched with one of OLD. */
export interface MatchedFinding {
  old: Finding;
  new: Finding;
  /** Matched by content elsewhere (a moved file, a secret at another path). */
  moved: boolean;
}

export interface FindingComparison {
  /** NEW's findings OLD does not have: what the new build introduced (`--fail-on` judges these). */
  new: Finding[];
  /** OLD's findings NEW no longer has. */
  resolved: Finding[];
  unchanged: MatchedFinding[];
  /** Provenance findings (about the reference, not the content) are left out of the matching. */
  leftOut: number;
}

/** One vulnerability of one package, as a comparison lists it. */
export interface VulnerabilityChange {
  /** The preferred id (CVE when there is one) and the others that name it. */
  id: string;
  aliases: string[];
  package: string;
  /** The OSV ecosystem it was matched in (`Debian:12`, `npm`). */
  ecosystem: string;
  /** The version it was found at (in OLD for a fixed one, in NEW for an introduced one). */
  version: string;
  /** The version that fixes it, or null when none is published. */
  fixedVersion: string | null;
  severity: Severity;
  /** The finding's id (in the image it was found in). */
  findingId: string;
}

export interface VulnerabilityComparison {
  /** Both images' packages were matched against a vulnerability database (else the lists are empty). */
  checked: boolean;
  /** NEW's vulnerabilities OLD did not have. */
  introduced: VulnerabilityChange[];
  /** OLD's vulnerabilities NEW no longer has. */
  fixed: VulnerabilityChange[];
  unchanged: number;
}

export interface ImageComparison {
  old: ImageSummary;
  new: ImageSummary;
  /** Nothing differs in any section (layers, files, config, packages, findings). */
  identical: boolean;
  layers: LayerComparison;
  files: FileComparison;
  config: ConfigComparison;
  sizes: SizeComparison;
  packages: PackageComparison;
  vulnerabilities: VulnerabilityComparison;
  findings: FindingComparison;
}

export type SeverityCounts = Record<Severity, number>;
