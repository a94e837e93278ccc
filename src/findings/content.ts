/** What the content inspector leaves on a version, and helpers to walk the tree for it. */
import type { FileTree, TreeNode } from '../engine/tree.js';
import type { Version } from '../engine/types.js';
import type { OsFileData } from './os/packages.js';
import type { SecretMatch } from './secrets/scanner.js';

export interface InspectedContent {
  secrets?: SecretMatch[];
  os?: OsFileData;
  /** Only the first bytes of the file were scanned. */
  truncated?: boolean;
}

export function inspected(v: Version | undefined): InspectedContent | undefined {
  // A removal copies the attributes (and content result) of what it removed: not new content.
  if (!v || v.change === 'removed') return undefined;
  const c = v.content;
  return c && typeof c === 'object' ? (c as InspectedContent) : undefined;
}

/** Every node of the tree (depth first, iterative: deep trees must not overflow the stack). */
export function* allNodes(tree: FileTree): Generator<TreeNode> {
  const stack: TreeNode[] = [tree.root];
  while (stack.length) {
    const n = stack.pop()!;
    yield n;
    if (n.children) for (const c of n.children.values()) stack.push(c);
  }
}

/** The index of the last layer (the image as shipped). */
export function topLayer(tree: FileTree): number {
  return tree.layerCount - 1;
}

/**
 * Where the content of version `i` of `node` stopped being visible: the next version's layer and
 * whether it was a removal or a replacement. Undefined when it is still there in the final image.
 */
export function fateOf(node: TreeNode, i: number): { layer: number; how: 'deleted' | 'overwritten' } | undefined {
  const next = node.versions[i + 1];
  if (!next) return undefined;
  return { layer: next.layer, how: next.change === 'removed' ? 'deleted' : 'overwritten' };
}
