/**
 * Comparing two images: pure over two loaded models, their findings and their package lists.
 * `layerlens diff` and the explorer's compare view both call `compareImages`.
 *
 *   const share = new LayerShare();          // layers both hold are parsed once
 *   share.expect(oldMeta diffIDs); share.expect(newMeta diffIDs);
 *   load both with { share, contentDigests: true, inspectContent: createContentInspector() };
 *   const prepared = prepareFiles(oldModel, newModel);   // the file walk; deferred digests hashed meanwhile
 *   … run the checks …; await prepared.digests; await fillFindingDigests(oldModel, oldFindings, newModel, newFindings);
 *   const cmp = compareImages(
 *     { model: oldModel, findings: runChecks(oldModel, …), packages: inventoryRecords(packageInventory(oldModel)) },
 *     { model: newModel, … },
 *     { files: prepared.walk },
 *   );
 */
import type { ImageModel } from '../../engine/image.js';
import { computeEfficiency, type EfficiencyReport } from '../efficiency.js';
import type { Finding } from '../types.js';
import { compareConfig, configChanged, platformOf } from './config.js';
import { finishFilesSteps, walkImageFilesSteps, type FileWalk } from './files.js';
import { drain, type Steps } from '../../engine/steps.js';
import { compareFindings } from './findings.js';
import { compareLayers, layerRefs } from './layers.js';
import { comparePackages, packagesChanged, packageVersionOrder, type VersionOrder } from './packages.js';
import { compareVulnerabilities } from './vulnerabilities.js';
import { sideSizes } from './sizes.js';
import type { ImageComparison, ImageSummary, PackageRecord } from './types.js';

export type * from './types.js';
export { digestOf, digestHex } from './digest.js';
export { inventoryRecords, packageVersionOrder, comparePackages, type VersionOrder } from './packages.js';
export { compareFindings } from './findings.js';
export { compareVulnerabilities, isVulnerability } from './vulnerabilities.js';
export { align, type Aligned } from './align.js';
export { sharedLayers, type SharedReport, type SharedImageInput } from './shared.js';
export { mergedTree, mergedOrigin, type MergedTree, type MergedOrigin } from './merged-tree.js';
export { versionDifference } from './files.js';
export { prepareFiles, prepareFilesSteps, fillFindingDigests, type PreparedFiles } from './settle-digests.js';

export interface CompareSide {
  model: ImageModel;
  /** Its findings (runChecks, after the ignore file). */
  findings: Finding[];
  /** Its package inventory. */
  packages: PackageRecord[];
  /** Its efficiency figures, when already computed (else computed here). */
  efficiency?: EfficiencyReport;
  /** Its packages were matched against a vulnerability database (runChecks with `vulnerabilities.db`). */
  vulnerabilitiesChecked?: boolean;
}

export interface CompareOptions {
  /** Narrow the file lists to these globs (`--path`). */
  paths?: string[];
  /**
   * The file walk prepareFiles made (settle-digests.ts), its digests in: finished here instead
   * of walking again (it was made with the same `paths`).
   */
  files?: FileWalk;
  /** Version order per ecosystem (up- or downgrade); default: each package type's own (src/versions). */
  order?: VersionOrder;
}

function summary(model: ImageModel): ImageSummary {
  const meta = model.meta;
  return {
    reference: meta?.reference ?? '',
    source: meta?.source ?? '',
    digest: meta?.digest ?? null,
    configDigest: meta?.configDigest ?? null,
    platform: platformOf(model),
    layerCount: meta?.layers.length ?? 0,
  };
}

/** What a comparison's work is called where it stops for want of memory (engine/steps.ts inSlices). */
export const COMPARING = 'comparing the images';

export function compareImages(a: CompareSide, b: CompareSide, opts: CompareOptions = {}): ImageComparison {
  return drain(compareImagesSteps(a, b, opts));
}

/**
 * compareImages in steps: the file comparison's walk and finish yield every few thousand paths
 * (the explorer's compare view runs them between keys).
 */
export function* compareImagesSteps(a: CompareSide, b: CompareSide, opts: CompareOptions = {}): Steps<ImageComparison> {
  const layers = compareLayers(a.model, b.model);
  const oldRefs = layerRefs(a.model);
  const newRefs = layerRefs(b.model);
  const files = yield* finishFilesSteps(opts.files ?? (yield* walkImageFilesSteps(a.model, b.model, opts.paths)));
  const config = compareConfig(a.model, b.model);
  const packages = comparePackages(a.packages, b.packages, opts.order ?? packageVersionOrder);
  const findings = compareFindings(a.findings, b.findings, a.model, b.model);
  const vulnerabilities = compareVulnerabilities(findings, !!(a.vulnerabilitiesChecked && b.vulnerabilitiesChecked));
  const sizes = {
    old: sideSizes(a.model, oldRefs, a.efficiency ?? computeEfficiency(a.model)),
    new: sideSizes(b.model, newRefs, b.efficiency ?? computeEfficiency(b.model)),
    sharedBytes: layers.shared.bytes,
  };
  const identical =
    layers.divergence === null &&
    layers.rows.every((r) => r.relation === 'shared') &&
    config.history.every((r) => r.relation === 'same') &&
    files.entries.length === 0 &&
    !configChanged(config) &&
    !packagesChanged(packages) &&
    findings.new.length === 0 &&
    findings.resolved.length === 0;
  return {
    old: summary(a.model),
    new: summary(b.model),
    identical,
    layers,
    files,
    config,
    sizes,
    packages,
    vulnerabilities,
    findings,
  };
}
