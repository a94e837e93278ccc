/**
 * A file system listed for comparison: a `docker export` extracted to disk, and layerlens's tree
 * at a layer, each as `/path/` (directory), `/path -> target` (symlink), `/path SIZE` (file).
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageModel } from '../../src/engine/image.js';
import type { TreeNode } from '../../src/engine/tree.js';

/** The exported file system, as `/path/` (directory), `/path -> target`, `/path SIZE`. */
export function listExport(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(root, rel)).sort()) {
    const p = rel ? `${rel}/${n}` : n;
    if (!rel && ['dev', 'proc', 'sys', 'etc', '.dockerenv'].includes(n)) continue; // Docker's own
    const st = lstatSync(join(root, p));
    if (st.isSymbolicLink()) out.push(`/${p} -> ${readlinkSync(join(root, p))}`);
    else if (st.isDirectory()) out.push(`/${p}/`, ...listExport(root, p));
    else out.push(`/${p} ${st.size}`);
  }
  return out;
}

/** The tree at `layer`, listed as listExport lists; null when a hard link is left out (header). */
export function listTree(model: ImageModel, layer: number): string[] | null {
  const out: string[] = [];
  const down = (node: TreeNode, path: string): boolean => {
    for (const name of [...(node.children?.keys() ?? [])].sort()) {
      const c = node.children!.get(name)!;
      const v = c.liveAt(layer);
      if (!v) continue;
      const p = `${path}/${name}`;
      if (v.type === 'dir') {
        out.push(`${p}/`);
        if (!down(c, p)) return false;
      } else if (v.type === 'symlink') out.push(`${p} -> ${v.linkTarget}`);
      else if (v.type === 'hardlink') {
        // The file a runtime linked (a copy its layer then replaced, maybe).
        const t = model.tree.linkedVersion(v)?.version;
        if (!t) return false;
        out.push(`${p} ${t.size}`);
      } else out.push(`${p} ${v.size}`);
    }
    return true;
  };
  return down(model.tree.root, '') ? out : null;
}
