// Layerlens side of bench/registry.ts: one pull-and-parse, in plain JS on the built dist/ (the
// product's code, no TypeScript loader), in a fresh process like skopeo's.
//   node bench/registry-child.mjs HOST/REPO:TAG CONCURRENCY HOME     (from the registry)
//   node bench/registry-child.mjs oci:DIR:TAG CONCURRENCY            (the same image on disk)
// The CLI's V8 settings first, as main.ts applies them (compile budget, heap growth): both sides
// measured as the CLI runs them.
import '../dist/cli/v8-tuning.js';
import { ImageModel } from '../dist/engine/image.js';

const [ref, concurrency = '2', home] = process.argv.slice(2);
const t0 = performance.now();
let reader;
if (ref.startsWith('oci:')) {
  const [, dir, tag] = ref.split(':');
  const { openOciLayout } = await import('../dist/sources/oci-layout/dir.js');
  reader = await openOciLayout(dir, { reference: dir, tag });
} else {
  const { openRegistryImage } = await import('../dist/sources/registry/index.js');
  reader = await openRegistryImage(
    ref,
    { source: 'registry', pull: false, insecure: false, plainHttp: false },
    { provenance: false, env: {}, homedir: home, certsDir: home },
  );
}
const model = new ImageModel();
await model.load(reader, { concurrency: Number(concurrency) });
await reader.close();
const ms = performance.now() - t0;
const applied = model.layers.filter((l) => l.state === 'done').length;
process.stdout.write(
  JSON.stringify({
    ms,
    layers: model.layers.length,
    applied,
    bytesOut: model.layers.reduce((a, l) => a + (l.size ?? 0), 0),
  }) + '\n',
);
