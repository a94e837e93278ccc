/**
 * V8 settings for the layerlens process, applied when this module is evaluated: main.ts imports
 * it first, before any module that holds a regular expression.
 *
 * Regular expressions are left to V8: it runs a new regex in its bytecode interpreter once and
 * compiles it to machine code on the second run. (Until the sixth session of 2026-12-06 they ran
 * interpreted 100 times first, `--regexp-tier-up-ticks=100`, which saved ~15–20 ms of compiling
 * on a fresh scan of the realistic Debian image then. Measured again with the code cache, it
 * saved nothing there, on the demo, the small or the large image (paired, 1.00×), and it cost a
 * tree of JavaScript packages a quarter of its scan: the secret rules run over a whole line, and a
 * package's lines are long, so a hundred interpreted runs of each of ~230 rules added ~2.5 s to
 * 7 s; docs/performance.md.)
 *
 * Heap growth. V8 counts the bytes of live ArrayBuffers against the limit that starts a full
 * collection, and it sets that limit at a factor of what the last collection left. While a layer
 * of large files inflates, the heap holds little (a few thousand paths) but the inflated data
 * passes through as 1 MiB buffers, each dead a few milliseconds later: with V8's own factor a
 * full collection started every ~15 MB inflated (221 of them in the first 13 s of the ML-shaped
 * image, 11.6 s of the GC threads' CPU on two cores). At 4× the limit, 44. Measured in
 * docs/performance.md (fifth session of 2026-12-05): ML-shaped image 0.92× wall and a lower
 * peak RSS; the tiny-files, large and realistic images unchanged, peak RSS within 3%. V8 reads
 * this flag at each collection, so setting it here works as on the command line.
 *
 * 4× is for a small heap only. Once the heap holds a large tree, a full collection at 4× what the
 * last one left lets hundreds of megabytes of garbage pile up: on the ML-shaped image, after the
 * read buffers were reused (so the churn of fresh ones no longer started collections early), no
 * full collection ran between 471 MB and the end, and the peak RSS rose by ~40–60 MiB (419 B per
 * path, over the 400 B target). Above HEAP_LARGE of used heap the factor is 2× (checked four
 * times a second, so the collection that sets the next limit sees it): the same wall and CPU
 * time, 61 MiB less peak (docs/performance.md, sixth session of 2026-12-05).
 *
 * Optimizing compiler. V8's default suits a long-lived page: a function is handed to TurboFan
 * once ~66 KB of its bytecode has run. A `scan` of a few hundred MB is over in under a second, and
 * in that second TurboFan, on the V8 platform threads, took about a third of the process's CPU
 * (the realistic Debian image: ~105 functions compiled, ~0.3 s of CPU, on the core the
 * layer-hashing thread needs). With a budget of 300 KB, 50 are: that `scan` 0.92× wall, 0.87×
 * CPU. The hot loops of a long load still reach TurboFan within milliseconds: the large generated
 * image (4 s), the tiny-files image and the ML-shaped image (30 s) unchanged within the noise
 * (docs/performance.md, fourth session of 2026-12-06). Fewer bytes inlined per function (300, not
 * 920) saved ~5% more on the short scan but cost the ML-shaped image ~6%: left at V8's default.
 * V8 reads the budget each time it resets a function's counter, so setting it here works as on
 * the command line, for the worker threads too (V8's flags are the process's).
 */
import v8 from 'node:v8';

/**
 * A regular expression that backtracks more than 1,000 times on one input (below) goes on in V8's
 * linear-time engine (the same matches; patterns with back-references or look-arounds, which
 * that engine does not run, go on backtracking). The patterns layerlens runs over image content
 * are linear already (test/hostile/backtracking.test.ts); this bounds the ones it cannot write:
 * the explorer's `/regex/` filter, typed by the user and run over names the image chose. A name of
 * 4,011 characters made for `/a.*b.*c/` took 2.1 s per test, 2.6 ms with this.
 */
const LINEAR_FALLBACK = '--enable-experimental-regexp-engine-on-excessive-backtracks';
/**
 * After how many backtracks: V8's 50,000 left that name at 90 ms a test (the count starts again
 * at each place a match is tried), 1,000 at 2.6 ms.
 */
const BACKTRACKS_BEFORE_FALLBACK = '--regexp-backtracks-before-fallback=1000';
const SMALL_HEAP_GROWTH = '--heap-growing-percent=300';
const LARGE_HEAP_GROWTH = '--heap-growing-percent=100';
const HEAP_LARGE = 256 << 20;

/**
 * Applied once per process: the built CLI's launcher (launch.ts) applies these settings before it
 * compiles the CLI's code, whose own copy of this module then finds them applied.
 */
const APPLIED = Symbol.for('layerlens.v8-tuning');
const marks = globalThis as { [APPLIED]?: true };

if (!marks[APPLIED]) {
  marks[APPLIED] = true;
  v8.setFlagsFromString('--interrupt-budget=300000');
  v8.setFlagsFromString(SMALL_HEAP_GROWTH);
  v8.setFlagsFromString(LINEAR_FALLBACK);
  v8.setFlagsFromString(BACKTRACKS_BEFORE_FALLBACK);

  let large = false;
  setInterval(() => {
    const now = v8.getHeapStatistics().used_heap_size > HEAP_LARGE;
    if (now === large) return;
    large = now;
    v8.setFlagsFromString(now ? LARGE_HEAP_GROWTH : SMALL_HEAP_GROWTH);
  }, 250).unref();
}

/**
 * V8's flags as they stand at start-up (a V8 code cache records them: launch.ts, code-cache.ts).
 * A cache made after a load whose heap grew large is made with these, as the next start has them.
 */
export function startupHeapGrowth(): void {
  v8.setFlagsFromString(SMALL_HEAP_GROWTH);
}
