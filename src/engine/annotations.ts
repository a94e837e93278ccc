/**
 * OCI annotations as sources hand them to ImageMeta: the string values of a manifest's
 * `annotations` object, bounded (they come from the image, which is hostile input).
 */

const MAX_ENTRIES = 256;
const MAX_CHARS = 4096;

/** OCI's annotation keys for the image an image was built on (image-spec annotations.md). */
export const BASE_NAME_ANNOTATION = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_ANNOTATION = 'org.opencontainers.image.base.digest';

/** The first of `candidates` that is an object with string values, reduced to those; else undefined. */
export function stringAnnotations(...candidates: unknown[]): Record<string, string> | undefined {
  for (const c of candidates) {
    if (!c || typeof c !== 'object' || Array.isArray(c)) continue;
    const out: Record<string, string> = {};
    let n = 0;
    for (const [k, v] of Object.entries(c)) {
      if (typeof v !== 'string' || k.length > MAX_CHARS || v.length > MAX_CHARS) continue;
      out[k] = v;
      if (++n >= MAX_ENTRIES) break;
    }
    if (n) return out;
  }
  return undefined;
}
