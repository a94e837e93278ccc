/**
 * Work the CLI can start before its modules load (main.ts imports this second, after the V8
 * settings): worker threads boot now, their ~30 ms overlapping the ~0.1 s of module loading
 * instead of delaying the first layer (a layer is hashed on a thread only if it has loaded by
 * then). A guess from the raw arguments is enough: a worker started for nothing costs that boot
 * on the other core and exits with us.
 * What each command gets is decided in early-work.ts:
 * - Any command that reads an image: the thread that hashes decompressed layers
 *   (engine/stream-hash.ts).
 * - An argument that names a file or directory (an image archive, an OCI layout): the thread
 *   that hashes uncompressed layers from the file (sources/file-hash-worker.ts).
 * - An image that can only come from a registry (`docker://REF`, `--source registry`, or a name
 *   where no Docker daemon is configured): the thread that downloads blobs
 *   (sources/registry/fetch-worker.ts). Started from the registry source, it was ready ~50 ms
 *   after the manifest and config were in, and a pull's first blob byte waited for it
 *   (docs/performance.md, second session of 2026-12-06).
 */
import { existsSync } from 'node:fs';
import { prewarmStreamHash } from '../engine/stream-hash.js';
import { prewarmHashWorker } from '../sources/file-hash-worker.js';
import { earlyWork } from './early-work.js';

const work = earlyWork(process.argv.slice(2), { exists: existsSync, env: process.env });
if (work.streamHash) prewarmStreamHash();
if (work.fileHash) prewarmHashWorker();
// (Loaded by a dynamic import: a command that reads no registry does not load node:http for it.)
if (work.fetch) void import('../sources/registry/fetch-worker.js').then((m) => m.prewarmFetchWorker()).catch(() => {});
