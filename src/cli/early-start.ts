/**
 * Work the CLI can start before its modules load (main.ts imports this second, after the V8
 * settings): worker threads boot now, their ~30 ms overlapping the ~0.1 s of module loading
 * instead of delaying the first layer (a layer is hashed on a thread only if it has loaded by
 * then). A guess from the raw arguments is enough: a worker started for nothing costs that boot
 * on the other core and exits with us.
 * - Any command that reads an image: the thread that hashes decompressed layers
 *   (engine/stream-hash.ts).
 * - An argument that names a file or directory (an image archive, an OCI layout): the thread
 *   that hashes uncompressed layers from the file (sources/file-hash-worker.ts).
 */
import { existsSync } from 'node:fs';
import { prewarmStreamHash } from '../engine/stream-hash.js';
import { prewarmHashWorker } from '../sources/file-hash-worker.js';

const args = process.argv.slice(2);
const words = args.filter((a) => !a.startsWith('-'));
const noImage = ['registry', 'db', 'help'];
if (words.length > 0 && !noImage.includes(words[0]) && !args.includes('--demo') && !args.includes('--help'))
  prewarmStreamHash();
if (
  words[0] !== 'registry' &&
  words.some((a) => /^(docker-archive|oci|oci-archive):./.test(a) || (a.length > 0 && existsSync(a)))
) {
  prewarmHashWorker();
}
