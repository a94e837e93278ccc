/**
 * The compare view's state (`layerlens OLD NEW`): the two images, their layer rows side by side,
 * and, once both are read, their comparison and merged filesystems. Pure data and functions over
 * it; the work that reads files or computes is in compare.ts.
 */
import type { ImageModel } from '../engine/image.js';
import { compareLayers } from '../findings/compare/layers.js';
import type { MergedTree } from '../findings/compare/merged-tree.js';
import type { ImageComparison, LayerRow } from '../findings/compare/types.js';
import type { Finding } from '../findings/types.js';

export type Side = 'old' | 'new';

/** What the command line gives the explorer to compare two images. */
export interface CompareInput {
  old: ImageModel;
  new: ImageModel;
  oldTitle: string;
  newTitle: string;
  /** The comparison, asked for once both images are loaded (findings, packages, vulnerabilities). */
  compare: () => Promise<ImageComparison>;
  /** What the comparison said on the way (no vulnerability database…): the Image panel lists it. */
  notes?: string[];
}

export interface CompareState extends CompareInput {
  /** The two layer lists side by side: from the metadata at first, refined as layers arrive. */
  rows: LayerRow[];
  /** What `rows` were made from (refreshRows). */
  rowsKey?: string;
  result?: ImageComparison;
  merged?: MergedTree;
  /** The comparison is being made (both images are read). */
  comparing: boolean;
  error?: string;
}

export function compareState(input: CompareInput): CompareState {
  return { ...input, rows: [], comparing: false };
}

/** Both images are loaded (or one failed: nothing to compare then). */
export function bothDone(c: CompareState): boolean {
  return (c.old.done || !!c.old.error) && (c.new.done || !!c.new.error);
}

/**
 * The layer rows again, when something they show moved: the metadata arrived, or a layer was
 * applied (its size). Not on every frame: lining up is O(old × new layers).
 */
export function refreshRows(c: CompareState): void {
  if (!c.old.meta || !c.new.meta) return;
  const key = `${c.old.appliedCount}/${c.new.appliedCount}/${!!c.result}`;
  if (key === c.rowsKey) return;
  c.rowsKey = key;
  c.rows = compareLayers(c.old, c.new).rows;
}

/** The findings the compare view lists: NEW's new ones, then OLD's resolved ones (marked). */
export function compareFindings(result: ImageComparison, sort: (fs: Finding[]) => Finding[]): Finding[] {
  return [
    ...sort(result.findings.new),
    ...sort(result.findings.resolved).map((f) => ({ ...f, title: `resolved: ${f.title}`, resolved: true })),
  ];
}

/** A finding of the compare list that NEW resolved (it is OLD's, and names OLD's layer). */
export function isResolved(f: Finding): boolean {
  return (f as Finding & { resolved?: boolean }).resolved === true;
}

/** The row of the layer lists that shows `side`'s layer `index`. */
export function rowOf(c: CompareState, side: Side, index: number): number {
  return c.rows.findIndex((r) => r[side]?.index === index);
}
