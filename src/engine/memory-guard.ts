/**
 * The heap bound. Counting entries bounds most images, but not one built to exhaust memory
 * another way (long names, many xattrs, deep trees), and the heap Node may use depends on the
 * machine. So while an image loads, the heap in use is compared with a limit; past it, loading
 * stops with one line instead of V8 aborting with "out of memory" and a stack trace.
 *
 * By default the limit is a little below the heap this process may have (--max-old-space-size),
 * compared with the heap still in use after each full garbage collection (before one, garbage
 * counts too, and V8 collects it before it runs out). LAYERLENS_MAX_HEAP_BYTES sets a limit of
 * the user's own, on the heap in use at any moment, garbage included: a bound one can rely on.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import os from 'node:os';
import v8 from 'node:v8';
import { LayerlensError } from '../errors/index.js';
import { limits } from './limits.js';

let watchers = 0;
let observer: PerformanceObserver | undefined;
/** The limit while watching (worked out when watching starts). */
let limitBytes = 0;
/** Heap bytes in use after the last full collection that went past the limit; 0 while under it. */
let over = 0;

/**
 * What V8's heap_size_limit counts besides the old generation: the young generation, three
 * semi-spaces of 16 MiB by default (Node's --max-old-space-size=48 gives a limit of 96 MiB).
 */
const YOUNG_GENERATION = 48 << 20;

/**
 * V8 gives up before the heap is full: once the old generation holds 80% of its maximum and four
 * full collections in a row leave the program less than 40% of the time, it aborts with
 * "Ineffective mark-compacts near heap limit" and a native stack trace (V8's heap.cc,
 * `IsIneffectiveMarkCompact`). A load near its limit collects often, so it meets that rule first:
 * a limit above 80% (it was 90%) let V8 abort in between (the tiny-files image at
 * --max-old-space-size=150 or 165, one run in two).
 */
const V8_GIVES_UP_AT = 0.8;

/**
 * The heap limit in force, in bytes: the user's, or the share of the old generation V8 keeps
 * working at (V8_GIVES_UP_AT) less room for the work between two checks (a twentieth of it, at
 * least 16 MiB). The room must come out of the old generation: a limit worked out from
 * heap_size_limit alone (half of it on small heaps) sat at the old generation's very size, and V8
 * ran out before any check saw the heap past it (`--max-old-space-size=48` or less).
 */
export function heapLimit(): number {
  const explicit = limits().maxHeapBytes;
  if (explicit) return explicit;
  const old = Math.max(v8.getHeapStatistics().heap_size_limit - YOUNG_GENERATION, 32 << 20);
  return Math.floor(old * V8_GIVES_UP_AT) - Math.max(16 << 20, Math.floor(old / 20));
}

/**
 * Start watching (while an image loads; the command line watches for the whole command, cli/main.ts);
 * returns the function that stops it.
 */
export function watchHeap(): () => void {
  if (watchers++ === 0) {
    over = 0;
    limitBytes = heapLimit();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--watchers === 0) {
      observer?.disconnect();
      observer = undefined;
    }
  };
}

/**
 * Observe full collections (each one then measures the heap still in use). Only once the heap is
 * past half its limit: a GC observer costs ~5% of a load's CPU (an entry per collection, most of
 * them minor ones), which a heap far from its limit need not pay.
 */
function observe(limit: number): void {
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      const used = v8.getHeapStatistics().used_heap_size;
      if (used > limit) over = used;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Throws when the heap went past its limit: called between chunks and slices of work. */
export function checkHeap(where: string): void {
  if (!over) {
    const used = v8.getHeapStatistics().used_heap_size;
    const explicit = limits().maxHeapBytes;
    if (explicit) {
      if (used > explicit) over = used;
    } else if (!observer && watchers > 0 && used > limitBytes / 2) observe(limitBytes);
  }
  if (!over) return;
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const explicit = limits().maxHeapBytes;
  const advice = explicit
    ? `to read it, raise LAYERLENS_MAX_HEAP_BYTES (now ${mb(explicit)}M)${heapFlag(2 * explicit, ' and give Node the heap: ')}`
    : `give Node more heap${heapFlag(2 * v8.getHeapStatistics().heap_size_limit, ': run it again with ')}`;
  throw new LayerlensError(
    `${where}: the image needs more memory than allowed (${mb(over)} MB in use, limit ${mb(heapLimit())} MB): ${advice}`,
    'TOO_LARGE',
  );
}

/** Heap this machine can give Node: three quarters of its memory. */
function machineHeap(): number {
  return Math.floor(os.totalmem() * 0.75);
}

/**
 * The way forward when a load needs `bytes` of heap: the NODE_OPTIONS to run with (in whole GiB,
 * at most three quarters of this machine's memory), `''` when the heap Node has is enough, or a
 * plain statement that this machine has too little memory (the image can be read on a larger one).
 * `lead` introduces the flag in the caller's sentence.
 */
export function heapFlag(bytes: number, lead: string): string {
  const have = v8.getHeapStatistics().heap_size_limit;
  if (bytes <= have * 0.85) return '';
  const cap = machineHeap();
  if (have >= cap * 0.95)
    return ` (this machine's ${Math.round(os.totalmem() / 2 ** 30)} GB of memory is the limit: read the image on a machine with more)`;
  const gib = Math.min(Math.ceil(bytes / 2 ** 30), Math.floor(cap / 2 ** 30));
  return `${lead}NODE_OPTIONS=--max-old-space-size=${Math.max(gib * 1024, Math.ceil(have / 2 ** 20) + 1024)}`;
}
