/**
 * The engine's data model: what every source produces and every consumer (findings, reports,
 * UI) reads. Nothing here knows about terminals or output formats.
 */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
export type ChangeKind = 'added' | 'modified' | 'removed';
export type Compression = 'tar' | 'gzip' | 'zstd';
export type SourceKind = 'docker' | 'podman' | 'archive' | 'oci' | 'registry' | 'demo';

/** Attributes of one filesystem entry as a layer tar describes it. */
export interface EntryAttrs {
  type: EntryType;
  /** Content bytes; 0 for dirs, symlinks and hardlinks (a hardlink's bytes count once, at its target). */
  size: number;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Symlink target as written, or a hardlink's target as an absolute in-image path. */
  linkTarget?: string;
  /**
   * A hardlink to a file its own layer wrote: that file's tar entry. A runtime links the file
   * that stands at the target when it reaches the link, so a later entry of the layer that
   * replaces the target leaves the link with these bytes (FileTree.linkedVersion).
   */
  linkEntry?: number;
  /** For type 'other': what it is. */
  special?: 'char-device' | 'block-device' | 'fifo' | 'socket';
  devMajor?: number;
  devMinor?: number;
  /** Extended attributes from PAX SCHILY.xattr.* (values as latin1 strings), e.g. security.capability. */
  xattrs?: Record<string, string>;
  /**
   * sha256 of a regular file's content (32 bytes as a latin1 string: ~48 bytes a file, not 80),
   * when the load asked for content digests (LoadOptions.contentDigests: image comparisons).
   */
  digest?: string;
}

/** One change to one path in one layer. A path has at most one version per layer. */
export interface Version extends EntryAttrs {
  layer: number;
  change: ChangeKind;
  /** For 'removed': the layer whose version was removed. For 'modified': the layer of the version replaced. */
  previousLayer?: number;
  /** The entry was not in the tar; a parent directory created implicitly for a deeper entry. */
  implicit?: boolean;
  /** Opaque result of a content inspector (see ParseOptions.inspectContent). */
  content?: unknown;
  /**
   * The tar entry this version came from, by its ordinal in the layer's tar (the re-reader finds
   * its bytes by it: the entry's name may differ from the path, cleaned or written through a
   * symlink); -1 for versions no entry wrote (implicit directories, removals).
   */
  entry: number;
}

/**
 * Why a container runtime would not unpack an entry as its name says: refused outright (the
 * entry is not in the tree) or written elsewhere (`through-symlink`: the tree has it where the
 * runtime writes it).
 */
export type UnpackProblem =
  /** The name climbs above the root (`../../etc/passwd`). */
  | 'escape'
  /** A hardlink whose target climbs above the root. */
  | 'link-escape'
  /** A name or link target longer than PATH_MAX. */
  | 'name-too-long'
  /** More extended attributes than Linux stores for one file. */
  | 'xattrs-too-large'
  /** A typeflag Docker and containerd do not unpack ("unhandled tar header type"): '7', 'S', 'D', … */
  | 'unhandled-type'
  /** A parent path with too many levels of symbolic links (a loop). */
  | 'symlink-loop'
  /** A parent path that is a file, not a directory. */
  | 'not-a-directory'
  /** A parent path is a symlink: the runtime writes (or deletes) where it points, inside the root. */
  | 'through-symlink'
  /**
   * The entry replaces files an earlier entry of the same layer wrote (the same name twice; a
   * directory the layer filled, written over): a runtime keeps the last, the blob keeps all.
   */
  | 'rewritten';

/** One entry of a layer that a runtime refuses or writes elsewhere (findings/unpack.ts reports them). */
export interface UnpackNote {
  layer: number;
  problem: UnpackProblem;
  /** The entry's name as the tar has it (cleaned where it could be; cut to 256 characters). */
  name: string;
  /** Hardlinks: the link target as the tar has it. */
  link?: string;
  /** through-symlink: the path written; not-a-directory: the parent that is not one. */
  path?: string;
  /** through-symlink, symlink-loop: the first symlink followed, and its target. */
  symlink?: string;
  symlinkTarget?: string;
  /** The entry is a whiteout: it deletes rather than writes. */
  whiteout?: boolean;
  /** rewritten: how many files of the layer's own it replaced or removed (its own name's included). */
  files?: number;
  /** rewritten: the layer wrote this path before (its name twice, or two names that lead to it). */
  duplicate?: boolean;
  /** rewritten: the whiteout is an opaque marker (`name` is the marker's). */
  opaque?: boolean;
  /** rewritten: the entry's ordinal in the layer's tar (a name may be rewritten more than once). */
  entry?: number;
  /** unhandled-type: the entry's typeflag, as the tar has it. */
  tarType?: string;
}

/** A config.history entry, mapped to the filesystem layer it produced (if any). */
export interface HistoryEntry {
  created?: string;
  createdBy?: string;
  comment?: string;
  author?: string;
  emptyLayer: boolean;
  /** Index among filesystem layers, or null for metadata-only steps and unmatched entries. */
  layerIndex: number | null;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** The OCI image config (the subset layerlens reads; the raw object is kept too). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, object>;
    Labels?: Record<string, string> | null;
    Volumes?: Record<string, object> | null;
    StopSignal?: string;
    Healthcheck?: unknown;
    [key: string]: unknown;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: Array<{
    created?: string;
    created_by?: string;
    comment?: string;
    author?: string;
    empty_layer?: boolean;
  }>;
  [key: string]: unknown;
}

/** What a source knows about one filesystem layer before reading it. */
export interface LayerDescriptor {
  /** Digest of the blob as stored (compressed digest for registries and OCI layouts). */
  digest?: string;
  /** sha256 of the uncompressed tar, from config.rootfs.diff_ids. */
  diffId?: string;
  mediaType?: string;
  /** Size of the stored blob, when known. */
  compressedSize?: number;
  /** The manifest marks it eStargz (annotation containerd.io/snapshot/stargz/toc.digest). */
  estargz?: boolean;
}

/** Metadata known before any layer content is read (except for one-pass pipes). */
export interface ImageMeta {
  /** What the user asked for, normalized where it is a reference (docker.io/library/nginx:latest). */
  reference: string;
  source: SourceKind;
  /** Manifest digest (registry/OCI/containerd), or the image ID when that is all there is. */
  digest?: string;
  configDigest?: string;
  platform?: Platform;
  config: ImageConfig;
  layers: LayerDescriptor[];
  history: HistoryEntry[];
  repoTags?: string[];
  /** Extra facts a source wants to show (e.g. "daemon: unix:///run/docker.sock"). */
  notes?: string[];
  /** Registry sources: pinned reference and the signatures/attestations/SBOMs found (never verified). */
  provenance?: ImageProvenance;
  /**
   * The image manifest's annotations (OCI layouts and registries; else its index descriptor's),
   * string values only (src/engine/annotations.ts): `org.opencontainers.image.base.name` and
   * `.base.digest` name the base image.
   */
  annotations?: Record<string, string>;
  /**
   * Members of the image's metadata that Go's decoding (how every runtime reads it) reads
   * otherwise than their spelling says: a key in another case, a field given twice
   * (engine/go-json.ts). The config, reports and views show the runtime's reading.
   */
  keyVariants?: DocumentVariant[];
}

/** A member of a document read otherwise than its spelling says. */
export interface KeyVariant {
  /** Where, as written: `config.user`, `history[2].Created_By`. */
  written: string;
  /** The field it sets: `config.User`. */
  field: string;
  /** 'case': spelled otherwise than its field; 'repeated': the field given more than once in one object. */
  how: 'case' | 'repeated';
}

/** A variant and the document it is in ('image config', 'manifest', 'image index', 'manifest.json'). */
export interface DocumentVariant extends KeyVariant {
  document: string;
}

/** A signature, attestation or SBOM a registry holds for an image. */
export interface ProvenanceArtifact {
  kind: 'signature' | 'attestation' | 'sbom' | 'other';
  /** How it was found: cosign's `sha256-HEX.sig/.att/.sbom` tags, the OCI 1.1 referrers API or its tag fallback, or a BuildKit attestation manifest in the index. */
  via: 'cosign-tag' | 'referrers-api' | 'referrers-tag' | 'index-attestation';
  /** Digest of the artifact's manifest. */
  digest: string;
  /** Digest of the manifest it refers to. */
  subject: string;
  artifactType?: string;
  tag?: string;
}

export interface ImageProvenance {
  /** registry/repository@digest of what the reference resolved to: what to pin. */
  pinnedReference: string;
  /** Digest of the image manifest that was read. */
  manifestDigest: string;
  /** Digest of the index (manifest list) it was picked from, if any. */
  indexDigest?: string;
  artifacts: ProvenanceArtifact[];
  /** Whether the registry serves GET /v2/NAME/referrers/DIGEST. */
  referrersApi: 'supported' | 'unsupported' | 'unknown';
  /** Lookup problems (auth, timeouts): the list may be incomplete. */
  errors: string[];
  /** Always false: layerlens finds signatures but does not verify them. */
  verified: false;
}

/** A layer blob as a source delivers it: raw bytes, possibly compressed. */
export interface LayerBlob {
  /** Position among filesystem layers when the source knows it; otherwise matched by diffID. */
  index?: number;
  stream: NodeJS.ReadableStream;
  /** Expected number of raw bytes (for progress), when known. */
  size?: number;
  /** Stored digest when known (verified by the source where it can). */
  digest?: string;
  /** Where the source found it (an archive member), for messages about a blob not yet matched to a layer. */
  name?: string;
  /**
   * The sha256 of the blob's raw bytes, computed apart from `stream` (a worker thread reading the
   * same file range: sources/file-hash-worker.ts). When the blob is an uncompressed tar, this is
   * its diffID and the engine does not hash the stream itself.
   */
  rawDigest?: Promise<string>;
  /**
   * The sha256 of each (start, length) range of the blob's raw bytes, 32 bytes per range, read
   * again from where the blob lies (a file: an uncompressed layer of a `docker save` archive or
   * an OCI layout). With it, a load that wants content digests takes them only when asked
   * (engine/content-digest.ts), not for every file while the layer streams.
   */
  digestRanges?: (ranges: readonly number[]) => Promise<Buffer>;
}

/**
 * What a source has read of its input so far, for progress while no layer is being parsed yet (a
 * pipe whose metadata comes last, the Docker daemon preparing its export). Optional: a source that
 * has it mutates it as it reads and the explorer polls it on its frame timer.
 */
export interface SourceProgress {
  /** Bytes read from the input (pipe, file, export stream, registry) so far. */
  bytesRead: number;
  /** Bytes expected in all, when known. */
  totalBytes?: number;
  /** `totalBytes` is an estimate (the daemon's image size for its export): shown with `~`. */
  totalIsEstimate?: boolean;
  /** What it is doing while no byte arrives ("waiting for the Docker daemon's export"). */
  phase?: string;
  /** The image's name, as soon as the source has read it (a pipe's metadata comes last). */
  name?: string;
}

/**
 * A source opened on one image. `meta()` resolves as early as the source can (before any layer for
 * daemons, layouts, seekable archives and registries; at the end for a pipe). `blobs()` yields each
 * filesystem layer blob once; the consumer drains each stream before asking for the next.
 */
export interface ImageReader {
  meta(): Promise<ImageMeta>;
  blobs(): AsyncIterable<LayerBlob>;
  /** Re-read one layer later (file viewer, extraction). Absent for one-pass sources. */
  reopenLayer?(index: number): Promise<NodeJS.ReadableStream>;
  /**
   * Set by sources whose metadata comes after the layers (a pipe, a compressed archive): their
   * `meta()` must not be awaited before `blobs()` is read (ImageModel reads both at once).
   */
  onePass?: boolean;
  close(): Promise<void>;
  /** Bytes read so far, for sources whose layers are not all known up front (see SourceProgress). */
  progress?: SourceProgress;
}
