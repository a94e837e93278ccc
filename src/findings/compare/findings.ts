/**
 * Findings of two images matched: which NEW introduced, which it resolved, which it kept. Two
 * passes over the match keys (../match-key.ts): first the same problem at the same place, then
 * the same problem moved (a secret at another path, a file with the same content elsewhere).
 * Keys are counted, not set-matched: two copies of one leak in OLD and three in NEW is one new.
 */
import type { ImageModel } from '../../engine/image.js';
import { comparable, matchKeys, type MatchKeys } from '../match-key.js';
import type { Finding } from '../types.js';
import { digestOf } from './digest.js';
import type { FindingComparison, MatchedFinding } from './types.js';

/** The content digest of the file version a path finding is about (its path, in its layer). */
function digestFinder(model: ImageModel): (f: Finding) => string | undefined {
  return (f) => {
    if (f.path === null || f.layerIndex === null) return undefined;
    return digestOf(model.tree.lookupPath(f.path)?.versionIn(f.layerIndex));
  };
}

export function compareFindings(
  oldFindings: Finding[],
  newFindings: Finding[],
  oldModel?: ImageModel,
  newModel?: ImageModel,
): FindingComparison {
  const olds = oldFindings.filter(comparable);
  const news = newFindings.filter(comparable);
  const leftOut = oldFindings.length - olds.length + (newFindings.length - news.length);
  const oldKeys = olds.map((f) => matchKeys(f, oldModel && digestFinder(oldModel)));
  const newKeys = news.map((f) => matchKeys(f, newModel && digestFinder(newModel)));
  const taken = new Array<boolean>(olds.length).fill(false);
  const matchOf = new Array<MatchedFinding | undefined>(news.length);

  const pass = (key: (k: MatchKeys) => string | undefined, moved: boolean) => {
    const open = new Map<string, number[]>();
    olds.forEach((_, i) => {
      const k = key(oldKeys[i]);
      if (taken[i] || k === undefined) return;
      const l = open.get(k);
      if (l) l.push(i);
      else open.set(k, [i]);
    });
    news.forEach((f, j) => {
      if (matchOf[j]) return;
      const k = key(newKeys[j]);
      const i = k === undefined ? undefined : open.get(k)?.shift();
      if (i === undefined) return;
      taken[i] = true;
      matchOf[j] = { old: olds[i], new: f, moved: moved && olds[i].path !== f.path };
    });
  };
  pass((k) => k.primary, false);
  pass((k) => k.moved, true);

  return {
    new: news.filter((_, j) => !matchOf[j]),
    resolved: olds.filter((_, i) => !taken[i]),
    unchanged: matchOf.filter((m): m is MatchedFinding => !!m),
    leftOut,
  };
}
