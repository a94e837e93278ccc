/**
 * Layers that several images being read at once hold (the same diffID, the sha256 of the
 * uncompressed tar): parsed once, applied to the tree of every image that lists it. Comparing
 * an app image with its rebuild, or ten services built on one base, then costs the distinct
 * layers, not the sum: the base is decompressed, hashed, parsed and inspected once.
 *
 * It is safe because a layer is named by its content: the config of each image lists the diffID
 * of every layer, and the one parse checks the bytes against that diffID before any tree applies
 * them (image.ts). The other images' copies of the blob are read through and dropped; their
 * bytes are counted (their stored size) but not trusted for anything.
 *
 * Parsed layers are held only until every image expecting them has taken them (`expect` counts
 * the images' layer lists, each `take` of a result releases one), so memory holds the layers in
 * flight, not every layer of every image.
 *
 * A parse carries what the content inspector and the content digests made of the files, so the
 * images loaded with one share must be loaded alike (the same inspector options, the same
 * `contentDigests`): findings/compare/load.ts does.
 */
import type { ParsedLayer } from './parse-layer.js';

export class LayerShare {
  /** Parses kept for other images, by diffID. */
  private readonly parses = new Map<string, Promise<ParsedLayer>>();
  /** Takes still to come, by diffID (from the layer lists given to `expect`). */
  private readonly expected = new Map<string, number>();
  /** Layers parsed by one image and taken by another (for tests and the benchmark's record). */
  reused = 0;

  /** An image will read these layers (its meta's diffIDs): their parses are kept for it. */
  expect(diffIds: Iterable<string | undefined>): void {
    for (const d of diffIds) if (d) this.expected.set(d, (this.expected.get(d) ?? 0) + 1);
  }

  /**
   * The parse of `diffId`: another image's when one has started it (`owner` false), else the
   * one `parse` starts now, kept for the others when any expect it (`owner` true). Each caller
   * must `release` the layer once it holds the result (or gave up on it).
   */
  take(diffId: string, parse: () => Promise<ParsedLayer>): { parsed: Promise<ParsedLayer>; owner: boolean } {
    const kept = this.parses.get(diffId);
    if (kept) {
      this.reused++;
      return { parsed: kept, owner: false };
    }
    const p = parse();
    if ((this.expected.get(diffId) ?? 0) > 1) {
      this.parses.set(diffId, p);
      // A failed parse is not shared: the next image parses its own copy (and says why it fails).
      p.catch(() => {
        if (this.parses.get(diffId) === p) this.parses.delete(diffId);
      });
    }
    return { parsed: p, owner: true };
  }

  /** One taker of `diffId` is done with it: the parse is dropped once no other expects it. */
  release(diffId: string): void {
    const n = (this.expected.get(diffId) ?? 0) - 1;
    if (n > 0) {
      this.expected.set(diffId, n);
      return;
    }
    this.expected.delete(diffId);
    this.parses.delete(diffId);
  }

  /** Whether another image (or another layer of one) still expects the layer `diffId`. */
  sharedLater(diffId: string): boolean {
    return (this.expected.get(diffId) ?? 0) > 1;
  }

  /** Parses held for images still to take them (for tests). */
  get held(): number {
    return this.parses.size;
  }
}
