/** A canonical text dump of a loaded image model, for "same tree from two sources" assertions. */
import type { ImageModel } from '../../src/engine/image.js';
import type { TreeNode } from '../../src/engine/tree.js';

export function dumpModel(model: ImageModel): string[] {
  const out: string[] = [];
  for (const l of model.layers) out.push(`layer ${l.index} ${l.state} diffId=${l.diffId} size=${l.size}`);
  const walk = (n: TreeNode) => {
    const kids = [...(n.children?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of kids) {
      for (const v of c.versions) {
        out.push(
          [
            c.path,
            `L${v.layer}`,
            v.change,
            v.type,
            `size=${v.size}`,
            `mode=${v.mode.toString(8)}`,
            `uid=${v.uid}`,
            `gid=${v.gid}`,
            `mtime=${v.mtime}`,
            `link=${v.linkTarget ?? ''}`,
            v.implicit ? 'implicit' : '',
            v.previousLayer ?? '',
          ].join(' '),
        );
      }
      walk(c);
    }
  };
  walk(model.tree.root);
  return out;
}
