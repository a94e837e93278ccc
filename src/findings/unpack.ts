/**
 * The `unpack` check: layer entries a container runtime would not unpack as their names say. The
 * engine builds the tree as Docker and containerd unpack (names cleaned, symlinked parents
 * resolved inside the root) and notes every entry it refuses or writes elsewhere
 * (FileTree.unpackNotes); this turns the notes into findings. No build tool writes such entries:
 * a layer made from a filesystem diff never climbs out of the root nor writes under a symlink.
 *
 * - `unpack-path-escape` (high): a name or hardlink target above the root (`../../etc/passwd`).
 *   Docker refuses the layer; containerd writes it inside the root at its cleaned path. It is
 *   not in the tree.
 * - `unpack-through-symlink` (high): an entry written (or a whiteout applied) under a symlinked
 *   parent: `sl/passwd` after `sl -> /etc` changes /etc/passwd, which the layer's names hide.
 * - `unpack-refused` (medium): what no runtime can unpack (a parent that loops through
 *   symlinks or is a file, a name beyond PATH_MAX, more xattrs than Linux stores, a typeflag
 *   Docker and containerd do not handle: `tar --sparse`'s old 'S', '7', GNU's 'D' and 'V', …);
 *   not in the tree.
 * - `unpack-rewritten` (medium): an entry that replaces files the same layer wrote earlier: a
 *   path twice (one name twice: the OCI image spec forbids it, Docker refuses the layer, other
 *   unpackers keep the last entry; or two names that lead to one path), or a directory the layer
 *   filled, written over (a runtime removes it whole). The
 *   blob keeps every copy, so a tool that reads the first copy of a name sees other content than
 *   a container gets. Also a whiteout of a path its own layer wrote before it, and an opaque
 *   marker after entries of its layer under directories the layer did not list: the spec keeps
 *   those entries (so does the tree), Docker and containerd remove them. The superseded copies are not in the tree;
 *   the deleted-file, secret and efficiency checks still read them (FileTree.inLayerCopies).
 */
import type { ImageModel } from '../engine/image.js';
import type { UnpackNote } from '../engine/types.js';
import { layerDigestOf, makeFinding } from './make.js';
import type { Finding, Severity } from './types.js';
import { formatCount } from '../text/bytes.js';

const REMEDIATION =
  'Treat the image as crafted: build tools write layers from filesystem diffs, which never hold such entries. ' +
  'Rebuild it from its Dockerfile (or drop the layer), and do not run it until you know who made the layer and why.';

interface Rule {
  ruleId: string;
  severity: Severity;
  title: string;
}

const ESCAPE: Rule = { ruleId: 'unpack-path-escape', severity: 'high', title: 'Layer entry outside the image root' };
const THROUGH: Rule = {
  ruleId: 'unpack-through-symlink',
  severity: 'high',
  title: 'Layer entry written through a symlink',
};
const REFUSED: Rule = { ruleId: 'unpack-refused', severity: 'medium', title: 'Layer entry no runtime can unpack' };
const REWRITTEN: Rule = {
  ruleId: 'unpack-rewritten',
  severity: 'medium',
  title: 'Layer entry replaces files its own layer wrote',
};

function ruleFor(n: UnpackNote): Rule {
  if (n.problem === 'escape' || n.problem === 'link-escape') return ESCAPE;
  if (n.problem === 'through-symlink') return THROUGH;
  if (n.problem === 'rewritten') return REWRITTEN;
  return REFUSED;
}

const q = (s: string) => JSON.stringify(s);

/** What tar writers mean by the typeflags the runtimes refuse (GNU tar's and POSIX's). */
const TYPE_NAMES: Record<string, string> = {
  '7': 'a contiguous file',
  S: 'an old GNU sparse file, as `tar --sparse` writes by default',
  D: 'a GNU directory dump',
  V: 'a GNU volume label',
  M: 'a GNU multi-volume continuation',
  N: 'an old GNU long-name record',
};

/** What happened to the entry, in a sentence (after "Layer N holds "). */
function describe(n: UnpackNote): string {
  const link = n.symlink ? `${n.symlink} -> ${n.symlinkTarget ?? ''}` : '';
  switch (n.problem) {
    case 'escape':
      return `an entry named ${q(n.name)}, which climbs above the image root: Docker refuses to unpack the layer, containerd writes it inside the root at its cleaned path; it is not shown in the tree`;
    case 'link-escape':
      return `a hard link ${q(n.name)} to ${q(n.link ?? '')}, outside the image root: Docker refuses to unpack the layer; it is not shown in the tree`;
    case 'through-symlink':
      return n.whiteout
        ? `a whiteout ${q(n.name)} under the symlink ${link}: a runtime deletes ${n.path} through it`
        : `an entry named ${q(n.name)} under the symlink ${link}: a runtime writes it to ${n.path}, which the layer's file names do not show (the tree shows it there)`;
    case 'symlink-loop':
      return `an entry ${q(n.name)} whose parent path loops through symbolic links (${link}): runtimes refuse to unpack the layer; it is not shown in the tree`;
    case 'not-a-directory':
      return `an entry ${q(n.name)} whose parent ${n.path} is not a directory: runtimes refuse to unpack the layer; it is not shown in the tree`;
    case 'name-too-long':
      return `an entry ${q(n.name)} whose name${n.link ? ' or link target' : ''} is longer than a path may be (PATH_MAX): runtimes refuse to unpack the layer; it is not shown in the tree`;
    case 'rewritten': {
      if (n.opaque)
        return `an opaque marker ${q(n.name)} after entries it wrote under ${n.path} in directories it did not list itself: the OCI image spec keeps those entries (the tree shows them), Docker and containerd remove them with those directories when they reach the marker, so the image's file system depends on who unpacks it`;
      if (n.whiteout)
        return `a whiteout ${q(n.name)} for ${n.path}, which the same layer wrote before it: the OCI image spec keeps what the layer wrote (the tree shows it), Docker and containerd remove it when they reach the whiteout, so the image's file system depends on who unpacks it`;
      // A duplicate replaces what the layer wrote at the path; a directory written over takes
      // every file in it.
      const files = n.files ?? 0;
      const under = `${files} file${files === 1 ? '' : 's'}`;
      if (n.duplicate)
        return `a second entry for ${n.path} (its name again, or another name that leads there)${files ? `, superseding ${under} the layer wrote` : ''}: the unpackers keep the last (Docker refuses a layer whose tar names a path twice), yet the layer still ships the bytes of what it replaced, and a tool that reads the first entry of a name sees other content than a container gets`;
      return `an entry ${n.path} written over a directory the layer had put ${under} in: a runtime removes them with the directory, yet the layer still ships their bytes`;
    }
    case 'unhandled-type': {
      const t = n.tarType ?? '';
      const kind = TYPE_NAMES[t] ? ` (${TYPE_NAMES[t]})` : '';
      return `an entry ${q(n.name)} of tar type ${q(t)}${kind}, which Docker and containerd do not unpack ("unhandled tar header type"): runtimes refuse the layer; it is not shown in the tree, but GNU tar extracts its bytes as a file, and they are read for secrets`;
    }
    case 'xattrs-too-large':
      return `an entry ${q(n.name)} with more extended attributes than Linux stores for a file: runtimes refuse to unpack the layer; it is not shown in the tree`;
  }
}

export function unpackFindings(model: ImageModel): Finding[] {
  const out: Finding[] = [];
  const diffIds = model.layers.map((l) => l.diffId);
  for (const n of model.tree.unpackNotes) {
    const rule = ruleFor(n);
    out.push(
      makeFinding({
        ...rule,
        category: 'unpack',
        message: `Layer ${n.layer} holds ${describe(n)}.`,
        remediation: REMEDIATION,
        path: n.problem === 'through-symlink' || n.problem === 'rewritten' ? (n.path ?? null) : null,
        layerIndex: n.layer,
        layerDigest: layerDigestOf(model.meta, n.layer, diffIds),
        discriminator: `${n.problem}\u0000${n.name}${n.entry !== undefined ? `\u0000${n.entry}` : ''}`,
        properties: {
          problem: n.problem,
          entry: n.name,
          ...(n.link !== undefined ? { linkTarget: n.link } : {}),
          ...(n.symlink !== undefined ? { symlink: n.symlink, symlinkTarget: n.symlinkTarget } : {}),
          ...(n.files !== undefined ? { files: n.files } : {}),
          ...(n.duplicate ? { duplicate: true } : {}),
          ...(n.whiteout ? { whiteout: true } : {}),
          ...(n.opaque ? { opaque: true } : {}),
          ...(n.tarType !== undefined ? { tarType: n.tarType } : {}),
        },
      }),
    );
  }
  for (const [key, count] of model.tree.unpackOverflow) {
    const [layerText, problem] = key.split(':') as [string, UnpackNote['problem']];
    const layer = Number(layerText);
    const rule = ruleFor({ layer, problem, name: '' });
    out.push(
      makeFinding({
        ...rule,
        category: 'unpack',
        message: `Layer ${layer} holds ${formatCount(count)} more entries like those above (${problem}); they are counted, not listed.`,
        remediation: REMEDIATION,
        layerIndex: layer,
        layerDigest: layerDigestOf(model.meta, layer, diffIds),
        discriminator: `${problem}\u0000more`,
        properties: { problem, more: count },
      }),
    );
  }
  return out;
}
