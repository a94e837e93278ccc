/**
 * config.history ↔ filesystem layers. Oldest first: each entry without `empty_layer: true` takes
 * the next rootfs.diff_ids entry. Squashed or hand-made images break the count; then the extra
 * history entries get no layer and layers without history show as missing — never fatal.
 */
import type { HistoryEntry, ImageConfig } from './types.js';

export function mapHistory(config: ImageConfig): HistoryEntry[] {
  const layerCount = config.rootfs?.diff_ids?.length ?? 0;
  const raw = config.history ?? [];
  const nonEmpty = raw.filter((h) => !h.empty_layer).length;
  let next = 0;
  // When history names more filesystem layers than there are, the count cannot be trusted from
  // the start; align from the end instead (the newest steps are the ones users look at).
  let skip = Math.max(0, nonEmpty - layerCount);
  return raw.map((h) => {
    let layerIndex: number | null = null;
    if (!h.empty_layer) {
      if (skip > 0) skip--;
      else if (next < layerCount) layerIndex = next++;
    }
    return {
      created: h.created,
      createdBy: h.created_by,
      comment: h.comment,
      author: h.author,
      emptyLayer: !!h.empty_layer,
      layerIndex,
    };
  });
}

/** The history entry that produced filesystem layer `index`, if any. */
export function historyForLayer(history: HistoryEntry[], index: number): HistoryEntry | undefined {
  return history.find((h) => h.layerIndex === index);
}

/**
 * A history command written the way a Dockerfile reads: `/bin/sh -c #(nop) ` stripped from
 * metadata steps, `/bin/sh -c ` turned into RUN, BuildKit's `RUN |1 ARG=v /bin/sh -c …` kept with
 * its build args (they are part of what leaked).
 */
export function dockerfileLine(createdBy: string | undefined): string {
  if (!createdBy) return '';
  let s = createdBy.trim();
  const nop = s.match(/^\/bin\/sh -c #\(nop\)\s*(.*)$/s);
  if (nop) return nop[1].trim();
  const legacyRun = s.match(/^\/bin\/sh -c (.*)$/s);
  if (legacyRun) return 'RUN ' + legacyRun[1].trim();
  // `|N K=V … /bin/sh -c CMD`: everything before the shell is build args (values may be masked).
  const buildkitArgs = s.match(/^(\|\d+ .*?) \/bin\/sh -c (.*)$/s);
  if (buildkitArgs) return `RUN ${buildkitArgs[1]} ${buildkitArgs[2].trim()}`;
  s = s.replace(/ # buildkit$/, '');
  return s;
}
