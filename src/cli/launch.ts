#!/usr/bin/env node
/**
 * The installed `layerlens` command (the build makes it dist/cli/main.cjs, the package's bin):
 * V8's settings first, then the worker threads the command will want (early-work.ts guesses
 * which), started now so that they boot while the CLI's script is read and compiled (~30 ms:
 * engine/worker-thread.ts `startEarly`; the CLI takes them over), then the CLI's code (main.ts,
 * built as one script) compiled with the code cache made at build time (code-cache.ts). From the
 * sources, main.ts is run directly (and cli/early-start.ts starts the threads).
 */
import './v8-tuning.js'; // (first: the code cache records V8's flags, and is made under these)
import { fileURLToPath } from 'node:url';
import { type CompiledApp, compileApp } from './code-cache.js';
import { startEarlyWork } from './early-work.js';
import { die, errorMessage } from './errors.js';

startEarlyWork(process.argv.slice(2));

let app: CompiledApp;
try {
  app = compileApp(
    fileURLToPath(new URL('.', import.meta.url)),
    process.env.LAYERLENS_NO_CODE_CACHE !== '1', // (an off switch, for comparisons)
    import.meta.url,
    (specifier) => import.meta.resolve(specifier),
  );
} catch (err) {
  // (A broken installation: the CLI's script is missing or unreadable. One line, not a stack.)
  die(`cannot start: ${errorMessage(err)} (reinstall layerlens)`, err);
}
app.run();
