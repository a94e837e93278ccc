/**
 * Where the secrets are in a text, found by the real rules: what the explorer masks in the file
 * viewer (text and hex) is what the checks report, not a look-alike list. Pattern rules give the
 * place of their `secret` group; a key block (PEM, OpenSSH, PGP) that a rule accepted is masked
 * from the line after its BEGIN line to its END line; a credential file's parser (chosen by the
 * path, as in the scan) gives each value it read.
 */
import { credentialRulesFor } from './credential-files.js';
import type { Span } from './mask.js';
import { scanString, secretSpans } from './scanner.js';

/** The BEGIN line of a key block (masked when a rule accepted the block: a match on that line). */
const BLOCK_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g;

/** Offsets of the start of each line (line n starts at starts[n-1]). */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/**
 * The secrets in `text` (a file's content as a string, or a command), as spans. `path` chooses the
 * credential-file parsers, as the scan does; without it only the pattern rules run.
 */
export function findSecretSpans(text: string, path?: string): Span[] {
  const spans: Span[] = [...secretSpans(text)];
  const matches = scanString(text);
  if (matches.length) {
    const starts = lineStarts(text);
    // Key blocks the rules accepted: a match on the BEGIN line.
    const lines = new Set(matches.filter((m) => /private-key|putty/.test(m.ruleId)).map((m) => m.line));
    BLOCK_BEGIN.lastIndex = 0;
    for (let m; (m = BLOCK_BEGIN.exec(text)); ) {
      const line = lineOfOffset(starts, m.index);
      if (!lines.has(line)) continue;
      const from = text.indexOf('\n', m.index);
      if (from < 0) continue;
      const end = text.indexOf('-----END', from);
      // From the line after BEGIN to the end of the line before END (a block without END: 16 KiB).
      const stop = end < 0 ? Math.min(text.length, from + 16384) : text.lastIndexOf('\n', end);
      if (stop > from + 1) spans.push([from + 1, stop]);
    }
  }
  if (path) {
    const starts = lineStarts(text);
    for (const rule of credentialRulesFor(path)) {
      if (rule.binary) continue;
      for (const hit of rule.parse(text)) {
        if (hit.line === null || !hit.value) continue;
        const ls = starts[hit.line - 1];
        if (ls === undefined) continue;
        const le = text.indexOf('\n', ls);
        const at = text.slice(ls, le < 0 ? undefined : le).indexOf(hit.value);
        if (at >= 0) spans.push([ls + at, ls + at + hit.value.length]);
      }
    }
  }
  return spans;
}

function lineOfOffset(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
