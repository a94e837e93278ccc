/**
 * The OS files that count, found as the programs that read them find them: runc opens
 * /etc/passwd, dpkg /var/lib/dpkg/status, apk and rpm their databases, each through whatever
 * links lie on the way (FileTree.open). A file read at its own well-known path counts in every
 * layer it has (the inventory's history); a file of a well-known name elsewhere counts only where
 * a well-known path leads to it as of the top layer (`/etc/passwd -> /opt/users/passwd`,
 * `/var/lib/dpkg -> /opt/d`), as it does for those programs. A link to a file of another name
 * (`/etc/passwd -> /opt/users`), or to one past the bound on such files (OS_BY_NAME_MAX), leads
 * to bytes not kept while the layers streamed: said, not guessed (`unread`).
 */
import type { ImageModel } from '../../engine/image.js';
import type { FileTree, TreeNode } from '../../engine/tree.js';
import type { Version } from '../../engine/types.js';
import { inspected, nodeIndex, perTreeEdit } from '../content.js';
import { OS_FILE_PATHS } from './collector.js';

const STATUS_D = '/var/lib/dpkg/status.d';

export interface OsFileNodes {
  /** Every node whose OS data counts. */
  counted: Set<TreeNode>;
  /** Each well-known path that leads to a file holding its data (as of the top layer): that file's node. */
  at: Map<string, TreeNode>;
  /** Each well-known path that leads to a file whose bytes were not kept: that file's path. */
  unread: Map<string, string>;
}

const located = perTreeEdit(locate);

/** The OS files of the layers applied so far (once per state of the tree, as nodeIndex). */
export function osFileNodes(model: ImageModel): OsFileNodes {
  return located(model.tree);
}

function locate(tree: FileTree): OsFileNodes {
  const top = tree.layerCount - 1;
  const found: OsFileNodes = { counted: new Set(), at: new Map(), unread: new Map() };
  for (const node of nodeIndex(tree).inspected) {
    if (node.versions.some((v) => osDataOf(v) && !osDataOf(v)!.linkOnly)) found.counted.add(node);
  }
  if (top < 0) return found;
  /** The live file `node` is as of the top layer (a hard link: the file it links). */
  const fileAt = (node: TreeNode | undefined): { node: TreeNode; version: Version } | undefined => {
    let v = node?.liveAt(top);
    if (v?.type === 'hardlink') {
      const linked = tree.linkedVersion(v);
      node = linked?.node;
      v = linked?.version;
    }
    return node && v?.type === 'file' ? { node, version: v } : undefined;
  };
  for (const [path] of OS_FILE_PATHS) {
    const f = fileAt(tree.open(path, top));
    if (!f) continue;
    if (osDataOf(f.version)) {
      found.at.set(path, f.node);
      found.counted.add(f.node);
    } else if (f.node.path !== path) {
      found.unread.set(path, f.node.path);
    }
  }
  // os-release(5): /usr/lib/os-release is read only where /etc/os-release is not there.
  if (found.at.has('/etc/os-release') || found.unread.has('/etc/os-release'))
    found.unread.delete('/usr/lib/os-release');
  // Distroless images: one dpkg status file per package in status.d.
  const dir = tree.open(STATUS_D, top);
  if (dir?.liveAt(top)?.type === 'dir') {
    for (const child of dir.children?.values() ?? []) {
      const f = fileAt(child);
      if (f && osDataOf(f.version)) found.counted.add(f.node);
    }
  }
  return found;
}

function osDataOf(v: Version | undefined) {
  return inspected(v)?.os;
}
