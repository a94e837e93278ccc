/**
 * Loading the images of a comparison together: all at once, with the layers they share parsed
 * once (engine/layer-share.ts). The command line and the explorer's compare view both load this
 * way. Each image gets its own content inspector (an inspector holds one load's batch state).
 */
import { ImageModel } from '../../engine/image.js';
import { LayerShare } from '../../engine/layer-share.js';
import type { ContentInspector } from '../../engine/parse-layer.js';
import type { ImageReader } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';

export interface ComparisonLoad {
  models: ImageModel[];
  share: LayerShare;
  /**
   * Resolves when every image is loaded (readers closed); rejects with the first failure, its
   * message led by the image's name (`label`) so the user knows which of the images failed.
   */
  done: Promise<void>;
}

export interface ComparisonLoadOptions {
  /** A fresh content inspector for each image (e.g. the findings' inspector). */
  inspector?: () => ContentInspector | undefined;
  /** Keep the sha256 of every file (the file comparison's content aspect). */
  contentDigests?: boolean;
  /** Layers parsed at once per image (default 2). */
  concurrency?: number;
  /** How an image is named in a failure (default: its index). */
  label?: (index: number) => string;
}

export async function loadForComparison(
  readers: ImageReader[],
  opts: ComparisonLoadOptions = {},
): Promise<ComparisonLoad> {
  const share = new LayerShare();
  // Every image's layer list is known before any layer is parsed, so that the first image to
  // reach a shared layer keeps its parse for the others. A one-pass source (a pipe) has its
  // metadata only at the end: it takes part without announcing its layers.
  let metas;
  try {
    metas = await Promise.all(readers.map((r) => (r.onePass ? undefined : r.meta())));
  } catch (err) {
    await Promise.all(readers.map((r) => r.close().catch(() => {})));
    throw err;
  }
  for (const m of metas) if (m) share.expect(m.layers.map((l) => l.diffId));
  const models = readers.map(() => new ImageModel());
  const label = opts.label ?? ((i: number) => `image ${i + 1}`);
  const loads = readers.map((r, i) =>
    models[i]
      .load(r, {
        share,
        concurrency: opts.concurrency ?? 2,
        inspectContent: opts.inspector?.(),
        contentDigests: opts.contentDigests,
      })
      .catch((err: LayerlensError) => {
        throw new LayerlensError(`${label(i)}: ${err.message}`, err.code);
      })
      .finally(() => r.close().catch(() => {})),
  );
  // (Each load's failure is reported through `done`; none goes unhandled meanwhile.)
  for (const l of loads) l.catch(() => {});
  return { models, share, done: Promise.all(loads).then(() => undefined) };
}
