/**
 * Where the CLI meets the other layers: open a reader for what the user named, attach the
 * findings' content inspector, load. Kept in one place so explore, inspect and scan agree.
 */
import { ImageModel, type LoadOptions } from '../engine/image.js';
import type { ImageReader } from '../engine/types.js';
import type { SecretScanStats } from '../findings/index.js';
import type { SourceOptions } from '../sources/options.js';

// Loaded on demand (import() of a literal path stays lazy and typed): `inspect` and `scan` must
// not pay for the demo generator, and the explorer's React tree is loaded by explore.ts alone.
export async function openReader(input: string, opts: SourceOptions): Promise<ImageReader> {
  const { openImage } = await import('../sources/open.js');
  return openImage(input, opts);
}

export async function openDemo(): Promise<ImageReader> {
  const { demoReader } = await import('../sources/demo/index.js');
  return demoReader();
}

export interface Loaded {
  model: ImageModel;
  load: Promise<void>;
  /** What the findings' inspector counted of the secret scan (with `withFindings`). */
  secretStats?: SecretScanStats;
}

/** Start loading; the model has its metadata as soon as the source has it. */
export async function startLoad(
  reader: ImageReader,
  opts: { withFindings: boolean; concurrency?: number; inspectContent?: LoadOptions['inspectContent'] },
): Promise<Loaded> {
  const model = new ImageModel();
  const loadOpts: LoadOptions = { concurrency: opts.concurrency ?? 2, inspectContent: opts.inspectContent };
  let secretStats: SecretScanStats | undefined;
  if (opts.withFindings) {
    const { createContentInspector } = await import('../findings/index.js');
    const inspector = createContentInspector();
    loadOpts.inspectContent = inspector;
    secretStats = inspector.secretStats;
  }
  const load = model.load(reader, loadOpts).finally(() => reader.close().catch(() => {}));
  return { model, load, secretStats };
}
