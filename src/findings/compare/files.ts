/**
 * The final filesystems of two images, compared path by path: what NEW adds, removes and
 * modifies (type, mode, owner, size, content digest, link target, xattrs, device), with the
 * changes summed per directory. Modification times alone do not make a change (every rebuild
 * moves them): such paths are only counted.
 *
 * Both trees are walked together, one directory at a time (a stack, not recursion: a hostile
 * image may nest paths thousands deep), reading each node's version in force in the last layer.
 */
import type { ImageModel } from '../../engine/image.js';
import { drain, type Steps } from '../../engine/steps.js';
import { dirname, joinPath } from '../../engine/paths.js';
import type { TreeNode } from '../../engine/tree.js';
import type { Version } from '../../engine/types.js';
import { globToRegExp } from '../ignore.js';
import { digestHex, digestOf } from './digest.js';
import { layerRefs } from './layers.js';
import type { DirectorySummary, FileAspect, FileChange, FileComparison, FileState } from './types.js';

export interface FileCompareOptions {
  /** Globs (`*`, `**`, `?`, as the ignore file's): only paths they match, or that lie below a match. */
  paths?: string[];
  /** The diffID of each layer, per side: versions from layers with the same diffID are the same bytes. */
  oldDiffIds?: Array<string | null>;
  newDiffIds?: Array<string | null>;
}

/** A path the walk found changed (or, `what` null, to be looked at once its digests are in). */
interface Seen {
  path: string;
  change: FileChange['change'];
  o: Version | undefined;
  n: Version | undefined;
  what: FileAspect[] | null;
}

/**
 * The two filesystems walked, before any digest the loads deferred (engine/content-digest.ts) is
 * read: what changed, and the pairs of files whose content still has to be compared. One walk
 * serves both steps: settle-digests.ts hashes what `missingDigests` names, `finishFiles` compares.
 */
export interface FileWalk {
  out: FileComparison;
  seen: Seen[];
  sameBytes: (o: Version, n: Version) => boolean;
}

function state(v: Version): FileState {
  const d = digestOf(v);
  return {
    type: v.type,
    mode: (v.mode & 0o7777).toString(8).padStart(4, '0'),
    uid: v.uid,
    gid: v.gid,
    size: v.size,
    digest: d === undefined ? null : digestHex(d),
    linkTarget: v.linkTarget ?? null,
    layer: v.layer,
  };
}

function sameXattrs(a: Version, b: Version): boolean {
  const ak = a.xattrs ? Object.keys(a.xattrs) : [];
  const bk = b.xattrs ? Object.keys(b.xattrs) : [];
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (a.xattrs![k] !== b.xattrs?.[k]) return false;
  return true;
}

/**
 * What differs between two live versions of one path: type, mode, owner, size, content (by
 * digest), link target, device, xattrs. Modification times are not looked at. `sameBytes`: the
 * two are known to hold the same bytes (they come from layers with the same diffID). A regular
 * file's content is `contentUnknown` when it could not be compared (no digest on a side).
 */
export function versionDifference(
  o: Version,
  n: Version,
  sameBytes = false,
): { aspects: FileAspect[]; contentUnknown: boolean } {
  const what: FileAspect[] = [];
  let contentUnknown = false;
  if (o.type !== n.type || o.special !== n.special) return { aspects: ['type'], contentUnknown };
  const madeUp = o.implicit || n.implicit; // a parent directory no tar entry described
  if (!madeUp && o.type !== 'symlink' && (o.mode & 0o7777) !== (n.mode & 0o7777)) what.push('mode');
  if (!madeUp && (o.uid !== n.uid || o.gid !== n.gid)) what.push('owner');
  if (o.type === 'file') {
    if (o.size !== n.size) what.push('size');
    const a = digestOf(o);
    const b = digestOf(n);
    if (a !== undefined && b !== undefined) {
      if (a !== b) what.push('content');
    } else if (o.size === n.size && !sameBytes) contentUnknown = true;
  }
  if ((o.type === 'symlink' || o.type === 'hardlink') && o.linkTarget !== n.linkTarget) what.push('target');
  if (o.type === 'other' && (o.devMajor !== n.devMajor || o.devMinor !== n.devMinor)) what.push('device');
  if (!madeUp && !sameXattrs(o, n)) what.push('xattrs');
  return { aspects: what, contentUnknown };
}

export function compareFiles(
  oldModel: ImageModel,
  newModel: ImageModel,
  opts: FileCompareOptions = {},
): FileComparison {
  return finishFiles(walkFiles(oldModel, newModel, opts));
}

const lacksDigest = (v: Version | undefined): v is Version => !!v && v.type === 'file' && v.digest === undefined;

/** Whether a pair of files must wait for a digest to be compared. */
const waits = (o: Version, n: Version) => o.type === 'file' && n.type === 'file' && (lacksDigest(o) || lacksDigest(n));

/** The file versions whose digests `finishFiles` will read and the loads have not taken yet. */
export function missingDigests(walk: FileWalk): { old: Version[]; new: Version[] } {
  const old: Version[] = [];
  const nu: Version[] = [];
  for (const s of walk.seen) {
    if (lacksDigest(s.o)) old.push(s.o);
    if (lacksDigest(s.n)) nu.push(s.n);
  }
  return { old, new: nu };
}

/** walkFilesSteps with each side's layers' diffIDs (layers.ts), as a comparison of two loaded images walks. */
export function walkImageFilesSteps(oldModel: ImageModel, newModel: ImageModel, paths?: string[]): Steps<FileWalk> {
  return walkFilesSteps(oldModel, newModel, {
    paths,
    oldDiffIds: layerRefs(oldModel).map((l) => l.diffId),
    newDiffIds: layerRefs(newModel).map((l) => l.diffId),
  });
}

export function walkFiles(oldModel: ImageModel, newModel: ImageModel, opts: FileCompareOptions = {}): FileWalk {
  return drain(walkFilesSteps(oldModel, newModel, opts));
}

/** Paths looked at between two steps of the file comparison's walk and finish. */
const FILES_STEP = 4096;

/**
 * walkFiles in steps (every FILES_STEP paths): two images of a million paths each take seconds,
 * which the explorer's compare view runs between keys. One stack holds both kinds of work, a pair
 * of directories and a subtree only one side has, so a step never holds a whole subtree.
 */
export function* walkFilesSteps(
  oldModel: ImageModel,
  newModel: ImageModel,
  opts: FileCompareOptions = {},
): Steps<FileWalk> {
  const oldTop = oldModel.tree.layerCount - 1;
  const newTop = newModel.tree.layerCount - 1;
  const globs = (opts.paths ?? []).map(globToRegExp);
  const wanted = (path: string): boolean => {
    if (!globs.length) return true;
    for (let p = path; ; p = dirname(p)) {
      if (globs.some((g) => g.test(p))) return true;
      if (p === '/') return false;
    }
  };
  const out: FileComparison = {
    paths: [...(opts.paths ?? [])],
    added: 0,
    removed: 0,
    modified: 0,
    timestampOnly: 0,
    bytesAdded: 0,
    bytesRemoved: 0,
    bytesDelta: 0,
    contentCompared: true,
    contentUnknown: 0,
    directories: [],
    entries: [],
  };
  // Versions from two layers with the same diffID are the same bytes, hashed or not.
  const sameBytes = (o: Version, n: Version): boolean => {
    const a = opts.oldDiffIds?.[o.layer];
    return !!a && a === opts.newDiffIds?.[n.layer];
  };
  const walk: FileWalk = { out, seen: [], sameBytes };

  const record = (
    path: string,
    change: FileChange['change'],
    o: Version | undefined,
    n: Version | undefined,
    what: FileAspect[] | null,
  ) => {
    if (wanted(path)) walk.seen.push({ path, change, o, n, what });
  };
  // Work to do: a pair of directories to compare, or a directory only one side has (every live
  // path below it added or removed).
  type Work =
    | { pair: true; od: TreeNode | undefined; nd: TreeNode | undefined; path: string }
    | { pair: false; dir: TreeNode; top: number; path: string; change: 'added' | 'removed' };
  const stack: Work[] = [{ pair: true, od: oldModel.tree.root, nd: newModel.tree.root, path: '/' }];
  /** Every live path below `node` (a directory gone or come), as removed or added: queued. */
  const subtree = (dir: TreeNode, top: number, path: string, change: 'added' | 'removed') =>
    stack.push({ pair: false, dir, top, path, change });

  // Each name of the two directories once: OLD's children (with NEW's of that name), then NEW's
  // that OLD does not have.
  const visit = (path: string, name: string, oc: TreeNode | undefined, nc: TreeNode | undefined) => {
    const o = oc?.liveAt(oldTop);
    const n = nc?.liveAt(newTop);
    if (!o && !n) return;
    const p = joinPath(path, name);
    if (o && !n) {
      record(p, 'removed', o, undefined, []);
      if (o.type === 'dir') subtree(oc!, oldTop, p, 'removed');
    } else if (n && !o) {
      record(p, 'added', undefined, n, []);
      if (n.type === 'dir') subtree(nc!, newTop, p, 'added');
    } else if (o && n) {
      if (wanted(p)) {
        const same = sameBytes(o, n);
        // (A pair whose content waits for a digest is looked at when finished.)
        if (!same && waits(o, n)) record(p, 'modified', o, n, null);
        else {
          const what = aspects(out, o, n, same);
          if (what.length) record(p, 'modified', o, n, what);
          else if (o.type !== 'dir' && o.mtime !== n.mtime) out.timestampOnly++;
        }
      }
      if (o.type === 'dir' && n.type === 'dir') stack.push({ pair: true, od: oc, nd: nc, path: p });
      else if (o.type === 'dir') subtree(oc!, oldTop, p, 'removed');
      else if (n.type === 'dir') subtree(nc!, newTop, p, 'added');
    }
  };
  let looked = 0;
  while (stack.length) {
    const w = stack.pop()!;
    if (!w.pair) {
      const { change, top } = w;
      for (const c of w.dir.childrenAt(top)) {
        const cp = joinPath(w.path, c.name);
        const v = c.liveAt(top)!;
        record(cp, change, change === 'removed' ? v : undefined, change === 'added' ? v : undefined, []);
        if (v.type === 'dir') subtree(c, top, cp, change);
        if (++looked % FILES_STEP === 0) yield;
      }
      continue;
    }
    const { od, nd, path } = w;
    const oldKids = od?.children;
    const newKids = nd?.children;
    if (oldKids)
      for (const [name, oc] of oldKids) {
        visit(path, name, oc, newKids?.get(name));
        if (++looked % FILES_STEP === 0) yield;
      }
    if (newKids)
      for (const [name, nc] of newKids)
        if (!oldKids?.has(name)) {
          visit(path, name, undefined, nc);
          if (++looked % FILES_STEP === 0) yield;
        }
  }
  return walk;
}

/** What differs between two live versions of one path (counting files not compared by content). */
function aspects(out: FileComparison, o: Version, n: Version, sameBytes: boolean): FileAspect[] {
  const d = versionDifference(o, n, sameBytes);
  if (d.contentUnknown) {
    out.contentUnknown++;
    out.contentCompared = false;
  }
  return d.aspects;
}

/**
 * The comparison, from a walk whose missing digests are in (or could not be taken: content
 * unknown). A walk is finished once (its counts are added to).
 */
export function finishFiles(walk: FileWalk): FileComparison {
  return drain(finishFilesSteps(walk));
}

/** finishFiles in steps (every FILES_STEP paths; the sort of the entries is one). */
export function* finishFilesSteps(walk: FileWalk): Steps<FileComparison> {
  const out = walk.out;
  const sizeOf = (v: Version | undefined) => (v && v.type === 'file' ? v.size : 0);
  let looked = 0;
  for (const { path, change, o, n, what: known } of walk.seen) {
    if (++looked % FILES_STEP === 0) yield;
    const what = known ?? aspects(out, o!, n!, walk.sameBytes(o!, n!));
    if (!what.length && change === 'modified') {
      if (o!.type !== 'dir' && o!.mtime !== n!.mtime) out.timestampOnly++;
      continue;
    }
    out.entries.push({
      path,
      change,
      old: o ? state(o) : null,
      new: n ? state(n) : null,
      aspects: what,
      sizeDelta: sizeOf(n) - sizeOf(o),
    });
  }
  yield;
  out.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  yield;
  const dirs = new Map<string, DirectorySummary>();
  for (const e of out.entries) {
    if (++looked % FILES_STEP === 0) yield;
    const dir = dirname(e.path);
    let d = dirs.get(dir);
    if (!d) {
      d = { path: dir, added: 0, removed: 0, modified: 0, bytesAdded: 0, bytesRemoved: 0, bytesDelta: 0 };
      dirs.set(dir, d);
    }
    d[e.change]++;
    out[e.change]++;
    if (e.change === 'added' && e.new?.type === 'file') {
      d.bytesAdded += e.new.size;
      out.bytesAdded += e.new.size;
    }
    if (e.change === 'removed' && e.old?.type === 'file') {
      d.bytesRemoved += e.old.size;
      out.bytesRemoved += e.old.size;
    }
    d.bytesDelta += e.sizeDelta;
    out.bytesDelta += e.sizeDelta;
  }
  out.directories = [...dirs.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
