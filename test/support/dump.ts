/** Canonical text dumps of a loaded model, to compare the same image read through different sources. */
import type { ImageModel } from '../../src/engine/image.js';
import type { TreeNode } from '../../src/engine/tree.js';

function attrs(v: { type: string; size: number; mode: number; uid: number; gid: number; linkTarget?: string }): string {
  return `${v.type} size=${v.size} mode=${v.mode.toString(8)} ${v.uid}:${v.gid}${v.linkTarget ? ' -> ' + v.linkTarget : ''}`;
}

/** Per layer: each change `change path attrs`, sorted. */
export function changeDump(model: ImageModel, layer: number): string[] {
  return [...(model.tree.changesByLayer[layer] ?? [])]
    .map((n) => {
      const v = n.versionIn(layer)!;
      return `${v.change} ${n.path} ${v.change === 'removed' ? '' : attrs(v)}`.trim();
    })
    .sort();
}

/** The whole model: every layer's change set and the final aggregated tree. */
export function canonicalDump(model: ImageModel): string {
  const n = model.layers.length;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`## layer ${i} ${model.layers[i].diffId ?? '?'} size=${model.layers[i].size ?? '?'}`);
    out.push(...changeDump(model, i));
  }
  out.push('## final');
  const walk = (node: TreeNode) => {
    for (const c of [...node.childrenAt(n - 1)].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      out.push(`${c.path} ${attrs(c.liveAt(n - 1)!)}`);
      walk(c);
    }
  };
  if (n) walk(model.tree.root);
  return out.join('\n');
}
