/**
 * Secret findings from file content seen while the layers streamed: every layer, deleted files
 * included, copies a later entry of their own layer superseded (FileTree.inLayerCopies), and the
 * bytes of entries no runtime unpacks (FileTree.refusedCopies).
 */
import type { ImageModel } from '../../engine/image.js';
import type { Steps } from '../../engine/steps.js';
import type { RefusedCopy } from '../../engine/tree.js';
import type { Version } from '../../engine/types.js';
import { fateOf, inLayerKey, inspected, linkedCopies, nodeIndex } from '../content.js';
import { layerDigestOf, makeFinding } from '../make.js';
import type { Finding } from '../types.js';

export { SECRET_RULES } from './rules.js';
export { CREDENTIAL_FILE_RULES } from './credential-files.js';
export { FileSecretScanner, scanString, type SecretMatch, type ScanOptions } from './scanner.js';
export { maskSecret } from './mask.js';
export { newSecretStats, secretScanSummary, type SecretScanStats, type SecretScanSummary } from './stats.js';

/** Inspected paths made findings of per step. */
const PATHS_STEP = 512;

/**
 * The secret findings, in steps: an image of 100,000 files with two fake keys each makes 135,724
 * findings, ~0.7 s of work in one task of the explorer.
 */
export function* secretFindingsSteps(model: ImageModel): Steps<Finding[]> {
  const out: Finding[] = [];
  const diffIds = model.layers.map((l) => l.diffId);
  const emit = (
    path: string,
    v: Version,
    fate: { layer: number; how: 'deleted' | 'overwritten' } | undefined,
    inLayer: boolean,
    refused?: RefusedCopy,
  ): void => {
    const matches = inspected(v)?.secrets;
    if (!matches) return;
    const where = refused
      ? `in entry ${v.entry} of layer ${v.layer}, which container runtimes refuse to unpack (${refusedWhy(refused)}) — in no file system, but its bytes ship in layer ${v.layer} for anyone who reads its tar (extract --layer ${v.layer} --entry ${v.entry})`
      : inLayer
        ? `added in layer ${v.layer} and ${fate!.how === 'deleted' ? 'removed' : 'replaced'} by a later entry of the same layer — not in the layer's file system, but still recoverable from layer ${v.layer} (extract --layer ${v.layer} --entry ${v.entry})`
        : fate
          ? fate.how === 'deleted'
            ? `added in layer ${v.layer}, deleted in layer ${fate.layer} — still recoverable from layer ${v.layer}`
            : `added in layer ${v.layer}, replaced in layer ${fate.layer} — the old content is still recoverable from layer ${v.layer}`
          : `added in layer ${v.layer}, present in the final image`;
    for (const m of matches) {
      const lineText = m.line !== null ? ` line ${m.line}` : '';
      out.push(
        makeFinding({
          ruleId: m.ruleId,
          category: 'secret',
          severity: m.severity,
          title: m.title,
          message: `${m.title} in ${path}${lineText}: ${where}.${m.reason ? ` Severity lowered: ${m.reason}.` : ''}`,
          remediation: m.remediation,
          path,
          layerIndex: v.layer,
          layerDigest: layerDigestOf(model.meta, v.layer, diffIds),
          deletedInLayerIndex: fate?.layer ?? null,
          key: m.key ?? null,
          line: m.line,
          evidence: m.evidence,
          discriminator: refused ? `refused:${v.entry}` : inLayer ? inLayerKey(v) : undefined,
          properties: {
            service: m.service,
            family: m.family,
            ...(fate ? { removal: fate.how } : {}),
            ...(inLayer ? { withinLayer: true, entry: v.entry } : {}),
            ...(refused
              ? {
                  refusedEntry: refused.problem,
                  entry: v.entry,
                  ...(refused.tarType ? { tarType: refused.tarType } : {}),
                }
              : {}),
            ...(m.reason ? { downgradedBecause: m.reason } : {}),
            ...(m.code ? { downgradeCode: m.code } : {}),
            ...(m.encrypted ? { encrypted: true } : {}),
          },
        }),
      );
    }
  };
  let paths = 0;
  for (const node of nodeIndex(model.tree).inspected) {
    const path = node.path;
    node.versions.forEach((v, i) => emit(path, v, fateOf(node, i), false));
    if (++paths % PATHS_STEP === 0) yield;
  }
  // A copy a hard link still holds is in the final image, at the link's path.
  const linked = linkedCopies(model.tree);
  for (const c of model.tree.inLayerCopies) {
    const link = linked.get(c.version);
    if (link) emit(link.path, c.version, undefined, false);
    else emit(c.node.path, c.version, { layer: c.version.layer, how: c.how }, true);
  }
  for (const r of model.tree.refusedCopies) emit(r.path, r.version, undefined, false, r);
  return out;
}

/** Why no runtime unpacks a refused entry, in a few words. */
function refusedWhy(r: RefusedCopy): string {
  switch (r.problem) {
    case 'unhandled-type':
      return `tar type '${r.tarType ?? '?'}', which GNU tar extracts as a file`;
    case 'escape':
      return 'a name above the root, which GNU tar extracts with its `..` dropped';
    case 'name-too-long':
      return 'a name longer than PATH_MAX';
    case 'xattrs-too-large':
      return 'more extended attributes than Linux stores';
    case 'symlink-loop':
      return 'a symlink loop on its path';
    default:
      return 'a file where its directory should be';
  }
}
