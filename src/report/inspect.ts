/**
 * The `layerlens inspect --json` document: the image and, per filesystem layer, its exact change
 * set. Meant for scripts and tests, so field names are stable and paths absolute.
 *
 * It is written as it is produced (`inspectJson` yields it in pieces): a layer's changes come
 * from a walk of the tree in path order that visits only directories holding a change, building
 * each path from its parent's, so memory does not grow with the depth of a path nor with the
 * length of the document (one million files in one directory, a path of two thousand levels).
 * Changes are in tree order: depth first, names in code-unit order (`/a`, `/a/b`, `/a-c`).
 */
import type { ImageModel } from '../engine/image.js';
import { historyForLayer } from '../engine/history.js';
import { imagePlatform } from '../engine/platform.js';
import { FileTree, type TreeNode } from '../engine/tree.js';
import type { EntryType, ChangeKind, HistoryEntry, ImageConfig } from '../engine/types.js';
import { judgeKeyValue, redactCommand } from '../findings/config.js';
import { redactConfigStrings, redactHistoryEntry } from '../findings/redact.js';
import { maskSecret } from '../findings/secrets/mask.js';
import { safeJson, safeJsonText } from '../text/safe-json.js';

export interface InspectChange {
  path: string;
  type: EntryType;
  change: ChangeKind;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
  /** For removed/modified entries: the layer whose version went away. */
  previousLayer?: number;
}

export interface InspectLayer {
  index: number;
  digest: string | null;
  diffId: string | null;
  size: number | null;
  compressedSize: number | null;
  compression: string | null;
  createdBy: string | null;
  changes: InspectChange[];
}

export interface InspectImage {
  reference: string;
  source: string;
  digest: string | null;
  configDigest: string | null;
  platform: string | null;
  repoTags: string[];
  config: unknown;
  history: unknown[];
  notes: string[];
}

export interface InspectDocument {
  image: InspectImage;
  layers: InspectLayer[];
}

/**
 * The config with secret-looking ENV and LABEL values and build-arg values in history masked
 * (first 4 characters and the length), unless `reveal`.
 */
export function redactConfig(whole: ImageConfig, reveal: boolean): ImageConfig {
  if (reveal) return whole;
  // (Every other string of the config as the config-value check judges it.)
  const config = redactConfigStrings(whole, reveal);
  const c = config.config;
  const maskEnv = (kv: string) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) return kv;
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    return judgeKeyValue(key, value) ? `${key}=${maskSecret(value)}` : kv;
  };
  const labels = c?.Labels
    ? Object.fromEntries(Object.entries(c.Labels).map(([k, v]) => [k, judgeKeyValue(k, v) ? maskSecret(v) : v]))
    : c?.Labels;
  return {
    ...config,
    config: c ? { ...c, Env: c.Env?.map(maskEnv), Labels: labels } : c,
    history: config.history?.map((h) => (h.created_by ? { ...h, created_by: redactCommand(h.created_by) } : h)),
  };
}

/** History with build-arg values masked, unless `reveal`. */
export function inspectHistory(model: ImageModel, reveal: boolean): HistoryEntry[] {
  const history = model.meta!.history;
  return reveal ? history : history.map((h) => redactHistoryEntry(h));
}

export function inspectImage(model: ImageModel, history: HistoryEntry[], reveal: boolean): InspectImage {
  const meta = model.meta!;
  return {
    reference: meta.reference,
    source: meta.source,
    digest: meta.digest ?? null,
    configDigest: meta.configDigest ?? null,
    platform: imagePlatform(meta),
    repoTags: meta.repoTags ?? [],
    config: redactConfig(meta.config, reveal),
    history,
    notes: meta.notes ?? [],
  };
}

/** A layer's fields, without its changes. */
export function inspectLayer(model: ImageModel, index: number, history: HistoryEntry[]): Omit<InspectLayer, 'changes'> {
  const desc = model.meta!.layers[index];
  const status = model.layers[index];
  return {
    index,
    digest: desc.digest ?? null,
    diffId: status?.diffId ?? desc.diffId ?? null,
    size: status?.size ?? null,
    compressedSize: desc.compressedSize ?? status?.compressedSize ?? null,
    compression: status?.compression ?? null,
    createdBy: historyForLayer(history, index)?.createdBy ?? null,
  };
}

/** Added, modified and removed paths of one layer (no sorting, no paths built). */
export function changeCounts(model: ImageModel, index: number): Record<ChangeKind, number> {
  const counts = { added: 0, modified: 0, removed: 0 };
  for (const node of model.tree.changesByLayer[index] ?? []) {
    const change = node.changeIn(index);
    if (change) counts[change]++;
  }
  return counts;
}

/** Where a layer's walk stands: the change it is at (a slot of the tree's store) and its path. */
interface ChangeAt<P> {
  node: TreeNode;
  /** The slot of the version the layer wrote at `node`. */
  slot: number;
  path: P;
}

/**
 * The walk of one layer's changes in tree order (depth first, names in code-unit order), each
 * path built from its parent's by `join` as the walk goes: `layerChanges` builds paths, the JSON
 * writer their JSON text. It yields one object, updated at each change (a million changes make
 * no million objects), so read it before going on.
 *
 * Memory is kept to the directories that hold a change (a set) and the children of the
 * directories on the current path: each directory's changed children are picked from its own
 * map when the walk enters it. A list of the children to visit under every directory, made up
 * front, held a reference for each change of the layer, and on an image of two million paths
 * those lists (and their growth) outlived young-generation collections layer after layer: the
 * output phase of `inspect --json` grew the heap by ~60 MB (issue 16).
 */
function* walkChanges<P>(
  model: ImageModel,
  index: number,
  root: P,
  join: (parent: P, name: string) => P,
): Generator<ChangeAt<P>> {
  const changed = model.tree.changesByLayer[index] ?? [];
  if (!changed.length) return;
  const holders = FileTree.directoriesAbove(changed);
  // Iterative depth-first walk: a stack of [children to visit sorted by name, next position, path prefix].
  const stack: Array<{ kids: TreeNode[]; at: number; prefix: P }> = [];
  const open = (dir: TreeNode, prefix: P) => {
    if (!dir.children || !holders.has(dir)) return;
    const kids: TreeNode[] = [];
    for (const c of dir.children.values()) if (holders.has(c) || c.indexIn(index) >= 0) kids.push(c);
    kids.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    stack.push({ kids, at: 0, prefix });
  };
  open(model.tree.root, root);
  const at: ChangeAt<P> = { node: model.tree.root, slot: -1, path: root };
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.at >= top.kids.length) {
      stack.pop();
      continue;
    }
    const node = top.kids[top.at++];
    const path = join(top.prefix, node.name);
    const slot = node.indexIn(index);
    if (slot >= 0) {
      at.node = node;
      at.slot = slot;
      at.path = path;
      yield at;
    }
    open(node, path);
  }
}

/** One layer's changes in tree order, each path built from its parent's as the walk goes. */
export function* layerChanges(model: ImageModel, index: number): Generator<InspectChange> {
  for (const { node, slot, path } of walkChanges(model, index, '', (p, name) => `${p}/${name}`)) {
    const st = node.store;
    const c: InspectChange = {
      path,
      type: st.type(slot),
      change: st.change(slot),
      size: st.size(slot),
      mode: st.mode(slot),
      uid: st.uid(slot),
      gid: st.gid(slot),
    };
    const linkTarget = st.linkTarget(slot);
    if (linkTarget !== undefined) c.linkTarget = linkTarget;
    const previousLayer = st.previousLayer(slot);
    if (previousLayer !== undefined) c.previousLayer = previousLayer;
    yield c;
  }
}

/** The whole document in memory (library use and tests; `inspect --json` streams inspectJson). */
export function inspectDocument(model: ImageModel, opts: { reveal?: boolean } = {}): InspectDocument {
  const reveal = !!opts.reveal;
  const history = inspectHistory(model, reveal);
  return {
    image: inspectImage(model, history, reveal),
    layers: model.meta!.layers.map((_, i) => ({
      ...inspectLayer(model, i, history),
      changes: [...layerChanges(model, i)],
    })),
  };
}

/** `value` as JSON indented by two spaces per level, starting at `level` (as JSON.stringify(v, null, 2) nested). */
function json(value: unknown, level: number): string {
  const text = safeJson(value);
  return level === 0 ? text : text.replace(/\n/g, '\n' + '  '.repeat(level));
}

/**
 * A string's JSON text without its quotes, as safe as safeJsonText makes it. Most names need
 * nothing (printable ASCII without `"` or `\\`): they are their own text, found by a loop that is
 * cheaper than JSON.stringify. Escaping works character by character, so a path's text is its
 * components' texts joined by `/`.
 */
function jsonInner(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) return safeJsonText(JSON.stringify(name)).slice(1, -1);
  }
  return name;
}

/** Text at which the changes' JSON is handed on (the writer's batches are as large). */
const PIECE = 64 << 10;

/**
 * One layer's changes as JSON.stringify(changes, null, 2) nested three levels deep writes their
 * items, each preceded by `,` but the first, in pieces of ~64 KiB: a layer may hold a million
 * changes, and a string made and stringified per change, then indented line by line, took most of
 * the time of `inspect --json`. Fields are read from the tree's store as layerChanges reads them.
 */
function* changesJson(model: ImageModel, index: number): Generator<string> {
  const pad = '\n          ';
  let s = '';
  let first = true;
  for (const { node, slot, path } of walkChanges(model, index, '', (p, name) => `${p}/${jsonInner(name)}`)) {
    const st = node.store;
    s += `${first ? '' : ','}\n        {${pad}"path": "${path}",${pad}"type": "${st.type(slot)}",${pad}"change": "${st.change(slot)}",${pad}"size": ${st.size(slot)},${pad}"mode": ${st.mode(slot)},${pad}"uid": ${st.uid(slot)},${pad}"gid": ${st.gid(slot)}`;
    first = false;
    const linkTarget = st.linkTarget(slot);
    if (linkTarget !== undefined) s += `,${pad}"linkTarget": "${jsonInner(linkTarget)}"`;
    const previousLayer = st.previousLayer(slot);
    if (previousLayer !== undefined) s += `,${pad}"previousLayer": ${previousLayer}`;
    s += '\n        }';
    if (s.length >= PIECE) {
      yield s;
      s = '';
    }
  }
  if (s) yield s;
}

/**
 * The document as JSON text in pieces, the same text JSON.stringify(doc, null, 2) would give
 * (with what a terminal would act on escaped: safe-json.ts), produced as it is written out.
 */
export function* inspectJson(model: ImageModel, opts: { reveal?: boolean } = {}): Generator<string> {
  const reveal = !!opts.reveal;
  const history = inspectHistory(model, reveal);
  yield `{\n  "image": ${json(inspectImage(model, history, reveal), 1)},\n  "layers": [`;
  const count = model.meta!.layers.length;
  for (let i = 0; i < count; i++) {
    const head = json(inspectLayer(model, i, history), 2);
    yield `${i ? ',' : ''}\n    ${head.slice(0, -1).trimEnd()},\n      "changes": [`;
    let none = true;
    for (const piece of changesJson(model, i)) {
      yield piece;
      none = false;
    }
    yield none ? ']\n    }' : '\n      ]\n    }';
  }
  yield count ? '\n  ]\n}\n' : ']\n}\n';
}
