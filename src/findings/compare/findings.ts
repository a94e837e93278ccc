/**
 * Findings of two images matched: which NEW introduced, which it resolved, which it kept. Two
 * passes over the match keys (../match-key.ts): first the same problem at the same place, then
 * the same problem moved (a secret at another path, a file with the same content elsewhere).
 * Keys are counted, not set-matched: two copies of one leak in OLD and three in NEW is one new.
 */
import type { ImageModel } from '../../engine/image.js';
import type { Version } from '../../engine/types.js';
import { comparable, movedKey, primaryKey } from '../match-key.js';
import type { Finding } from '../types.js';
import { digestOf } from './digest.js';
import type { FindingComparison, MatchedFinding } from './types.js';

/** The file version a path finding is about (its path, in its layer). */
export function findingVersion(model: ImageModel, f: Finding): Version | undefined {
  if (f.path === null || f.layerIndex === null) return undefined;
  return model.tree.lookupPath(f.path)?.versionIn(f.layerIndex);
}

/**
 * The content digest of the file version a path finding is about; `missing` is told of a file
 * version without one (settle-digests.ts hashes those first).
 */
function digestFinder(model: ImageModel, missing?: (v: Version) => void): (f: Finding) => string | undefined {
  return (f) => {
    const v = findingVersion(model, f);
    const d = digestOf(v);
    if (d === undefined && missing && v?.type === 'file') missing(v);
    return d;
  };
}

/**
 * `onMissingDigest`: told of each file version whose digest the matching reads and does not have
 * (only findings the primary key leaves unmatched are looked at by content).
 */
export function compareFindings(
  oldFindings: Finding[],
  newFindings: Finding[],
  oldModel?: ImageModel,
  newModel?: ImageModel,
  onMissingDigest?: (v: Version, side: 'old' | 'new') => void,
): FindingComparison {
  const olds = oldFindings.filter(comparable);
  const news = newFindings.filter(comparable);
  const leftOut = oldFindings.length - olds.length + (newFindings.length - news.length);
  const oldDigest = oldModel && digestFinder(oldModel, onMissingDigest && ((v) => onMissingDigest(v, 'old')));
  const newDigest = newModel && digestFinder(newModel, onMissingDigest && ((v) => onMissingDigest(v, 'new')));
  const keys = [
    { primary: (i: number) => primaryKey(olds[i]), moved: (i: number) => movedKey(olds[i], oldDigest) },
    { primary: (j: number) => primaryKey(news[j]), moved: (j: number) => movedKey(news[j], newDigest) },
  ];
  const taken = new Array<boolean>(olds.length).fill(false);
  const matchOf = new Array<MatchedFinding | undefined>(news.length);

  // (Keys are made only for findings still unmatched: a moved key may need the file's digest.)
  const pass = (kind: 'primary' | 'moved', moved: boolean) => {
    const open = new Map<string, number[]>();
    olds.forEach((_, i) => {
      if (taken[i]) return;
      const k = keys[0][kind](i);
      if (k === undefined) return;
      const l = open.get(k);
      if (l) l.push(i);
      else open.set(k, [i]);
    });
    news.forEach((f, j) => {
      if (matchOf[j]) return;
      const k = keys[1][kind](j);
      const i = k === undefined ? undefined : open.get(k)?.shift();
      if (i === undefined) return;
      taken[i] = true;
      matchOf[j] = { old: olds[i], new: f, moved: moved && olds[i].path !== f.path };
    });
  };
  pass('primary', false);
  pass('moved', true);

  return {
    new: news.filter((_, j) => !matchOf[j]),
    resolved: olds.filter((_, i) => !taken[i]),
    unchanged: matchOf.filter((m): m is MatchedFinding => !!m),
    leftOut,
  };
}
