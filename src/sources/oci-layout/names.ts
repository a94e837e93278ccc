/**
 * Image names inside layouts and archives (OCI ref.name annotations, containerd image names,
 * docker save RepoTags) and matching them against what the user wrote after `PATH:`.
 */
import { parseReference } from '../../reference/index.js';

function canonical(name: string): string | undefined {
  try {
    return parseReference(name).canonical;
  } catch {
    return undefined;
  }
}

/** The tag part of a full name (`docker.io/library/x:1` → `1`), or the name itself. */
function tagPart(name: string): string {
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(colon + 1) : base;
}

/**
 * Does `wanted` (what the user wrote) name `have` (an annotation or RepoTag)? Exact text, the same
 * canonical reference (`nginx` = `docker.io/library/nginx:latest`), or a bare tag equal to
 * the tag of a full name.
 */
export function nameMatches(wanted: string, have: string): boolean {
  if (wanted === have) return true;
  if (!wanted.includes('/') && !wanted.includes(':') && !wanted.includes('@') && tagPart(have) === wanted) return true;
  const a = canonical(wanted);
  return a !== undefined && a === canonical(have);
}

export function anyNameMatches(wanted: string, names: string[]): boolean {
  return names.some((n) => nameMatches(wanted, n));
}

/** For "tags: …" lists in messages. */
export function listNames(names: string[]): string {
  const uniq = [...new Set(names)];
  if (!uniq.length) return '(none)';
  return uniq.slice(0, 12).join(', ') + (uniq.length > 12 ? `, … (${uniq.length} in all)` : '');
}
