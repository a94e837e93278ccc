// One measurement of bench/diff.ts in a fresh process, in plain JS on the built dist/:
//   node bench/diff-child.mjs read|diff|engine OLD NEW
// read:   both images loaded at once as `layerlens scan` loads one (engine, content inspector,
//         every check): what reading both images once costs;
// diff:   what `layerlens diff OLD NEW --format json` does: both loaded together (shared layers
//         parsed once, sha256 of every file), every check, the comparison, the JSON document;
// engine: both loaded at once by the engine alone.
// Prints {ms, cpuMs, maxRssMB, reused}: wall and CPU time (start-up excluded) and peak RSS.
import '../dist/cli/v8-tuning.js'; // (as the CLI: first)
import '../dist/cli/early-start.js'; // (as the CLI: second; the paths name files, so the layer-hashing worker starts)
import { ImageModel } from '../dist/engine/image.js';
import { compareImages, fillFindingDigests, prepareFiles, inventoryRecords } from '../dist/findings/compare/index.js';
import { loadForComparison } from '../dist/findings/compare/load.js';
import { createContentInspector, packageInventory, runChecks } from '../dist/findings/index.js';
import { toDiffJson } from '../dist/report/diff/json.js';
import { openImage } from '../dist/sources/open.js';

const [mode, a, b] = process.argv.slice(2);
const opts = { source: 'auto', pull: false, insecure: false, plainHttp: false };
const readers = await Promise.all([openImage(a, opts), openImage(b, opts)]);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let reused = 0;
let bytes = 0;
if (mode === 'diff') {
  const { models, done, share } = await loadForComparison(readers, {
    inspector: () => createContentInspector(),
    contentDigests: true,
  });
  await done;
  const side = (m, ref) => ({
    model: m,
    findings: runChecks(m, { reference: ref }),
    packages: inventoryRecords(packageInventory(m)),
  });
  // (as cli/diff.ts's compareLoaded: the digests the comparison reads, hashed while the checks run)
  const files = prepareFiles(models[0], models[1]);
  const sides = [side(models[0], a), side(models[1], b)];
  await files.digests;
  await fillFindingDigests(sides[0].model, sides[0].findings, sides[1].model, sides[1].findings);
  bytes = toDiffJson(compareImages(sides[0], sides[1], { files: files.walk })).length;
  reused = share.reused;
} else {
  const models = readers.map(() => new ImageModel());
  await Promise.all(
    readers.map((r, i) =>
      models[i].load(r, { concurrency: 2, inspectContent: mode === 'read' ? createContentInspector() : undefined }),
    ),
  );
  if (mode === 'read') for (const [i, m] of models.entries()) runChecks(m, { reference: [a, b][i] });
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await Promise.all(readers.map((r) => r.close()));
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB, reused, bytes }) + '\n');
