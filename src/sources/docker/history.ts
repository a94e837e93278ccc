/**
 * The Engine's /images/{name}/history answer → config.history-shaped entries. The API lists
 * steps newest first, with `<missing>` ids, and does not say which steps made no layer (a 0-byte
 * layer is not an empty_layer). Which steps made layers is inferred: a step with bytes made one;
 * a metadata instruction (ENV, EXPOSE, …) with none did not; the rest are assumed to have made
 * one when that matches the number of layers. The export's config, read later, is exact.
 */
import type { ImageConfig } from '../../engine/types.js';

export interface ApiHistoryItem {
  Id?: string;
  Created?: number;
  CreatedBy?: string;
  Tags?: string[] | null;
  Size?: number;
  Comment?: string;
}

const METADATA_INSTRUCTIONS =
  /^(ENV|EXPOSE|CMD|ENTRYPOINT|LABEL|USER|ARG|STOPSIGNAL|HEALTHCHECK|VOLUME|SHELL|ONBUILD|MAINTAINER)\b/;

/** Does this step only change the config (never a layer)? */
export function isMetadataStep(createdBy: string | undefined): boolean {
  const s = (createdBy ?? '').trim();
  const nop = /^\/bin\/sh -c #\(nop\)\s*(.*)$/s.exec(s);
  if (nop) return !/^(COPY|ADD)\b/.test(nop[1]) && !/^(WORKDIR)\b/.test(nop[1]);
  return METADATA_INSTRUCTIONS.test(s);
}

export function historyFromApi(items: ApiHistoryItem[], layerCount: number): NonNullable<ImageConfig['history']> {
  const oldestFirst = [...items].reverse();
  const kinds = oldestFirst.map((h) => ((h.Size ?? 0) > 0 ? 'layer' : isMetadataStep(h.CreatedBy) ? 'empty' : 'maybe'));
  let excess = kinds.filter((k) => k !== 'empty').length - layerCount;
  // Too many candidates: a 0-byte WORKDIR is the likeliest step without a layer. Whatever
  // still does not add up is left to mapHistory, which aligns from the newest step
  // (mismatches show as missing history, never fatal).
  for (let i = 0; i < kinds.length && excess > 0; i++) {
    if (kinds[i] === 'maybe' && /WORKDIR\b/.test(oldestFirst[i].CreatedBy ?? '')) {
      kinds[i] = 'empty';
      excess--;
    }
  }
  return oldestFirst.map((h, i) => {
    const entry: NonNullable<ImageConfig['history']>[number] = {};
    if (h.Created) entry.created = new Date(h.Created * 1000).toISOString();
    if (h.CreatedBy) entry.created_by = h.CreatedBy;
    if (h.Comment) entry.comment = h.Comment;
    if (kinds[i] === 'empty') entry.empty_layer = true;
    return entry;
  });
}
