/**
 * Content digests as a comparison reads them: the sha256 the engine kept on each file version
 * when the images were loaded with `contentDigests` (engine/content-digest.ts, which says why
 * sha256 of every file).
 */
import type { Version } from '../../engine/types.js';

/**
 * The sha256 of a file version's content as kept (32 bytes as a latin1 string: compare these);
 * undefined when it was not computed, or the version is not a file's content.
 */
export function digestOf(v: Version | undefined): string | undefined {
  if (!v || v.change === 'removed' || v.type !== 'file') return undefined;
  return v.digest;
}

/** A kept digest as reports show it: `sha256:` and hex. */
export function digestHex(raw: string): string {
  return 'sha256:' + Buffer.from(raw, 'latin1').toString('hex');
}
