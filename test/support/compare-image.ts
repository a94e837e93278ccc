/** Two in-process test images compared the way `layerlens diff` compares: loaded together, checked, compared. */
import type { ImageModel } from '../../src/engine/image.js';
import type { LayerShare } from '../../src/engine/layer-share.js';
import {
  compareImages,
  fillFindingDigests,
  prepareFiles,
  inventoryRecords,
  type CompareOptions,
} from '../../src/findings/compare/index.js';
import type { ImageComparison } from '../../src/findings/compare/types.js';
import { loadForComparison } from '../../src/findings/compare/load.js';
import { createContentInspector, packageInventory, runChecks } from '../../src/findings/index.js';
import type { VulnDb } from '../../src/vulndb/index.js';
import { testReader, type TestImage } from './findings-image.js';

export interface Compared {
  cmp: ImageComparison;
  models: ImageModel[];
  share: LayerShare;
}

export const NOW = new Date('2026-11-28T00:00:00Z');

export async function compareTestImages(
  a: TestImage,
  b: TestImage,
  opts: CompareOptions & { db?: VulnDb } = {},
): Promise<Compared> {
  const { models, share, done } = await loadForComparison([await testReader(a), await testReader(b)], {
    inspector: () => createContentInspector(),
    contentDigests: true,
  });
  await done;
  const side = (m: ImageModel) => ({
    model: m,
    findings: runChecks(m, {
      reference: 'memory',
      now: NOW,
      ...(opts.db ? { vulnerabilities: { db: opts.db, maxAgeDays: 100_000 } } : {}),
    }),
    packages: inventoryRecords(packageInventory(m)),
    vulnerabilitiesChecked: !!opts.db,
  });
  const files = prepareFiles(models[0], models[1], opts.paths);
  await files.digests;
  const sides = [side(models[0]), side(models[1])];
  await fillFindingDigests(sides[0].model, sides[0].findings, sides[1].model, sides[1].findings);
  return { cmp: compareImages(sides[0], sides[1], { ...opts, files: files.walk }), models, share };
}
