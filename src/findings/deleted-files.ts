/**
 * The `deleted-file` / `overwritten-file` check: a file added in layer i and deleted (its own
 * whiteout, a parent's, an opaque directory) or replaced in a later layer j is still shipped in
 * layer i. Sensitive ones — by content (a secret was found in it) or by name (keys, credential
 * files) — are high or critical; the rest are info with the bytes they waste, the largest listed
 * one by one and the others summed per layer. Files created and removed inside one RUN never
 * reach a layer, so they never appear here; a file a layer's tar holds and a later entry of the
 * same tar replaces or removes (FileTree.inLayerCopies: no build tool writes that) is shipped
 * all the same, and is reported with j = i.
 */
import type { ImageModel } from '../engine/image.js';
import { drain, type Steps } from '../engine/steps.js';
import {
  type Fate,
  fateAbove,
  INDEX_STEP,
  inLayerKey,
  inspected,
  linkedCopies,
  type NodeIndex,
  nodeIndexSteps,
  supersededBy,
} from './content.js';
import { formatBytes } from '../text/bytes.js';
import { layerDigestOf, makeFinding } from './make.js';
import type { TreeNode } from '../engine/tree.js';
import type { Version } from '../engine/types.js';
import { Largest } from './largest.js';
import type { Finding, Severity } from './types.js';
import { SEVERITIES } from './types.js';

/** Names that hold credentials whatever their content looks like. */
const SENSITIVE_NAME =
  /^(?:id_(?:rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk)|identity|\.npmrc|\.pypirc|\.netrc|_netrc|\.git-credentials|\.pgpass|\.env|\.env\.[\w.-]+|credentials|\.htpasswd|wp-config\.php|terraform\.tfstate(?:\.backup)?|[\w.-]+\.tfvars|[\w.-]+\.(?:p12|pfx|jks|keystore|kdbx|ppk|key)|\.bash_history|\.zsh_history|\.mysql_history|\.psql_history|ssh_host_\w+_key)$/;

/** Why `path` is sensitive by its name, or null. */
export function sensitiveName(path: string): string | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/\/\.docker\/config\.json$/.test(path)) return 'Docker registry credentials file';
  if (/\/\.kube\/config$/.test(path)) return 'kubeconfig';
  if (/\/\.aws\/credentials$/.test(path)) return 'AWS credentials file';
  if (!SENSITIVE_NAME.test(base)) return null;
  // Keys and keyrings distributions ship in public places are not secrets.
  if (/\.key$/.test(base) && /^\/(?:usr\/share|etc\/apt|usr\/lib)\//.test(path)) return null;
  if (/\.env(?:\.[\w.-]+)?$/.test(base) && /\.(?:example|sample|template|dist)$/.test(base)) return null;
  return `its name (${base}) marks it as a key or credential file`;
}

const MAX_INFO_PER_LAYER = 20;

/**
 * The layer that first added the content of version `i` of `node`: its own, or that of the first
 * of the versions right before it that only wrote the same file again (a chmod in layer 4 of a
 * file added in 3: added in 3; content.ts supersededBy, as the efficiency check judges).
 */
function firstAdded(node: TreeNode, i: number): number {
  const slots: number[] = [];
  node.slotsInto(slots);
  const st = node.store;
  let j = i;
  for (; j > 0; j--) {
    const prev = slots[j - 1];
    if (st.isRemoved(prev) || st.type(prev) !== 'file' || supersededBy(st, prev, slots[j]) !== 'metadata-only') break;
  }
  return st.layer(slots[j]);
}

/** "added in layer 3", or "added in layer 3 (written again in layer 4)". */
function addedText(first: number, layer: number): string {
  return first === layer ? `added in layer ${layer}` : `added in layer ${first} (written again in layer ${layer})`;
}

/** "in layer 5"; for a copy its own layer superseded, "by a later entry of the same layer". */
function whereText(layer: number, supersededIn: number): string {
  return supersededIn === layer ? 'by a later entry of the same layer' : `in layer ${supersededIn}`;
}

/** A superseded file version that is not sensitive: listed among its layer's largest, or counted. */
interface Shadowed {
  node: TreeNode;
  v: Version;
  /** Its index in the node's versions; -1 for a copy its own layer superseded (InLayerCopy). */
  i: number;
}

/** Names sensitiveName can say yes to (the full path is built only for those). */
const mayBeSensitive = (name: string) => name === 'config.json' || name === 'config' || SENSITIVE_NAME.test(name);

export function deletedFileFindings(model: ImageModel): Finding[] {
  return drain(deletedFileSteps(model));
}

/**
 * deletedFileFindings in steps (its walk yields every INDEX_STEP paths with a history), over the
 * paths with a history in `index` (the early checks' partial one) or the tree's.
 */
export function* deletedFileSteps(model: ImageModel, index?: NodeIndex): Steps<Finding[]> {
  const out: Finding[] = [];
  const diffIds = model.layers.map((l) => l.diffId);
  // The largest plain ones of each layer and way of removal (keyed by a number: no string per
  // file), listed in the order of their `${supersededIn}:${how}`.
  const plain = new Map<number, { order: string; largest: Largest<Shadowed> }>();
  const pathOf = (s: Shadowed) => s.node.path;
  /** One superseded file version: a finding when it is sensitive, else offered to its group. */
  const consider = (node: TreeNode, v: Version, i: number, fate: Fate, metadataOnly: boolean): void => {
    const found = inspected(v)?.secrets;
    const secrets = found ? found.filter((m) => m.severity === 'critical' || m.severity === 'high') : [];
    const byName = mayBeSensitive(node.name) ? sensitiveName(node.path) : null;
    if (!secrets.length && !byName) {
      if (metadataOnly) return; // the efficiency check reports chmod/chown copies
      const k = fate.layer * 2 + (fate.how === 'deleted' ? 1 : 0);
      let group = plain.get(k);
      if (!group)
        plain.set(
          k,
          (group = { order: `${fate.layer}:${fate.how}`, largest: new Largest(MAX_INFO_PER_LAYER, pathOf) }),
        );
      group.largest.offer(v.size, { node, v, i });
      return;
    }
    const path = node.path;
    let severity: Severity = 'high';
    for (const s of secrets) if (SEVERITIES.indexOf(s.severity) < SEVERITIES.indexOf(severity)) severity = s.severity;
    const why = secrets.length
      ? `it holds ${secrets
          .map((s) => s.title)
          .filter((t, k, a) => a.indexOf(t) === k)
          .join(', ')}`
      : byName!;
    const verb = fate.how === 'deleted' ? 'deleted' : metadataOnly ? 're-written with new permissions' : 'replaced';
    out.push(
      makeFinding({
        ruleId: fate.how === 'deleted' ? 'deleted-file' : 'overwritten-file',
        category: 'deleted-file',
        severity,
        title: `${fate.how === 'deleted' ? 'Deleted' : 'Overwritten'} sensitive file still shipped: ${path}`,
        message: `${path} was ${addedText(i < 0 ? v.layer : firstAdded(node, i), v.layer)} and ${verb} ${whereText(v.layer, fate.layer)}, but layer ${v.layer} still ships it: anyone who pulls the image can extract it${i < 0 ? ` (extract --layer ${v.layer} --entry ${v.entry})` : ''} (${why}).`,
        remediation:
          'Rebuild so the file never enters a layer: use a multi-stage build or `RUN --mount=type=secret`; a later `rm` only hides it. Rotate any credential it held.',
        path,
        layerIndex: v.layer,
        layerDigest: layerDigestOf(model.meta, v.layer, diffIds),
        deletedInLayerIndex: fate.layer,
        discriminator: i < 0 ? inLayerKey(v) : undefined,
        properties: {
          bytes: v.size,
          removal: fate.how,
          sensitiveBy: secrets.length ? 'content' : 'name',
          ...(metadataOnly ? { metadataOnly: true } : {}),
          ...(i < 0 ? { withinLayer: true, entry: v.entry } : {}),
        },
      }),
    );
  };
  // From the store's columns (a path's versions as views, an array and an object each, were most
  // of this check on an image whose upgrade layer rewrites 500k files).
  const slots: number[] = [];
  const history = (index ?? (yield* nodeIndexSteps(model.tree))).history;
  for (let h = 0; h < history.length; h++) {
    if (h % INDEX_STEP === INDEX_STEP - 1) yield;
    const node = history[h];
    const n = node.slotsInto(slots);
    const st = node.store;
    for (let i = 0; i < n - 1; i++) {
      const s = slots[i];
      if (st.type(s) !== 'file' || st.isRemoved(s)) continue;
      const next = slots[i + 1];
      consider(node, st.view(s), i, fateAbove(st, next), supersededBy(st, s, next) === 'metadata-only');
    }
  }
  // (Not a copy a hard link still holds: the final image has it, at the link's path.)
  const linked = linkedCopies(model.tree);
  for (const c of model.tree.inLayerCopies)
    if (!linked.has(c.version)) consider(c.node, c.version, -1, { layer: c.version.layer, how: c.how }, false);
  for (const [k, { largest }] of [...plain.entries()].sort((a, b) => (a[1].order < b[1].order ? -1 : 1))) {
    const supersededIn = k >> 1;
    const how = k & 1 ? 'deleted' : 'overwritten';
    for (const { item, path, bytes } of largest.list()) {
      const layer = item.v.layer;
      const first = item.i < 0 ? layer : firstAdded(item.node, item.i);
      out.push(
        makeFinding({
          ruleId: how === 'deleted' ? 'deleted-file' : 'overwritten-file',
          category: 'deleted-file',
          severity: 'info',
          title: `${how === 'deleted' ? 'Deleted' : 'Overwritten'} file still shipped: ${path}`,
          message: `${path} was ${addedText(first, layer)} and ${how} ${whereText(layer, supersededIn)}; layer ${layer} still ships its ${formatBytes(bytes)}.`,
          remediation:
            'Remove temporary files in the same RUN that creates them (or use a multi-stage build) so they never reach a layer.',
          path,
          layerIndex: layer,
          layerDigest: layerDigestOf(model.meta, layer, diffIds),
          deletedInLayerIndex: supersededIn,
          discriminator: item.i < 0 ? inLayerKey(item.v) : undefined,
          properties: { bytes, wastedBytes: bytes, removal: how, ...(item.i < 0 ? { withinLayer: true } : {}) },
        }),
      );
    }
    const rest = largest.rest;
    if (rest.count) {
      out.push(
        makeFinding({
          ruleId: how === 'deleted' ? 'deleted-file' : 'overwritten-file',
          category: 'deleted-file',
          severity: 'info',
          title: `${rest.count} more files ${how} in layer ${supersededIn} still shipped`,
          message: `Layer ${supersededIn} ${how === 'deleted' ? 'deleted' : 'replaced'} ${rest.count} more files (${formatBytes(rest.bytes)}), still shipped in the layers that wrote them.`,
          remediation: 'Remove temporary files in the same RUN that creates them (or use a multi-stage build).',
          deletedInLayerIndex: supersededIn,
          discriminator: `rest:${supersededIn}:${how}`,
          properties: { files: rest.count, wastedBytes: rest.bytes, removal: how },
        }),
      );
    }
  }
  return out;
}
