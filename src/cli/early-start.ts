/**
 * Work the CLI can start before its modules load (main.ts imports this second, after the V8
 * settings): when an argument names a file or directory (an image archive, an OCI layout), the
 * layer-hashing worker (sources/file-hash-worker.ts) boots now, its ~30 ms overlapping the
 * ~0.1 s of module loading instead of delaying the first layer. A guess from the raw arguments
 * is enough: a worker started for nothing costs that boot on the other core and exits with us.
 */
import { existsSync } from 'node:fs';
import { prewarmHashWorker } from '../sources/file-hash-worker.js';

const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (
  words[0] !== 'registry' &&
  words.some((a) => /^(docker-archive|oci|oci-archive):./.test(a) || (a.length > 0 && existsSync(a)))
) {
  prewarmHashWorker();
}
