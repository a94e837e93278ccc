/**
 * History commands as the explorer shows them: Dockerfile-like, heredocs joined, and secrets
 * masked by the config check's own judgement (src/findings/redact.ts) unless revealed.
 */
import { dockerfileLine, historyForLayer } from '../engine/history.js';
import type { HistoryEntry, ImageMeta } from '../engine/types.js';
import { redactHistoryEntry } from '../findings/redact.js';

/** The entry with its command masked (build args, ENV/LABEL secrets, tokens) unless `reveal`. */
export function shownEntry(h: HistoryEntry, reveal: boolean): HistoryEntry {
  return redactHistoryEntry(h, reveal);
}

/** `RUN <<EOF\na\nb\nEOF` → `RUN <<EOF a; b EOF` (one line); other newlines become ` ⏎ `. */
export function joinHeredocs(cmd: string): string {
  const joined = cmd.replace(
    /<<-?\s*(["']?)(\w+)\1[ \t]*\n([\s\S]*?)\n[ \t]*\2(?=\s|$)/g,
    (_m, _q, tag: string, body: string) => {
      const lines = body
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      return `<<${tag} ${lines.join('; ')} ${tag}`;
    },
  );
  return joined.replace(/\s*\n\s*/g, ' ⏎ ');
}

/**
 * `docker import` and some builders leave created_by empty and say what they did in the comment
 * ("Imported from -"): that comment, to show rather than nothing.
 */
export function commentInstead(h: HistoryEntry): string | undefined {
  return !h.createdBy?.trim() && h.comment?.trim() ? h.comment.trim() : undefined;
}

/** One-line Dockerfile-like command of a history entry (not yet made terminal-safe). */
export function commandLine(h: HistoryEntry | undefined): string {
  if (!h) return '';
  const comment = commentInstead(h);
  if (comment) return `# ${comment.replace(/\s+/g, ' ')}`;
  const line = dockerfileLine(h.createdBy)
    .replace(/ # buildkit$/, '')
    // ADD/COPY of the legacy builder name content by a 64-hex digest: keep 12.
    .replace(/\b(file|dir|multi):([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1:$2…');
  return joinHeredocs(line)
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** Full command, keeping line breaks (History panel). */
export function commandFull(h: HistoryEntry | undefined): string {
  if (!h) return '';
  const comment = commentInstead(h);
  if (comment) return `# ${comment}`;
  return dockerfileLine(h.createdBy)
    .replace(/ # buildkit$/, '')
    .trim();
}

/** The one-line command of layer `layer`, secrets masked unless `reveal`. */
export function layerCommand(meta: ImageMeta | undefined, layer: number, reveal = false): string {
  if (!meta) return '';
  const h = historyForLayer(meta.history, layer);
  return h ? commandLine(shownEntry(h, reveal)) : '(no history for this layer)';
}

/** Index range of history entries that belong with layer `i`: its own step and the metadata steps after it. */
export function historyAround(
  history: HistoryEntry[],
  layer: number,
): { start: number; own: number; end: number } | undefined {
  const own = history.findIndex((h) => h.layerIndex === layer);
  if (own < 0) return undefined;
  let start = own;
  while (start > 0 && history[start - 1].layerIndex === null) start--;
  let end = own;
  while (end + 1 < history.length && history[end + 1].layerIndex === null) end++;
  return { start, own, end };
}
