/**
 * A layer blob's compression by its magic bytes (never by media type or file name): gzip `1f 8b`
 * (including concatenated members, as eStargz writes), zstd `28 b5 2f fd`, otherwise plain tar.
 * A module of its own so that what decodes (decode.ts) and what lends chunks to a decoder
 * (lent-chunks.ts) read one definition without importing each other.
 */
import type { Compression } from './types.js';

export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'tar';
}
