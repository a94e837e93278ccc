/**
 * An image held in memory as real layer tars (the built-in demo, and in-process test images).
 * It is a full source: metadata first, then blobs, and layers can be re-read.
 */
import { Readable } from 'node:stream';
import type { ImageMeta, ImageReader, LayerBlob } from '../engine/types.js';

export function memoryReader(meta: ImageMeta, blobs: Buffer[]): ImageReader {
  return {
    meta: async () => meta,
    async *blobs(): AsyncIterable<LayerBlob> {
      for (let i = 0; i < blobs.length; i++)
        yield { index: i, stream: Readable.from([blobs[i]]), size: blobs[i].length };
    },
    reopenLayer: async (index) => Readable.from([blobs[index]]),
    close: async () => {},
  };
}
