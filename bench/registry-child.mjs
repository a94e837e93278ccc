// Layerlens side of bench/registry.ts: one pull-and-parse from a registry, in plain JS on the
// built dist/ (the product's code, no TypeScript loader), in a fresh process like skopeo's.
//   node bench/registry-child.mjs HOST/REPO:TAG CONCURRENCY HOME
import { ImageModel } from '../dist/engine/image.js';
import { openRegistryImage } from '../dist/sources/registry/index.js';

const [ref, concurrency = '2', home] = process.argv.slice(2);
const t0 = performance.now();
const reader = await openRegistryImage(ref, { source: 'registry', pull: false, insecure: false, plainHttp: false }, { provenance: false, env: {}, homedir: home, certsDir: home });
const model = new ImageModel();
await model.load(reader, { concurrency: Number(concurrency) });
await reader.close();
const ms = performance.now() - t0;
const applied = model.layers.filter((l) => l.state === 'done').length;
process.stdout.write(JSON.stringify({ ms, layers: model.layers.length, applied, bytesOut: model.layers.reduce((a, l) => a + (l.size ?? 0), 0) }) + '\n');
