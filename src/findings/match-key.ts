/**
 * Match keys: when is a finding of one image "the same problem" as a finding of another (an old
 * build and its rebuild)?
 *
 * Not by `id` (make.ts): the id hashes the layer digest in, so that it names one finding of one
 * image (ignore files, SARIF fingerprints), and a rebuilt layer — new digest, often the very same
 * files — gives every finding in it a new id. A comparison that matched ids would call every
 * finding of a rebuilt layer "new" and every old one "resolved". So two keys here, made from what
 * the problem is about and never from where the layers put it (no layer digest or index, no line
 * number, which moves with any edit above it) nor from a secret's value (only its masked evidence,
 * which every report already prints):
 *
 * - `primary`: rule, path, key (ENV name, port…), and for a secret its masked evidence (what was
 *   found: `token = ghp_…(40 chars)`); for a finding with neither path nor key (a RUN command's
 *   secret, a summary line) the evidence too.
 * - for a vulnerability: its id and the package (name and ecosystem family), not the paths its
 *   files lie at nor the version it is at: a package upgraded but still affected keeps it.
 * - `moved`: the same problem elsewhere in the filesystem, so that a moved file is not "new":
 *   for a secret, the rule, key and masked evidence without the path; for a finding about a file
 *   (a deleted-but-shipped file, a setuid binary), the rule and the sha256 of the file's content,
 *   when the comparison hashed it.
 *
 * Provenance findings describe how an image was named and fetched (tag, registry signatures),
 * not what it contains: a comparison leaves them out (`comparable`).
 */
import { fingerprint } from './make.js';
import type { Finding } from './types.js';

/** Findings that describe the image's content (not its reference or registry). */
export function comparable(f: Finding): boolean {
  return f.category !== 'provenance';
}

/** The key of `f` as the same problem at the same place. */
export function primaryKey(f: Finding): string {
  // A vulnerability is about a package, wherever its files are and at whatever version it stays
  // affected: its id, the package and the ecosystem's family (Debian:11 and Debian:12 alike).
  if (f.category === 'vulnerability' && f.key !== null) {
    const eco = String((f.properties as { ecosystem?: string } | undefined)?.ecosystem ?? '').split(':')[0];
    return fingerprint(['match', f.ruleId, f.key, eco]);
  }
  const evidence = f.category === 'secret' || (f.path === null && f.key === null) ? f.evidence : null;
  return fingerprint(['match', f.ruleId, f.path, f.key, evidence]);
}

/**
 * The key of `f` as the same problem moved elsewhere, if it has one. `contentDigest(f)` gives the
 * digest of the file version a path finding is about (its path in its layer), when known: asked
 * only here, so a comparison hashes only the files of findings the primary key left unmatched.
 */
export function movedKey(f: Finding, contentDigest?: (f: Finding) => string | undefined): string | undefined {
  if (f.category === 'vulnerability' && f.key !== null) return undefined;
  if (f.category === 'secret') return fingerprint(['moved', f.ruleId, f.key, f.evidence]);
  const digest = f.path !== null ? contentDigest?.(f) : undefined;
  return digest ? fingerprint(['moved', f.ruleId, digest]) : undefined;
}
