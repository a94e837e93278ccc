// One measurement of bench/findings.ts in a fresh process (no heap left over from other runs),
// in plain JS on the built dist/:  node bench/findings-child.mjs engine|checks oci|archive PATH
// Prints {ms, cpuMs, mainCpuMs, findings}: wall, process and main-thread CPU time of the load (and
// checks), start-up excluded.
import '../dist/cli/v8-tuning.js'; // (as the CLI: first)
import '../dist/cli/early-start.js'; // (as the CLI: second; PATH names a file, so the layer-hashing worker starts)
import { ImageModel } from '../dist/engine/image.js';
import { createContentInspector, runChecks } from '../dist/findings/index.js';
import { openImage } from '../dist/sources/open.js';
import { mainThreadCpuMs } from './proc-cpu.mjs';

const [mode, source, path] = process.argv.slice(2);
const reader = await openImage(path, { source, pull: false, insecure: false, plainHttp: false });
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpuMs();
const t0 = performance.now();
const inspector = mode === 'checks' ? createContentInspector() : undefined;
// Two layers at a time, as `layerlens scan` and the explorer load.
const model = new ImageModel();
await model.load(reader, { inspectContent: inspector, concurrency: 2 });
const findings = inspector ? runChecks(model, { reference: 'bench' }).length : 0;
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const mainCpuMs = mainThreadCpuMs() - main0;
await reader.close();
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs, findings }) + '\n');
