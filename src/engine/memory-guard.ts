/**
 * The heap bound. Counting entries bounds most images, but not one built to exhaust memory
 * another way (long names, many xattrs, deep trees), and the heap Node may use depends on the
 * machine. So while an image loads, the heap still in use after each full garbage collection is
 * compared with a limit (LAYERLENS_MAX_HEAP_BYTES, default four fifths of the heap this process
 * may have); past it, loading stops with one line instead of V8 aborting with "out of memory"
 * and a stack trace. Measured after a full collection only: before it, garbage counts too.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import { LayerlensError } from '../errors/index.js';
import { limits } from './limits.js';

let watchers = 0;
let observer: PerformanceObserver | undefined;
/** Heap bytes in use after the last full collection that went past the limit; 0 while under it. */
let over = 0;

/** The heap limit in force, in bytes. */
export function heapLimit(): number {
  return limits().maxHeapBytes || Math.floor(v8.getHeapStatistics().heap_size_limit * 0.8);
}

/** Start watching (while an image loads); returns the function that stops it. */
export function watchHeap(): () => void {
  if (watchers++ === 0) {
    over = 0;
    const limit = heapLimit();
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
        const used = v8.getHeapStatistics().used_heap_size;
        if (used > limit) over = used;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
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

/** Throws when the heap went past its limit: called between chunks and slices of work. */
export function checkHeap(where: string): void {
  if (!over) return;
  const mb = (n: number) => Math.round(n / 2 ** 20);
  throw new LayerlensError(
    `${where}: the image needs more memory than allowed (${mb(over)} MB in use, limit ${mb(heapLimit())} MB): ` +
      'give Node more heap (NODE_OPTIONS=--max-old-space-size=MB) or set LAYERLENS_MAX_HEAP_BYTES',
    'TOO_LARGE',
  );
}
