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
 * The heap limit in force, in bytes: the user's, or what V8 may hold short of running out. Its
 * heap_size_limit counts the young generation too (~48 MiB that old objects never use): the
 * default stays 64 MiB below it, and below 85% of it on large heaps.
 */
export function heapLimit(): number {
  const explicit = limits().maxHeapBytes;
  if (explicit) return explicit;
  const max = v8.getHeapStatistics().heap_size_limit;
  return Math.max(Math.floor(max / 2), Math.min(Math.floor(max * 0.85), max - (64 << 20)));
}

/** Start watching (while an image loads); returns the function that stops it. */
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
  throw new LayerlensError(
    `${where}: the image needs more memory than allowed (${mb(over)} MB in use, limit ${mb(heapLimit())} MB): ` +
      'give Node more heap (NODE_OPTIONS=--max-old-space-size=MB) or set LAYERLENS_MAX_HEAP_BYTES',
    'TOO_LARGE',
  );
}
