/**
 * One layer blob → the list of its entries (decoded, diffID computed), without touching the tree.
 * The tree is only changed once the layer is complete and its diffID verified, so a corrupt or
 * tampered layer never shows up as if it were fine.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeferredDigests, DigestingSink, EMPTY_DIGEST, type RangeDigests } from './content-digest.js';
import { describeDecodeError, openDecoded } from './decode.js';
import { BlobTail, isStargzFooter } from './estargz.js';
import { giveBack } from './lent-chunks.js';
import { MAX_XATTR_BYTES, formatLimit, limitError, limits } from './limits.js';
import { checkHeap, heapFlag } from './memory-guard.js';
import { NameTable } from './names.js';
import { ownCopy } from '../text/own-copy.js';
import { SegmentedList } from './segmented-list.js';
import { streamHash, streamHashLoaded } from './stream-hash.js';
import { TarReader, type TarHeader } from './tar-reader.js';
import { OPAQUE_MARKER, PathCleaner, WHITEOUT_PREFIX, cleanPath } from './paths.js';
import type { Compression, EntryAttrs, UnpackProblem } from './types.js';
import { UNPLACED, VersionStore } from './version-store.js';
import { LayerlensError } from '../errors/index.js';

export type LayerEntry =
  /**
   * `path`: the cleaned components joined by `/` (no leading `/`; `''` for the root). `ordinal`:
   * the entry's place among the tar's entries (how the re-reader finds it again). (The parser
   * itself hands plain entries over as LayerItems, without a record or a full path.)
   */
  | { kind: 'entry'; path: string; attrs: EntryAttrs; ordinal?: number; content?: unknown }
  /** `ordinal`: as an entry's (a whiteout or opaque marker after what its layer wrote is noted: late-markers.ts). */
  | { kind: 'whiteout'; parts: string[]; ordinal?: number }
  | { kind: 'opaque'; parts: string[]; ordinal?: number }
  /**
   * An entry a container runtime refuses to unpack: not applied, reported (findings/unpack.ts).
   * One with bytes (a file, or a type the runtimes do not handle, which GNU tar extracts as a
   * file) carries them as inspected: `path` (its name's components, `..` dropped, as GNU tar
   * extracts it), `ordinal` and `attrs` with the inspector's result (FileTree.refusedCopies).
   */
  | {
      kind: 'refused';
      problem: UnpackProblem;
      name: string;
      link?: string;
      tarType?: string;
      path?: string;
      ordinal?: number;
      attrs?: EntryAttrs & { content?: unknown };
    }
  /**
   * Directories a runtime creates for a PAX global header, the parents of the path it is named
   * by (Docker and containerd make an entry's parents before they look at its type).
   */
  | { kind: 'parents'; parts: string[] };

/**
 * A parsed layer's entries in tar order, as the parser keeps them while the layer waits for its
 * diffID. A plain entry is its attributes' slot in the layer's VersionStore (ParsedLayer.versions,
 * a number ≥ 0; the slot carries the entry's ordinal and the content inspector's result), after
 * either of:
 * - a negative number ~D and a name (one component): the entry starts a run of entries in one
 *   directory, the layer's D-th run directory (ParsedLayer.dirs: 0 is the root; every root entry
 *   starts a run);
 * - a name: the entry is in the directory of the run it continues.
 * Anything else is a LayerEntry. Tars list a directory's files together, so most entries wait as
 * a name that is the tree's node name to be, and two array slots; no record object, no attribute
 * object (issue 16: a million of those were most of what the scavenger copied) and no full path
 * per entry. Names and directories are strings of their own (names.ts), not views into the
 * tar's path strings: those die young, where a waiting layer kept them alive into the old
 * generation (issue 16: ~200 MB of garbage on the ML-shaped image). entryList() gives LayerEntry
 * records.
 */
export type LayerItem = LayerEntry | number | string;

/**
 * A walk over LayerItems: the directory of the run the names continue, and the plain entry
 * readEntry() read last (one object for the whole walk: none per entry on a million entries).
 */
export interface RunCursor {
  /** The layer's run directories (ParsedLayer.dirs). */
  dirs: readonly string[];
  /** The layer's attribute slots (ParsedLayer.versions). */
  versions: VersionStore;
  dir: string;
  name: string;
  /** The entry's slot in `versions`. */
  slot: number;
  /** The index of the entry's last item. */
  next: number;
}

export const newRunCursor = (dirs: readonly string[] = ROOT_ONLY, versions = NO_SLOTS): RunCursor => ({
  dirs,
  versions,
  dir: '',
  name: '',
  slot: -1,
  next: 0,
});

const ROOT_ONLY: readonly string[] = [''];
/** The store of a list that has no plain entries (LayerEntry records only: tests, tools). */
const NO_SLOTS = new VersionStore();

/**
 * Read the plain entry at `i` into `at` (its directory, name, attributes' slot and last item);
 * false when the item is a LayerEntry.
 */
export function readEntry(items: SegmentedList<LayerItem>, i: number, at: RunCursor): boolean {
  const it = items.at(i);
  if (typeof it === 'string') {
    at.name = it;
    at.slot = items.at(i + 1) as number;
    at.next = i + 1;
    return true;
  }
  if (typeof it !== 'number') return false;
  at.dir = at.dirs[~it];
  at.name = items.at(i + 1) as string;
  at.slot = items.at(i + 2) as number;
  at.next = i + 2;
  return true;
}

/** The layer's items as LayerEntry records (tests, tools). */
export function entryList(layer: Pick<ParsedLayer, 'entries' | 'dirs' | 'versions'>): LayerEntry[] {
  const items = layer.entries;
  const out: LayerEntry[] = [];
  const at = newRunCursor(layer.dirs, layer.versions);
  for (let i = 0; i < items.length; i++) {
    if (!readEntry(items, i, at)) {
      out.push(items.at(i) as LayerEntry);
      continue;
    }
    const path = at.dir === '' ? at.name : at.dir + '/' + at.name;
    const attrs = layer.versions.view(at.slot);
    out.push({ kind: 'entry', path, attrs, ordinal: attrs.entry, content: attrs.content });
    i = at.next;
  }
  return out;
}

export interface ParsedLayer {
  compression: Compression;
  /** sha256:… of the uncompressed tar stream. */
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
  /** Raw (stored) bytes read. */
  compressedSize: number;
  entries: SegmentedList<LayerItem>;
  /** The directories the entries' runs are in (see LayerItem); the first is the root, `''`. */
  dirs: string[];
  /**
   * The plain entries' attributes, by slot (see LayerItem): the tree's own store when the parse was
   * given it (ParseOptions.versions), whose slots the tree then takes as they stand; else a store
   * of the layer's own, which a tree copies from (FileTree.putSlotAt).
   */
  versions: VersionStore;
  /** Its files' digests, taken when asked (content-digest.ts); set with ParseOptions.digestRanges. */
  deferredDigests?: DeferredDigests;
}

/**
 * Receives a file's bytes while the layer streams; its `end()` result is kept on the version.
 * Chunks are slices of the decoder's buffers: copy what you keep.
 */
export interface ContentSink {
  write(chunk: Buffer): void;
  /** Optional: the file's whole content when it lies in one chunk, as `buf[start, end)` (see EntrySink). */
  whole?(buf: Buffer, start: number, end: number): void;
  /** Optional: `n` zeros of a sparse file's hole, not given as bytes (see EntrySink). */
  hole?(n: number): void;
  /**
   * The file is complete. Returns the result to keep (or undefined); a sink that works in
   * batches (or on another thread) may instead set `later.content`, or replace what it returned,
   * until its inspector's `flush()` has resolved.
   */
  end(later: { content?: unknown }): unknown;
}

/**
 * Called for each regular file with its path as components (`['etc', 'passwd']`: most files need
 * no joined path, and joining 500k of them showed in profiles); returns a sink to see its content
 * (e.g. secret scanning). `flush()`, when there is one, is called once a layer's stream has
 * ended, and awaited before the layer is applied: every result still owed is delivered by then
 * (a rejection fails the layer).
 *
 * When the file's whole content lies in the chunk being read, it comes with the call as
 * `whole[start, end)` (valid during the call only). An inspector that takes it there returns no
 * sink, and sets its result, if any, on `attrs.content` (`attrs` becomes the file's version) by
 * the time its `flush()` has resolved: most files of an image are small, and a sink object and two
 * calls per file showed in profiles of 500k-file images. One that returns a sink gets the same
 * bytes through it.
 */
export interface ContentInspector {
  (
    parts: readonly string[],
    attrs: EntryAttrs & { content?: unknown },
    whole?: Buffer,
    start?: number,
    end?: number,
  ): ContentSink | undefined;
  flush?(): void | Promise<void>;
}

export interface ParseOptions {
  inspectContent?: ContentInspector;
  /** Raw bytes read so far (for progress bars). */
  onProgress?: (rawBytes: number) => void;
  /**
   * The raw blob's sha256, computed elsewhere (LayerBlob.rawDigest): the diffID of an
   * uncompressed tar, which is then not hashed here. Awaited in every case, so its rejection
   * (the file could not be read, or ended early) fails the layer.
   */
  rawDigest?: Promise<string>;
  /** Keep the sha256 of every regular file on its attributes (content-digest.ts). */
  contentDigests?: boolean;
  /**
   * With `contentDigests`: the blob's ranges can be hashed again later (LayerBlob.digestRanges).
   * An uncompressed layer then keeps where its files lie instead (ParsedLayer.deferredDigests).
   */
  digestRanges?: RangeDigests;
  /** The raw blob's length, when the source knows it (an uncompressed layer's entries are checked against it). */
  size?: number;
  /** The manifest says this layer is eStargz (its TOC annotation): hide its TOC and landmarks. */
  estargz?: boolean;
  /** Shared by the layers of one image: entries still allowed (LAYERLENS_MAX_ENTRIES). */
  budget?: EntryBudget;
  /** The node names of the tree the layer goes into (names.ts); a table of its own if not given. */
  names?: NameTable;
  /**
   * The store the entries' attributes are written to: the tree's own, where the layer goes into
   * one (ImageModel), so that applying the layer takes each slot as it stands instead of copying
   * it (FileTree.place). Slots of two layers parsed at once interleave there; a slot is placed by
   * its index, so that is no matter. A store of its own if not given.
   */
  versions?: VersionStore;
}

/** What the layers of one image may still hold, shared by all of them. */
export interface EntryBudget {
  entriesLeft: number;
}

/** Decompressed bytes allowed to wait for parsing before the decoder is held back. */
const QUEUE_LIMIT = 8 << 20;

// eStargz keeps its TOC and prefetch landmarks as regular tar members at the root; they are not
// part of the image's filesystem, but only in a layer that really is eStargz (its footer, or the
// manifest's annotation, says so): anywhere else a file of that name is a file like any other.
const ESTARGZ_HIDDEN = new Set(['stargz.index.json', '.prefetch.landmark', '.no.prefetch.landmark']);

/** Parse one raw layer blob (tar, gzip or zstd). Rejects with a LayerlensError on bad data. */
export async function parseLayer(raw: NodeJS.ReadableStream, opts: ParseOptions = {}): Promise<ParsedLayer> {
  // (Handled now: the parse may fail first, and the rejection must not go unhandled meanwhile.)
  opts.rawDigest?.catch(() => {});
  let compressedSize = 0;
  // The blob's last bytes hold an eStargz footer, if it has one.
  const tail = new BlobTail();
  const rawStream = raw as NodeJS.ReadableStream & { on: (ev: string, fn: (c: Buffer) => void) => void };
  rawStream.on('data', (c: Buffer) => {
    compressedSize += c.length;
    tail.push(c);
    opts.onProgress?.(compressedSize);
  });
  let decoded;
  try {
    // A gzip layer's chunks are lent (inflated into the hashing thread's blocks, no copy for
    // the hash): each goes back below once parsed.
    decoded = await openDecoded(raw, { lendOutput: true });
  } catch (err) {
    throw asLayerError(err, 'tar');
  }
  const { kind, out, decoder } = decoded;
  // An uncompressed tar's diffID is the raw blob's digest: hashed elsewhere when it is given.
  const hashHere = !(opts.rawDigest && kind === 'tar');
  // Its files' digests too, when asked for: the source can hash its ranges again (the stream's
  // offsets are the blob's own, the tar being uncompressed).
  const deferred =
    opts.contentDigests && opts.digestRanges && kind === 'tar' ? new DeferredDigests(opts.digestRanges) : undefined;

  let decodeError: unknown;
  decoder.on('error', (err) => {
    decodeError ??= err;
  });
  // The diffID is hashed on a worker thread when one runs (stream-hash.ts), in step with the parse.
  if (hashHere) await streamHashLoaded();
  const hash = hashHere ? streamHash() : undefined;
  let size = 0;
  /** The holes of the layer's sparse files: zeros they unpack to beyond their bytes in the tar. */
  let holes = 0;
  const entries = new SegmentedList<LayerItem>();
  const versions = opts.versions ?? new VersionStore();
  // The attributes of the entry whose content is streaming to a sink (two variables, not an object
  // per file): the sink's result is kept on them (`content`), and a batching sink sets it there.
  let currentEntry: (EntryAttrs & { content?: unknown }) | null = null;
  let currentSink: ContentSink | undefined;

  const lim = limits();
  const budget = opts.budget;
  // The directory of the run of entries the last one started (see LayerItem).
  const run = newRun(opts.names ?? new NameTable());
  // Root entries named like eStargz's TOC or landmarks: hidden at the end if the layer is eStargz.
  let stargzNames: number[] | undefined;
  /** The inspector's sink for a file's bytes (undefined: none, or the inspector took them whole). */
  const inspect = (parts: string[], attrs: EntryAttrs): ContentSink | undefined => {
    if (!opts.inspectContent) return undefined;
    // (A file's data length is its size: a tar holds a regular file's bytes as they are.)
    const chunk = attrs.size > 0 && reader.entryDataLength === attrs.size ? reader.entryChunk : undefined;
    if (chunk === undefined) return opts.inspectContent(parts, attrs);
    const at = reader.entryDataOffset;
    return opts.inspectContent(parts, attrs, chunk, at, at + attrs.size);
  };
  /**
   * A refused entry's bytes, inspected as a file's: no runtime unpacks it, but its bytes ship in
   * the layer for anyone who reads the tar (GNU tar extracts an unknown type as a file, and a name
   * above the root with its `..` dropped). Its path is the name so extracted.
   */
  const inspectRefused = (item: LayerEntry, header: TarHeader, ordinal: number): ContentSink | undefined => {
    const n = reader.entryDataLength;
    if (!opts.inspectContent || n === 0 || item.kind !== 'refused') return undefined;
    const parts = header.name.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
    if (parts.length === 0) return undefined;
    const attrs = versions.view(headerSlot(versions, header, 'file'));
    attrs.size = n;
    attrs.entry = ordinal;
    item.path = parts.join('/');
    item.ordinal = ordinal;
    item.attrs = attrs;
    const sink = inspect(parts, attrs);
    currentEntry = sink ? attrs : null;
    currentSink = sink;
    return sink;
  };
  const names = new PathCleaner();
  const reader = new TarReader(
    (header, ordinal) => {
      if (budget && --budget.entriesLeft < 0) throw tooManyEntries(lim.maxEntries);
      const type = TYPE_MAP[header.typeflag] ?? 'other';
      if (header.sparse) {
        // A sparse file unpacks to its real size, its holes handed on as zeros: bounded as bytes are.
        holes += Math.max(0, header.size - reader.entryDataLength);
        if (size + holes > lim.maxLayerBytes)
          throw limitError(
            'maxLayerBytes',
            'the layer is larger than allowed once unpacked (its sparse files at their real size)',
          );
      }
      const refused = refusal(header, type, lim.maxPathBytes);
      if (refused) {
        entries.push(refused);
        return type === 'file' ? inspectRefused(refused, header, ordinal) : undefined;
      }
      const parts = names.clean(header.name);
      if (parts === null) {
        const escaped: LayerEntry = { kind: 'refused', problem: 'escape', name: cut(header.name) };
        entries.push(escaped);
        return type === 'file' ? inspectRefused(escaped, header, ordinal) : undefined;
      }
      const base = parts[parts.length - 1] ?? '';
      // (The first character first: startsWith is slow for what every entry asks.)
      if (type !== 'dir' && base.charCodeAt(0) === 46 && base.startsWith(WHITEOUT_PREFIX)) {
        if (base === OPAQUE_MARKER) entries.push({ kind: 'opaque', parts: parts.slice(0, -1), ordinal });
        else if (!base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
          // (other .wh..wh.* names are AUFS metadata: skipped)
          parts[parts.length - 1] = base.slice(WHITEOUT_PREFIX.length);
          entries.push({ kind: 'whiteout', parts, ordinal });
        }
        return undefined;
      }
      // (After the whiteouts: the runtimes look at a name's whiteout prefix before its type.)
      if (type === 'other' && SPECIAL_MAP[header.typeflag] === undefined) {
        const unhandled: LayerEntry = {
          kind: 'refused',
          problem: 'unhandled-type',
          name: cut(header.name),
          tarType: header.typeflag,
        };
        entries.push(unhandled);
        return inspectRefused(unhandled, header, ordinal);
      }
      const slot = headerSlot(versions, header, type);
      if (type === 'hardlink' && versions.linkTarget(slot) === ESCAPES) {
        entries.push({ kind: 'refused', problem: 'link-escape', name: cut(header.name), link: cut(header.linkname) });
        return undefined;
      }
      versions.setEntry(slot, ordinal);
      if (parts.length === 0) entries.push({ kind: 'entry', path: '', attrs: versions.view(slot), ordinal });
      else pushEntry(entries, header.name, parts, slot, run);
      if (kind === 'gzip' && parts.length === 1 && ESTARGZ_HIDDEN.has(base)) (stargzNames ??= []).push(slot);
      if (type !== 'file') {
        currentEntry = null;
        currentSink = undefined;
        return undefined;
      }
      // (A view of the slot for the inspector: it keeps its result there, `content`.)
      const attrs = versions.view(slot);
      let sink = inspect(parts, attrs);
      if (opts.contentDigests) {
        // (A sparse file's data in the blob is not its content: hashed as it is handed on.)
        if (!deferred || header.sparse) sink = new DigestingSink(sink, attrs);
        else if (reader.entryDataLength === 0) attrs.digest = EMPTY_DIGEST;
        else deferred.add(ordinal, reader.entryDataStart, reader.entryDataLength);
      }
      currentEntry = sink ? attrs : null;
      currentSink = sink;
      return sink;
    },
    () => {
      if (currentSink) {
        const entry = currentEntry!;
        const result = currentSink.end(entry);
        if (result !== undefined) entry.content = result;
        currentEntry = null;
        currentSink = undefined;
      }
    },
    kind === 'tar' && opts.size !== undefined ? opts.size : undefined,
    (name) => {
      const parts = cleanPath(name);
      if (parts && parts.length > 1) entries.push({ kind: 'parents', parts: parts.slice(0, -1) });
    },
  );

  // Hash and parse each decompressed chunk in one pass, but not inside the decoder's callback:
  // zlib schedules its next inflate only after its push() returns, so doing the work there would
  // make decompression (thread pool) and parsing (main thread) take turns instead of overlapping.
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let scheduled = false;
  let failure: Error | null = null;
  let resume: (() => void) | null = null;
  // The end of the input, once it has all been worked (the consumer's final callback).
  let ending: ((err?: Error | null) => void) | null = null;
  const work = () => {
    scheduled = false;
    try {
      while (queue.length) {
        if (!failure && hash?.congested) {
          // The hashing thread is behind: the queue waits for it (and the decoder for the queue).
          scheduled = true;
          hash.whenDrained(() => setImmediate(work));
          return;
        }
        const c = queue.shift()!;
        queuedBytes -= c.length;
        if (failure) {
          giveBack(c);
          continue;
        }
        hash?.update(c);
        size += c.length;
        if (size + holes > lim.maxLayerBytes)
          throw limitError('maxLayerBytes', 'the layer is larger than allowed once uncompressed');
        reader.write(c);
        // The chunk is done with: the tar reader and every sink copy what they keep past a call,
        // so a lent chunk goes back to be read or inflated into again (lent-chunks.ts): a plain
        // tar's to its source, a gzip layer's to its decoder.
        giveBack(c);
        checkHeap('reading the layer');
      }
    } catch (err) {
      failure = err as Error;
      for (const c of queue) giveBack(c);
      queue.length = 0;
      queuedBytes = 0;
    }
    const r = resume;
    resume = null;
    // (May write the next chunk, and even end the input, before it returns: that chunk is queued
    // and scheduled, and the end waits for it.)
    r?.();
    if (ending && !scheduled) {
      const end = ending;
      ending = null;
      if (failure) end(failure);
      else reader.endTo(end);
    }
  };
  const consumer = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      if (failure) return cb(failure);
      queue.push(chunk);
      queuedBytes += chunk.length;
      if (!scheduled) {
        scheduled = true;
        setImmediate(work);
      }
      if (queuedBytes > QUEUE_LIMIT) resume = () => cb(failure ?? undefined);
      else cb();
    },
    final(cb) {
      ending = cb;
      if (!scheduled) work();
    },
  });

  try {
    await pipeline(out, consumer);
  } catch (err) {
    // Nothing more is parsed: chunks still queued are dropped (and given back) when work runs.
    failure ??= err as Error;
    hash?.abort();
    throw asLayerError(decodeError ?? err, decodeError ? kind : 'tar');
  }
  const diffHex = hash?.digest();
  // (Handled now: the raw digest below may fail first.)
  diffHex?.catch(() => {});
  // (After the digest is asked for: a thread may be finishing each meanwhile.)
  await opts.inspectContent?.flush?.();
  const rawHex = await opts.rawDigest;
  let items = entries;
  if (stargzNames && (opts.estargz || isStargzFooter(tail.bytes()))) {
    // Each hidden entry, in the root, starts a run: a number, its name and its attributes' slot
    // (slots are numbers ≥ 0, run directories < 0).
    const drop = new Set<number>();
    const hidden = new Set<LayerItem>(stargzNames);
    for (let i = 2; i < entries.length; i++)
      if (hidden.has(entries.at(i)))
        drop
          .add(i)
          .add(i - 1)
          .add(i - 2);
    items = entries.filter((_, i) => !drop.has(i));
  }
  return {
    compression: kind,
    diffId: diffHex ? 'sha256:' + (await diffHex) : rawHex!,
    size,
    compressedSize,
    entries: items,
    dirs: run.dirs,
    versions,
    deferredDigests: deferred,
  };
}

/** Where the parser is in the layer's runs (see LayerItem). */
interface Run {
  /** The run directories so far; `dir` is dirs[index]. */
  dirs: string[];
  dir: string;
  index: number;
  /**
   * The run directories' indexes by path: a tar that goes back and forth between directories (a
   * module and its `__pycache__`; files written round-robin into many) keeps one string and one
   * index for each, and the tree then finds each one's node again by that string
   * (FileTree.putSlotAt). Bounded (MAX_KNOWN_RUNS): past it the map starts again.
   */
  known: Map<string, number>;
  /**
   * The run before this one: the other of two directories a tar alternates between (a package
   * and its `__pycache__`, a directory and its subdirectories' entries), found without a lookup.
   */
  before: number;
  names: NameTable;
}

/** Run directories a layer's parser looks up by path (a layer with more starts again). */
const MAX_KNOWN_RUNS = 1 << 16;

function newRun(names: NameTable): Run {
  return { dirs: [''], dir: '', index: 0, known: new Map(), before: 0, names };
}

/** Start a run in `dir` (a cleaned path, not the root), given as `path`'s first `len` characters. */
function startRun(run: Run, path: string, len: number): void {
  const left = run.index;
  const before = run.dirs[run.before];
  // (A cut compared only when the lengths agree, as pushEntry compares the current run's.)
  if (before.length === len && path.slice(0, len) === before) {
    run.dir = before;
    run.index = run.before;
    run.before = left;
    return;
  }
  run.before = left;
  const key = len === path.length ? path : path.slice(0, len);
  const index = run.known.get(key);
  if (index !== undefined) {
    run.dir = run.dirs[index];
    run.index = index;
    return;
  }
  // A string of its own: a cut of the path would keep the whole path alive (names.ts).
  const dir = ownCopy(key);
  run.dir = dir;
  run.index = run.dirs.push(dir) - 1;
  if (run.known.size >= MAX_KNOWN_RUNS) run.known.clear();
  run.known.set(dir, run.index);
}

/**
 * Push a plain entry (`parts`: cleanPath of `name`, not empty) as LayerItems: its name alone when
 * it is in the directory of the run the last entry started, else its run directory's index, its
 * name and a new run. Root entries always start a run.
 */
function pushEntry(
  entries: SegmentedList<LayerItem>,
  name: string,
  parts: readonly string[],
  slot: number,
  run: Run,
): void {
  const last = parts.length - 1;
  // A string of its own for the name: a cut of the path would keep the whole path alive.
  const base = run.names.own(parts[last]);
  if (last === 0) {
    if (run.index !== 0) run.before = run.index;
    run.dir = '';
    run.index = 0;
    entries.push(~0);
    entries.push(base);
    entries.push(slot);
    return;
  }
  let dirLen = last - 1;
  for (let i = 0; i < last; i++) dirLen += parts[i].length;
  // Clean as written: the components are the name's own characters in order with one `/`
  // between each (their lengths add up to the name's, less a directory's trailing `/`: nothing
  // was dropped, no `./`, `//`, leading `/` or `..`). The directory is then the name's start.
  const fullLen = dirLen + 1 + parts[last].length;
  const clean = fullLen === name.length || (fullLen === name.length - 1 && name.charCodeAt(fullLen) === 47);
  const path = clean ? name : parts.slice(0, last).join('/');
  const len = clean ? dirLen : path.length;
  // (A cut compared, not startsWith: V8's String#startsWith measured ~3× slower on these, and
  // this runs for every entry.)
  if (len === run.dir.length && path.slice(0, len) === run.dir) {
    entries.push(base);
    entries.push(slot);
    return;
  }
  startRun(run, path, len);
  entries.push(~run.index);
  entries.push(base);
  entries.push(slot);
}

function asLayerError(err: unknown, kind: Compression): LayerlensError {
  if (err instanceof LayerlensError) return err;
  // The blob's file could not be read (removed or made unreadable since the image was opened).
  const sys = err as NodeJS.ErrnoException;
  if (sys && typeof sys.syscall === 'string' && typeof sys.code === 'string') {
    const why =
      sys.code === 'ENOENT'
        ? 'no such file or directory'
        : sys.code === 'EACCES' || sys.code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${sys.code})`;
    return new LayerlensError(`${sys.path ?? 'the layer'}: ${why}`, 'IO');
  }
  const msg = err instanceof Error ? err.message : String(err);
  const truncated = /unexpected end|premature|truncated/i.test(msg);
  if (kind !== 'tar')
    return truncated ? new LayerlensError(`truncated ${kind} stream`, 'TRUNCATED') : describeDecodeError(kind, err);
  if (truncated) return new LayerlensError('truncated tar archive', 'TRUNCATED');
  return new LayerlensError(`not a valid tar archive (${msg.replace(/\. Maybe the tar.*$/, '')})`, 'NOT_TAR');
}

/**
 * The typeflags Docker and containerd unpack (with the devices and fifos below, and the PAX and
 * GNU records the decoder reads). Any other (contiguous '7', GNU's 'D', 'V', 'M', 'N', the old
 * sparse 'S', a letter of no format) makes both refuse the layer: "unhandled tar header type".
 */
const TYPE_MAP: Record<string, EntryAttrs['type']> = {
  '0': 'file',
  '5': 'dir',
  '2': 'symlink',
  '1': 'hardlink',
};

const SPECIAL_MAP: Record<string, EntryAttrs['special']> = {
  '3': 'char-device',
  '4': 'block-device',
  '6': 'fifo',
};

/** A slot of `store` with the attributes of header `h` as an entry of `type`, not placed in a tree. */
function headerSlot(store: VersionStore, h: TarHeader, type: EntryAttrs['type']): number {
  const i = store.add(
    type,
    type === 'file' ? h.size : 0,
    h.mode & 0o7777,
    h.uid,
    h.gid,
    h.mtime,
    UNPLACED,
    'added',
    undefined,
    -1,
  );
  if (h.pax) {
    let xattrs: Record<string, string> | undefined;
    for (const key in h.pax) {
      if (key.startsWith('SCHILY.xattr.')) (xattrs ??= {})[key.slice(13)] = h.pax[key];
    }
    if (xattrs) store.setRare(i, 'xattrs', xattrs);
  }
  if (type === 'symlink') store.setRare(i, 'linkTarget', h.linkname);
  else if (type === 'hardlink') {
    // An archive path, cleaned like a name; one above the root is a breakout Docker refuses.
    const target = cleanPath(h.linkname);
    store.setRare(i, 'linkTarget', target === null ? ESCAPES : '/' + target.join('/'));
  } else if (type === 'other') {
    store.setRare(i, 'special', SPECIAL_MAP[h.typeflag]);
    store.setRare(i, 'devMajor', h.devmajor);
    store.setRare(i, 'devMinor', h.devminor);
  }
  return i;
}

/** headerSlot's mark for a hardlink whose target climbs above the root. */
const ESCAPES = '\u0000escapes';

/**
 * An entry a runtime cannot unpack whatever the tree holds: a name or link target longer than
 * PATH_MAX, or more extended attributes than Linux stores. Said as a refused entry; its name is
 * kept cut short (the entry may have been made to exhaust memory).
 */
function refusal(h: TarHeader, type: EntryAttrs['type'], maxPath: number): LayerEntry | undefined {
  if (h.nameBytes > maxPath) return { kind: 'refused', problem: 'name-too-long', name: cut(h.name) };
  if ((type === 'symlink' || type === 'hardlink') && h.linkBytes > maxPath)
    return { kind: 'refused', problem: 'name-too-long', name: cut(h.name), link: cut(h.linkname) };
  if (h.pax) {
    let xattrBytes = 0;
    for (const key in h.pax) if (key.startsWith('SCHILY.xattr.')) xattrBytes += key.length - 13 + h.pax[key].length;
    if (xattrBytes > MAX_XATTR_BYTES) return { kind: 'refused', problem: 'xattrs-too-large', name: cut(h.name) };
  }
  return undefined;
}

/**
 * Heap one tar entry may take once loaded, rounded up: the tree's node and version, the name, the
 * checks' bookkeeping (measured ~550–650 bytes a path for `scan` of 2 million paths; issue 16).
 */
const HEAP_PER_ENTRY = 1024;

/**
 * More entries than LAYERLENS_MAX_ENTRIES: one line saying how to read the image anyway (a budget four
 * times as large and, when that needs it, the heap to go with it).
 */
function tooManyEntries(limit: number): LayerlensError {
  const next = Math.max(4 * limit, 1000);
  const heap = heapFlag(next * HEAP_PER_ENTRY + (256 << 20), ' ');
  return new LayerlensError(
    `the image holds more than ${formatLimit('maxEntries', limit)} tar entries, the limit ` +
      `(each takes memory until the image is closed): to read it, run again with LAYERLENS_MAX_ENTRIES=${next}${heap}`,
    'TOO_LARGE',
  );
}

/** A name as a refused entry keeps it: at most 256 characters. */
function cut(name: string): string {
  return name.length > 256 ? name.slice(0, 255) + '…' : name;
}
