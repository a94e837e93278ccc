/**
 * Where the CLI meets the other layers: open a reader for what the user named, attach the
 * findings' content inspector, load. Kept in one place so explore, inspect and scan agree.
 */
import { ImageModel, type LoadOptions } from '../engine/image.js';
import type { ImageReader } from '../engine/types.js';
import { LayerlensError } from '../engine/types.js';
import type { SourceOptions } from './source-options.js';

// Modules written by other parts of the tree are loaded on demand: `inspect` must not pay for
// the UI, and the CLI must start even when an optional part fails to load.
async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return (await import(path)) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(path.replace(/^\.\.?\//, '').replace(/\.js$/, ''))) return undefined;
    throw err;
  }
}

export async function openReader(input: string, opts: SourceOptions): Promise<ImageReader> {
  const sources = await optional<{ openImage(input: string, opts: SourceOptions): Promise<ImageReader> }>('../sources/open.js');
  if (!sources) throw new LayerlensError('no image sources in this build', 'INTERNAL');
  return sources.openImage(input, opts);
}

export async function openDemo(): Promise<ImageReader> {
  const demo = await optional<{ demoReader(): Promise<ImageReader> }>('../demo/index.js');
  if (!demo) throw new LayerlensError('the demo image is not part of this build', 'INTERNAL');
  return demo.demoReader();
}

export interface Loaded {
  model: ImageModel;
  load: Promise<void>;
}

/** Start loading; the model has its metadata as soon as the source has it. */
export async function startLoad(reader: ImageReader, opts: { withFindings: boolean; concurrency?: number }): Promise<Loaded> {
  const model = new ImageModel();
  const loadOpts: LoadOptions = { concurrency: opts.concurrency ?? 2 };
  if (opts.withFindings) {
    const findings = await optional<{ createContentInspector(opts?: object): LoadOptions['inspectContent'] }>('../findings/index.js');
    if (findings?.createContentInspector) loadOpts.inspectContent = findings.createContentInspector();
  }
  const load = model.load(reader, loadOpts).finally(() => reader.close().catch(() => {}));
  return { model, load };
}
