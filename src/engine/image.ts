/**
 * ImageModel: an image being read. Metadata arrives first, then layers are parsed as their blobs
 * arrive and applied to the tree in order, each only after its diffID checked out. Consumers
 * (the UI, `inspect`, findings) subscribe to its events or await `load()`.
 */
import { noteLateOpaques, noteLateWhiteouts } from './late-markers.js';
import { EventEmitter } from 'node:events';
import { checkImageConfig } from './config-shape.js';
import { sniffCompression } from './decode.js';
import type { LayerShare } from './layer-share.js';
import type { DeferredDigests } from './content-digest.js';
import { limitError, limits } from './limits.js';
import { checkHeap, watchHeap } from './memory-guard.js';
import {
  parseLayer,
  type EntryBudget,
  type LayerEntry,
  type LayerItem,
  type ParseOptions,
  type ParsedLayer,
  type RunCursor,
  newRunCursor,
  readEntry,
} from './parse-layer.js';
import type { SegmentedList } from './segmented-list.js';
import { drain, type Steps } from './steps.js';
import { FileTree } from './tree.js';
import type { Compression, ImageMeta, ImageReader, LayerBlob, SourceProgress } from './types.js';
import type { VersionStore } from './version-store.js';
import { LayerlensError } from '../errors/index.js';

export type LayerState = 'queued' | 'reading' | 'done' | 'failed';

export interface LayerStatus {
  index: number;
  state: LayerState;
  /** Raw bytes read so far. */
  bytesRead: number;
  /** Raw bytes expected, when known. */
  totalBytes?: number;
  compression?: Compression;
  /** Computed sha256 of the uncompressed stream. */
  diffId?: string;
  /** Uncompressed size. */
  size?: number;
  compressedSize?: number;
  error?: string;
}

export interface LoadOptions {
  inspectContent?: ParseOptions['inspectContent'];
  /** Layers parsed at once (sources that can seek or fetch in parallel). */
  concurrency?: number;
  /** Keep the sha256 of every regular file on its version (`Version.digest`: content-digest.ts). */
  contentDigests?: boolean;
  /**
   * Layers shared with other images loaded at the same time (layer-share.ts): a layer another
   * image parses is taken from it (its diffID checked as usual) and this image's copy of the
   * blob is only read through. The caller gives every image's diffIDs to `share.expect` first.
   */
  share?: LayerShare;
}

export interface ImageModelEvents {
  meta: [ImageMeta];
  progress: [number];
  layer: [number];
  done: [];
  error: [LayerlensError];
}

export class ImageModel extends EventEmitter<ImageModelEvents> {
  meta?: ImageMeta;
  readonly tree = new FileTree();
  layers: LayerStatus[] = [];
  /** Layers applied to the tree so far (always a prefix: 0..appliedCount-1). */
  appliedCount = 0;
  done = false;
  error?: LayerlensError;
  /** The source's own byte counter, when it has one (read it, never write it). */
  sourceProgress?: SourceProgress;
  private reader?: ImageReader;
  /** Per layer: its files' digests not taken yet (content-digest.ts), when the load deferred them. */
  private readonly deferred: Array<DeferredDigests | undefined> = [];

  /** Read the whole image. Resolves when every layer is applied; rejects with a LayerlensError. */
  async load(reader: ImageReader, opts: LoadOptions = {}): Promise<void> {
    this.reader = reader;
    const unwatch = watchHeap();
    this.sourceProgress = reader.progress;
    try {
      await this.run(reader, opts);
      this.done = true;
      unwatch();
      this.emit('done');
    } catch (err) {
      unwatch();
      const e =
        err instanceof LayerlensError ? err : new LayerlensError(err instanceof Error ? err.message : String(err));
      this.error = e;
      this.emit('error', e);
      throw e;
    }
  }

  /** Stream of one layer's raw blob again (viewer, extraction); undefined for one-pass sources. */
  async reopenLayer(index: number): Promise<NodeJS.ReadableStream | undefined> {
    return this.reader?.reopenLayer ? this.reader.reopenLayer(index) : undefined;
  }

  get canReopen(): boolean {
    return !!this.reader?.reopenLayer;
  }

  /** Layer `layer`'s files' digests, when the load deferred them (content-digest.ts's fillDigests). */
  deferredDigests(layer: number): DeferredDigests | undefined {
    return this.deferred[layer];
  }

  /** Whether any layer's file digests wait to be asked for. */
  get digestsDeferred(): boolean {
    return this.deferred.some((d) => d !== undefined);
  }

  /** The status of the layer whose stored digest or diffID is `digest`, if the metadata says. */
  private layerNamed(digest: string | undefined): LayerStatus | undefined {
    if (!digest || !this.meta) return undefined;
    const i = this.meta.layers.findIndex((l) => l.digest === digest || l.diffId === digest);
    const status = i >= 0 ? this.layers[i] : undefined;
    return status?.state === 'queued' ? status : undefined;
  }

  /**
   * The metadata, checked at the engine's door whatever the source: a config whose shape the
   * checks and views could trip over (`Env` not a list of strings, a `null` history entry, …) and
   * more layers than allowed are one-line errors here.
   */
  private setMeta(meta: ImageMeta): void {
    checkImageConfig(meta.config, `image config${meta.configDigest ? ' ' + short(meta.configDigest) : ''}`);
    const max = limits().maxLayers;
    if (meta.layers.length > max) throw limitError('maxLayers', `the image has ${meta.layers.length} layers`);
    this.meta = meta;
    if (this.layers.length !== meta.layers.length) {
      this.layers = meta.layers.map((l, index) => ({
        index,
        state: 'queued' as LayerState,
        bytesRead: 0,
        totalBytes: l.compressedSize,
      }));
    }
    this.emit('meta', meta);
  }

  /**
   * The diffID the config names for `blob`, when the metadata is known already: by its index, or
   * for a blob a one-pass export hands over without one, by the digest its name gave (a layer
   * stored uncompressed is named by its diffID). Only a claim: the parse is checked against it.
   */
  private expectedDiffId(blob: LayerBlob): string | undefined {
    const layers = this.meta?.layers;
    if (!layers) return undefined;
    if (blob.index !== undefined) return layers[blob.index]?.diffId;
    if (!blob.digest) return undefined;
    return layers.find((l) => l.diffId === blob.digest || l.digest === blob.digest)?.diffId;
  }

  private async run(reader: ImageReader, opts: LoadOptions): Promise<void> {
    let meta: ImageMeta | undefined;
    let metaError: unknown;
    const metaPromise = reader.meta().then(
      (m) => {
        try {
          this.setMeta(m);
        } catch (err) {
          metaError = err;
          return;
        }
        meta = m;
        applier.kick();
      },
      (err) => {
        metaError = err;
      },
    );
    const parsedByIndex = new Map<number, ParsedLayer>();
    const parsedByDiff = new Map<string, ParsedLayer>();
    const applier = this.applier(parsedByIndex, parsedByDiff);
    const inFlight = new Set<Promise<void>>();
    const limit = Math.max(1, opts.concurrency ?? 1);
    let firstError: unknown;
    const budget: EntryBudget = { entriesLeft: limits().maxEntries };

    const handle = async (blob: LayerBlob): Promise<void> => {
      // (A blob without an index is applied by its diffID; its digest may still name its layer,
      // which then shows its progress.)
      const status = blob.index !== undefined ? this.layers[blob.index] : this.layerNamed(blob.digest);
      if (status) {
        status.state = 'reading';
        if (blob.size !== undefined) status.totalBytes = blob.size;
        this.emit('progress', status.index);
      }
      const onProgress = status
        ? (n: number) => {
            status.bytesRead = n;
            this.emit('progress', status.index);
          }
        : undefined;
      const diffId = this.expectedDiffId(blob);
      // A layer other images of this load hold too: its files are the same on every side, so a
      // comparison reads few of their digests (where a path differs above it). They are taken
      // when asked, if the source can hash the blob's ranges again (content-digest.ts); every
      // other layer's files are hashed as they stream, while their bytes are at hand.
      const deferDigests = !!(diffId && opts.share?.sharedLater(diffId));
      const parseOwn = () =>
        parseLayer(blob.stream, {
          inspectContent: opts.inspectContent,
          rawDigest: blob.rawDigest,
          budget,
          size: blob.size,
          estargz: blob.index !== undefined ? this.meta?.layers[blob.index]?.estargz : undefined,
          onProgress,
          contentDigests: opts.contentDigests,
          digestRanges: deferDigests ? blob.digestRanges : undefined,
          names: this.tree.names,
          versions: this.tree.versions,
        });
      let parsed: ParsedLayer;
      try {
        if (opts.share && diffId) {
          const share = opts.share;
          try {
            const t = share.take(diffId, parseOwn);
            parsed = t.owner
              ? await t.parsed
              : await takeShared(t.parsed, diffId, blob, parseOwn, onProgress, !!this.reader?.reopenLayer);
          } finally {
            share.release(diffId);
          }
        } else parsed = await parseOwn();
      } catch (err) {
        if (status) {
          status.state = 'failed';
          status.error = err instanceof Error ? err.message : String(err);
          this.emit('layer', status.index);
        }
        const where = status
          ? `layer ${status.index}`
          : `layer blob${blob.digest ? ' ' + short(blob.digest) : blob.name ? ' ' + blob.name : ''}`;
        throw new LayerlensError(
          `${where}: ${err instanceof Error ? err.message : String(err)}`,
          (err as LayerlensError).code ?? 'CORRUPT',
        );
      }
      if (blob.index !== undefined) parsedByIndex.set(blob.index, parsed);
      else parsedByDiff.set(parsed.diffId, parsed);
      if (meta) applier.kick();
    };

    for await (const blob of reader.blobs()) {
      if (metaError) break;
      if (firstError || applier.error) break;
      const p = handle(blob).catch((err) => {
        firstError ??= err;
      });
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      // Sequential sources hand out the next blob only after this one is drained; seekable ones
      // may run `limit` parses at once.
      if (inFlight.size >= limit) await Promise.race(inFlight);
      if (firstError) break;
    }
    await Promise.all(inFlight);
    if (firstError) throw firstError;
    await metaPromise;
    if (metaError) throw metaError;
    await applier.idle();
    if (this.appliedCount < (meta?.layers.length ?? 0)) {
      const missing = this.appliedCount;
      const want = meta!.layers[missing];
      throw new LayerlensError(
        `the image lists layer ${missing} (${short(want.digest ?? want.diffId ?? '?')}) but its blob is missing`,
        'MISSING_BLOB',
      );
    }
  }

  /**
   * Applies parsed layers in order, each once its diffID checked out. Runs as one async loop that
   * yields to the event loop every few thousand entries, so a 500k-entry layer never holds a frame
   * or a keypress back for long. `kick()` wakes it when a layer or the metadata arrives.
   */
  private applier(byIndex: Map<number, ParsedLayer>, byDiff: Map<string, ParsedLayer>) {
    let running: Promise<void> | null = null;
    const state = {
      error: undefined as unknown,
      kick: (): void => {
        if (running || state.error) return;
        running = loop().then(
          () => {
            running = null;
            // A layer that arrived while the loop was finishing must not wait for the next one.
            if (ready()) state.kick();
          },
          (err) => {
            state.error ??= err;
            running = null;
          },
        );
      },
      /** Resolves when everything applicable is applied; rejects with the first failure. */
      idle: async (): Promise<void> => {
        state.kick();
        while (running) await running;
        if (state.error) throw state.error;
      },
    };
    const ready = (): boolean => {
      const meta = this.meta;
      if (!meta || this.appliedCount >= meta.layers.length) return false;
      const want = meta.layers[this.appliedCount].diffId;
      return byIndex.has(this.appliedCount) || (!!want && byDiff.has(want));
    };
    const loop = async (): Promise<void> => {
      const meta = this.meta;
      if (!meta) return;
      while (this.appliedCount < meta.layers.length) {
        const i = this.appliedCount;
        const want = meta.layers[i].diffId;
        let parsed = byIndex.get(i);
        if (!parsed && want) parsed = byDiff.get(want);
        if (!parsed) return;
        if (want && parsed.diffId !== want) {
          const status = this.layers[i];
          status.state = 'failed';
          status.error = 'diffID mismatch';
          this.emit('layer', i);
          throw new LayerlensError(
            `layer ${i}: content digest mismatch: the config expects ${short(want)} but the data hashes to ${short(parsed.diffId)} (corrupted or tampered layer)`,
            'DIGEST_MISMATCH',
          );
        }
        byIndex.delete(i);
        // The same diffID may serve several layers (identical layers): keep it in byDiff.
        await applyEntriesInSlices(this.tree, i, parsed.entries, parsed.dirs, parsed.versions);
        this.finishLayer(i, parsed);
      }
    };
    return state;
  }

  private finishLayer(index: number, parsed: ParsedLayer): void {
    this.deferred[index] = parsed.deferredDigests;
    const status = this.layers[index];
    Object.assign(status, {
      state: 'done' as LayerState,
      compression: parsed.compression,
      diffId: parsed.diffId,
      size: parsed.size,
      compressedSize: parsed.compressedSize,
      bytesRead: parsed.compressedSize,
    });
    this.appliedCount = index + 1;
    this.emit('layer', index);
  }
}

/**
 * Another image's parse of the same layer (same diffID). This image's copy of the blob is dropped:
 * closed unread when each blob is a stream of its own (`ownStreams`: sources that can reopen a
 * layer, whose blob sizes are known), else read through (a pipe, a daemon export: the next blob
 * follows it), its bytes counted for its stored size. When the other parse failed, or its bytes
 * do not hash to the diffID (the other image's copy is corrupt), this image parses its own copy,
 * so its error (or success) is its own.
 */
async function takeShared(
  shared: Promise<ParsedLayer>,
  diffId: string,
  blob: LayerBlob,
  parseOwn: () => Promise<ParsedLayer>,
  onProgress: ((rawBytes: number) => void) | undefined,
  ownStreams: boolean,
): Promise<ParsedLayer> {
  let other: ParsedLayer;
  try {
    other = await shared;
  } catch {
    return parseOwn();
  }
  if (other.diffId !== diffId) return parseOwn();
  const stream = blob.stream as NodeJS.ReadableStream & { destroy?: () => void };
  const whole = !(ownStreams && blob.size !== undefined && stream.destroy);
  let stored = 0;
  let head: Buffer | undefined;
  await new Promise<void>((resolve) => {
    stream.on('data', (c: Buffer) => {
      head ??= c;
      stored += c.length;
      onProgress?.(stored);
      if (whole) return;
      // (The first bytes say how this copy is stored; the rest is not needed.)
      stream.destroy!();
      resolve();
    });
    // A read error of a copy that is not used does not matter: the layer is the parsed one.
    stream.on('error', () => resolve());
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.resume();
  });
  if (!whole) onProgress?.(blob.size!);
  return {
    ...other,
    compression: head ? sniffCompression(head) : other.compression,
    compressedSize: whole ? stored : blob.size!,
  };
}

/**
 * Apply one layer's entries: opaque markers, then whiteouts, then the entries in tar order (an
 * entry a runtime refuses is noted where it stands). Takes the parser's items (parse-layer.ts
 * LayerItem) or LayerEntry records.
 */
export function applyEntries(
  tree: FileTree,
  layer: number,
  entries: SegmentedList<LayerItem>,
  dirs?: readonly string[],
  versions?: VersionStore,
): void {
  drain(applySteps(tree, layer, entries, dirs, versions));
}

/**
 * applyEntries in steps: the markers and their late passes (beginApply, endApply) and a step
 * every SLICE items between.
 */
function* applySteps(
  tree: FileTree,
  layer: number,
  entries: SegmentedList<LayerItem>,
  dirs?: readonly string[],
  versions?: VersionStore,
): Steps {
  const markers = yield* beginApply(tree, layer, entries);
  const at = newRunCursor(dirs, versions);
  let next = SLICE;
  for (let i = 0; i < entries.length; i++) {
    i = applyItem(tree, layer, entries, i, at);
    if (i >= next) {
      next = i + SLICE;
      yield;
    }
  }
  yield* endApply(tree, layer, markers);
}

type Whiteout = Extract<LayerEntry, { kind: 'whiteout' }>;
type Opaque = Extract<LayerEntry, { kind: 'opaque' }>;
interface Markers {
  whiteouts: Whiteout[];
  opaques: Opaque[];
}

/**
 * End a layer: its whiteouts and opaque markers that came after entries the runtimes remove with
 * them and the spec does not (late-markers.ts). In steps (a pass over the layer's changes each).
 */
function* endApply(tree: FileTree, layer: number, m: Markers): Steps {
  if (m.whiteouts.length) yield* noteLateWhiteouts(tree, m.whiteouts, layer);
  if (m.opaques.length) yield* noteLateOpaques(tree, m.opaques, layer);
}

/**
 * Items looked at, or paths the markers removed, between two steps of beginApply: an upgrade
 * layer's opaque markers over a site-packages tree removed a million lower paths in ~0.2 s.
 */
const MARKER_WORK = 16_384;

/**
 * Start a layer: its opaque markers, then its whiteouts (they hide lower layers' entries only).
 * Returns both, for endApply. In steps, by the items looked at and the paths removed (the tree's
 * edits): one marker's removal is not cut, a marker over a huge directory is one step.
 */
function* beginApply(tree: FileTree, layer: number, entries: SegmentedList<LayerItem>): Steps<Markers> {
  tree.beginLayer(layer);
  const m: Markers = { whiteouts: [], opaques: [] };
  let edits = tree.edits;
  for (let i = 0; i < entries.length; i++) {
    const e = entries.at(i);
    const kind = (e as LayerEntry).kind;
    if (kind === 'opaque') {
      tree.opaque((e as Opaque).parts, layer);
      m.opaques.push(e as Opaque);
      if (tree.edits - edits >= MARKER_WORK) {
        edits = tree.edits;
        yield;
      }
    } else if (kind === 'whiteout') m.whiteouts.push(e as Whiteout);
    if (i % MARKER_WORK === MARKER_WORK - 1) yield;
  }
  for (const w of m.whiteouts) {
    tree.whiteout(w.parts, layer);
    if (tree.edits - edits >= MARKER_WORK) {
      edits = tree.edits;
      yield;
    }
  }
  return m;
}

/** Apply the item at `i`; returns the index of its last item (see LayerItem). */
function applyItem(tree: FileTree, layer: number, items: SegmentedList<LayerItem>, i: number, at: RunCursor): number {
  if (readEntry(items, i, at)) {
    const vs = at.versions;
    const j = at.slot;
    const content = vs.content(j);
    // A file the tree refuses (its directory is a file, or a symlink loop): its bytes kept aside.
    if (
      !tree.putSlotAt(at.dir, at.name, vs, j, layer, content, vs.entry(j), true) &&
      vs.type(j) === 'file' &&
      content !== undefined
    ) {
      const path = at.dir === '' ? at.name : `${at.dir}/${at.name}`;
      tree.keepRefused(path, vs.view(j), layer, content, vs.entry(j), undefined);
    }
    return at.next;
  }
  const e = items.at(i) as LayerEntry;
  if (e.kind === 'entry') {
    const content = e.content ?? (e.attrs as { content?: unknown }).content;
    if (!tree.putPath(e.path, e.attrs, layer, e.content, e.ordinal ?? -1) && e.attrs.type === 'file')
      tree.keepRefused(e.path, e.attrs, layer, content, e.ordinal ?? -1, undefined);
  } else if (e.kind === 'parents') tree.ensureDirs(e.parts, layer);
  else if (e.kind === 'refused') {
    tree.note({
      layer,
      problem: e.problem,
      name: e.name,
      ...(e.link !== undefined ? { link: e.link } : {}),
      ...(e.tarType !== undefined ? { tarType: e.tarType } : {}),
    });
    if (e.attrs && e.path !== undefined)
      tree.keepRefused(e.path, e.attrs, layer, e.attrs.content, e.ordinal ?? -1, e.problem, e.tarType);
  }
  return i;
}

/** Entries applied between two yields to the event loop (~5–10 ms of work). */
const SLICE = 8192;

/** applyEntries, yielding to the event loop between slices of a large layer. */
export async function applyEntriesInSlices(
  tree: FileTree,
  layer: number,
  entries: SegmentedList<LayerItem>,
  dirs: readonly string[],
  versions?: VersionStore,
): Promise<void> {
  if (entries.length <= SLICE) return applyEntries(tree, layer, entries, dirs, versions);
  // Readers between slices (the explorer's frames and keys, the early findings) see the layers
  // before this one only; a layer whose application fails (the heap bound) is never counted.
  tree.setApplying(layer);
  for (const steps = applySteps(tree, layer, entries, dirs, versions); !steps.next().done; ) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    checkHeap(`layer ${layer}`);
  }
  tree.setApplying(null);
}

export function short(digest: string): string {
  const m = digest.match(/^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/);
  return m ? `${m[1] ?? ''}${m[2]}` : digest;
}
