/**
 * Work the CLI can start before its modules load (main.ts imports this second, after the V8
 * settings): worker threads boot now, overlapping the module loading instead of delaying the
 * first layer (which waits for the hashing thread). Which threads, guessed from the raw
 * arguments: early-work.ts. The installed command's launcher has started them already (launch.ts),
 * and they are not started twice; from the sources, they start here. Their owners take them over
 * on first use (engine/worker-thread.ts `startWorker`).
 */
import { startEarlyWork } from './early-work.js';

startEarlyWork(process.argv.slice(2));
