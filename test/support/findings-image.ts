/** In-process images for check tests: real tars, the real engine, the real content inspector. */
import { ImageModel } from '../../src/engine/image.js';
import type { ImageConfig, ImageReader } from '../../src/engine/types.js';
import { mapHistory } from '../../src/engine/history.js';
import { createContentInspector, runChecks, type CheckContext } from '../../src/findings/index.js';
import type { Finding } from '../../src/findings/types.js';
import { memoryReader } from '../../src/sources/memory.js';
import { memoryImage, type LayerInput } from './image.js';

export interface TestImage {
  layers: LayerInput[];
  config?: NonNullable<ImageConfig['config']>;
  /** Extra history entries (metadata-only steps) appended after the layers' entries. */
  emptySteps?: string[];
  source?: 'docker' | 'registry' | 'archive' | 'demo';
  digest?: string;
}

/** A reader (real layer tars in memory) for a test image. */
export async function testReader(img: TestImage): Promise<ImageReader> {
  const { meta, blobs } = await memoryImage(img.layers);
  meta.config.config = img.config ?? {};
  if (img.emptySteps) {
    meta.config.history = [
      ...(meta.config.history ?? []),
      ...img.emptySteps.map((s) => ({ created_by: s, empty_layer: true })),
    ];
    meta.history = mapHistory(meta.config);
  }
  if (img.source) meta.source = img.source;
  if (img.digest) meta.digest = img.digest;
  return memoryReader(meta, blobs);
}

export async function loadImage(img: TestImage, reveal = false): Promise<ImageModel> {
  const model = new ImageModel();
  await model.load(await testReader(img), { inspectContent: createContentInspector({ reveal }) });
  return model;
}

export async function check(img: TestImage, ctx: Partial<CheckContext> = {}): Promise<Finding[]> {
  const model = await loadImage(img, ctx.reveal);
  return runChecks(model, { reference: 'memory', now: new Date('2026-11-28T00:00:00Z'), ...ctx });
}

export const byRule = (fs: Finding[], ruleId: string) => fs.filter((f) => f.ruleId === ruleId);
