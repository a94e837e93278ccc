/**
 * The content digests a comparison reads, taken before it runs. A load may defer its files'
 * digests (engine/content-digest.ts: uncompressed layers in a file the source can read again);
 * the comparison itself is pure and synchronous, so what it will read is hashed first:
 * - the files it compares: the file comparison's walk (files.ts) names every file version whose
 *   digest it will read and lacks (files it reports, pairs of files it must look into; none from
 *   the layers both images hold, whose bytes are the same by their diffID), and is finished by
 *   compareImages once they are in;
 * - the files of findings that are not matched at their own place: a finding about a file is
 *   matched elsewhere by the file's digest (a moved file is not "new").
 * The command line's diff and the explorer's compare view both settle them (cli/diff.ts).
 */
import { fillDigests } from '../../engine/content-digest.js';
import type { ImageModel } from '../../engine/image.js';
import type { Version } from '../../engine/types.js';
import type { Finding } from '../types.js';
import { drain, type Steps } from '../../engine/steps.js';
import { missingDigests, walkImageFilesSteps, type FileWalk } from './files.js';
import { compareFindings } from './findings.js';

/** The file walk of a comparison, and the digests it reads being taken meanwhile. */
export interface PreparedFiles {
  /** For compareImages (`files`): finished once `digests` resolved. */
  walk: FileWalk;
  /** Resolves once every digest the walk needs is in; rejects with the source's one-line error. */
  digests: Promise<void>;
}

/**
 * Walks the two final filesystems (`paths`: as compareImages's) and starts hashing the digests
 * the file comparison reads and the loads deferred.
 */
export function prepareFiles(oldModel: ImageModel, newModel: ImageModel, paths?: string[]): PreparedFiles {
  return drain(prepareFilesSteps(oldModel, newModel, paths));
}

/** prepareFiles in steps (the walk's: files.ts walkFilesSteps); the hashing starts at its end. */
export function* prepareFilesSteps(oldModel: ImageModel, newModel: ImageModel, paths?: string[]): Steps<PreparedFiles> {
  const walk = yield* walkImageFilesSteps(oldModel, newModel, paths);
  const digests = fillBoth(oldModel, newModel, () => missingDigests(walk));
  digests.catch(() => {}); // (awaited by the caller after the checks; not unhandled meanwhile)
  return { walk, digests };
}

/**
 * Hashes the digests the matching of the two images' findings reads: those of the files of
 * findings the primary key leaves unmatched (findings.ts; a first pass of the matching names them).
 */
export async function fillFindingDigests(
  oldModel: ImageModel,
  oldFindings: Finding[],
  newModel: ImageModel,
  newFindings: Finding[],
): Promise<void> {
  await fillBoth(oldModel, newModel, () => {
    const wanted = { old: [] as Version[], new: [] as Version[] };
    compareFindings(oldFindings, newFindings, oldModel, newModel, (v, side) => wanted[side].push(v));
    return wanted;
  });
}

/** The digests `wanted` names on each side, when a load deferred any (else nothing is asked). */
async function fillBoth(
  oldModel: ImageModel,
  newModel: ImageModel,
  wanted: () => { old: Version[]; new: Version[] },
): Promise<void> {
  if (!oldModel.digestsDeferred && !newModel.digestsDeferred) return;
  const w = wanted();
  await Promise.all([fillDigests(oldModel, w.old), fillDigests(newModel, w.new)]);
}
