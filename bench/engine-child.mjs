// Engine side of bench/engine.ts, in plain JS on the built dist/ so that its peak RSS is the
// product's own (a TypeScript loader in the process would add ~30 MB).
//   node bench/engine-child.mjs DIR CONCURRENCY
// The CLI's V8 settings first, as main.ts applies them before anything else (heap growth, the
// optimizing compiler's budget): the engine measured as the CLI runs it. (Before the third
// session of 2026-12-06 this child ran with V8's defaults: on the large image those cost ~3% of
// CPU, a full collection every ~60 ms of inflated bytes; docs/performance.md.)
import '../dist/cli/v8-tuning.js';
import { ImageModel } from '../dist/engine/image.js';
import { prewarmStreamHash } from '../dist/engine/stream-hash.js';
import { openImage } from '../dist/sources/open.js';

// As the CLI does at its start (cli/early-start.ts): the diffID-hashing thread boots meanwhile.
prewarmStreamHash();

const [dir, concurrency = '1'] = process.argv.slice(2);
const t0 = performance.now();
const reader = await openImage(dir, { source: 'oci', pull: false, insecure: false, plainHttp: false });
const model = new ImageModel();
await model.load(reader, { concurrency: Number(concurrency) });
await reader.close();
const ms = performance.now() - t0;
const size = model.layers.reduce((a, l) => a + (l.size ?? 0), 0);
const entries = model.tree.changesByLayer.reduce((a, l) => a + l.length, 0);
process.stdout.write(
  JSON.stringify({
    mode: `engine:${concurrency}`,
    ms,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    bytesOut: size,
    entries,
    nodes: model.tree.nodeCount,
  }) + '\n',
);
