/**
 * Bytes copied into or out of shared memory (a SharedArrayBuffer) at the speed of memcpy.
 *
 * Why: V8 copies with relaxed atomic accesses whenever a `TypedArray#set` touches shared memory
 * (`relaxed_memmove`): a word at a time where the source and the destination lie alike modulo 8,
 * else a byte at a time, ~3.9 GB/s at best on this machine; on a million tiny files it was 6.7%
 * of the main thread, the inflated bytes copied into the hashing thread's blocks. Node's
 * `Buffer#fill` with a buffer as its value copies that value into the range with memcpy (once,
 * when the range is exactly the value's length): ~40 GB/s in cache. Nothing else reads or writes
 * such a range while it is copied (a block being filled is not the other thread's yet, and one
 * being read is not written until it is given back), so relaxed ordering adds nothing.
 */

/** Below this many bytes `set` is as fast (fill's argument checks cost ~0.1 µs). */
const FILL_FROM = 512;

/** `dst[at, at + src.length) = src`, where either may lie in shared memory (not overlapping: memcpy). */
export function copyInto(dst: Buffer, at: number, src: Uint8Array): void {
  const n = src.length;
  if (n >= FILL_FROM) dst.fill(src, at, at + n);
  else if (n !== 0) dst.set(src, at);
}
