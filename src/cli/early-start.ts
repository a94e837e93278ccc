/**
 * Work the CLI can start before its modules load (main.ts imports this second, after the V8
 * settings): worker threads boot now, overlapping the module loading instead of delaying the
 * first layer (which waits for the hashing thread). Which threads, guessed from the raw
 * arguments: early-work.ts. The installed command's launcher has started them already (launch.ts):
 * here they are taken over (engine/worker-thread.ts `startWorker`); from the sources, started.
 */
import { prewarmStreamHash } from '../engine/stream-hash.js';
import { prewarmHashWorker } from '../sources/file-hash-worker.js';
import { earlyWork, thisMachine } from './early-work.js';

const work = earlyWork(process.argv.slice(2), thisMachine());
if (work.streamHash) prewarmStreamHash();
if (work.fileHash) prewarmHashWorker();
// (Loaded by a dynamic import: a command that reads no registry does not load node:http for it.)
if (work.fetch) void import('../sources/registry/fetch-worker.js').then((m) => m.prewarmFetchWorker()).catch(() => {});
