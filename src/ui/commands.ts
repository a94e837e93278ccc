/**
 * History commands as the explorer shows them: Dockerfile-like, heredocs joined, and secrets
 * masked by the config check's own judgement (src/findings/redact.ts) unless revealed.
 */
import { dockerfileLine, historyForLayer } from '../engine/history.js';
import type { HistoryEntry, ImageMeta } from '../engine/types.js';
import { redactHistoryEntry } from '../findings/redact.js';
import { countBelow, itself } from '../text/sorted.js';

/** The entry with its command masked (build args, ENV/LABEL secrets, tokens) unless `reveal`. */
export function shownEntry(h: HistoryEntry, reveal: boolean): HistoryEntry {
  return redactHistoryEntry(h, reveal);
}

/** A heredoc's opening: `<<TAG`, `<<-TAG`, `<<"TAG"`, then the end of its line. */
const HEREDOC_START = /<<-?\s*(["']?)(\w+)\1[ \t]*\n/g;

/**
 * `RUN <<EOF\na\nb\nEOF` → `RUN <<EOF a; b EOF` (one line); other newlines become ` ⏎ `.
 *
 * Found without a regular expression spanning the body: `<<TAG\n(.*?)\nTAG` scans to the
 * command's end from every `<<` whose tag never comes back, and a history step of thousands of
 * them (16 MiB of config is allowed) took minutes. Each line that could end a heredoc is indexed
 * by its tag once; a heredoc's end is the first such line after its start.
 */
export function joinHeredocs(cmd: string): string {
  const ends = heredocEnds(cmd);
  let out = '';
  let copied = 0;
  HEREDOC_START.lastIndex = 0;
  for (let m; (m = HEREDOC_START.exec(cmd)); ) {
    const tag = m[2];
    const body = m.index + m[0].length;
    const list = ends.get(tag);
    const end = list?.[countBelow(list, body, itself)];
    if (end === undefined) {
      HEREDOC_START.lastIndex = m.index + 1;
      continue;
    }
    const lines = cmd
      .slice(body, end)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const after = cmd.indexOf(tag, end) + tag.length;
    out += `${cmd.slice(copied, m.index)}<<${tag} ${lines.join('; ')} ${tag}`;
    copied = after;
    HEREDOC_START.lastIndex = after;
  }
  const joined = out + cmd.slice(copied);
  // (A run of blanks is tried from its start only: tried from each of its characters, a long run
  // without a newline was quadratic.)
  return joined.replace(/(?<!\s)\s*\n\s*/g, ' ⏎ ');
}

/**
 * The offsets of the newlines that end a heredoc, by tag: a newline, blanks, then a word (the
 * tag) followed by whitespace or the end of the command.
 */
function heredocEnds(cmd: string): Map<string, number[]> {
  const ends = new Map<string, number[]>();
  const line = /\n[ \t]*(\w+)(?=\s|$)/g;
  for (let m; (m = line.exec(cmd)); ) {
    const list = ends.get(m[1]);
    if (list) list.push(m.index);
    else ends.set(m[1], [m.index]);
    line.lastIndex = m.index + 1;
  }
  return ends;
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
