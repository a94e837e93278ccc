/**
 * Secret findings from file content seen while the layers streamed: every layer, deleted files
 * included, and copies a later entry of their own layer superseded (FileTree.inLayerCopies).
 */
import type { ImageModel } from '../../engine/image.js';
import type { TreeNode } from '../../engine/tree.js';
import type { Version } from '../../engine/types.js';
import { fateOf, inLayerKey, inspected, linkedCopies, nodeIndex } from '../content.js';
import { layerDigestOf, makeFinding } from '../make.js';
import type { Finding } from '../types.js';

export { SECRET_RULES } from './rules.js';
export { CREDENTIAL_FILE_RULES } from './credential-files.js';
export { FileSecretScanner, scanString, type SecretMatch, type ScanOptions } from './scanner.js';
export { maskSecret } from './mask.js';
export { newSecretStats, secretScanSummary, type SecretScanStats, type SecretScanSummary } from './stats.js';

export function secretFindings(model: ImageModel): Finding[] {
  const out: Finding[] = [];
  const diffIds = model.layers.map((l) => l.diffId);
  const emit = (
    node: TreeNode,
    v: Version,
    fate: { layer: number; how: 'deleted' | 'overwritten' } | undefined,
    inLayer: boolean,
  ): void => {
    const matches = inspected(v)?.secrets;
    if (!matches) return;
    const path = node.path;
    const where = inLayer
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
          discriminator: inLayer ? inLayerKey(v) : undefined,
          properties: {
            service: m.service,
            family: m.family,
            ...(fate ? { removal: fate.how } : {}),
            ...(inLayer ? { withinLayer: true, entry: v.entry } : {}),
            ...(m.reason ? { downgradedBecause: m.reason } : {}),
            ...(m.code ? { downgradeCode: m.code } : {}),
            ...(m.encrypted ? { encrypted: true } : {}),
          },
        }),
      );
    }
  };
  for (const node of nodeIndex(model.tree).inspected)
    node.versions.forEach((v, i) => emit(node, v, fateOf(node, i), false));
  // A copy a hard link still holds is in the final image, at the link's path.
  const linked = linkedCopies(model.tree);
  for (const c of model.tree.inLayerCopies) {
    const link = linked.get(c.version);
    if (link) emit(link, c.version, undefined, false);
    else emit(c.node, c.version, { layer: c.version.layer, how: c.how }, true);
  }
  return out;
}
