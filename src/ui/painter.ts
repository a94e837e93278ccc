/**
 * Paints screen lines straight onto the terminal (alternate screen), rewriting only the lines
 * that changed since the last frame, inside a synchronized-output bracket (terminals that do not
 * know it ignore it). Ink's own output path tokenizes every character of every line on every
 * frame (~40 ms for a full 180×50 screen); this keeps a keypress well under a frame. Ink still
 * runs the React tree and reads the keys.
 */
export class Painter {
  private prev: string[] = [];

  constructor(private readonly out: NodeJS.WritableStream) {}

  /** Write the frame; returns the bytes written (0 when nothing changed). */
  paint(lines: string[]): number {
    let buf = '';
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === this.prev[i]) continue;
      buf += `\x1b[${i + 1};1H\x1b[0m${lines[i]}\x1b[0m`;
    }
    for (let i = lines.length; i < this.prev.length; i++) buf += `\x1b[${i + 1};1H\x1b[0m\x1b[2K`;
    this.prev = lines;
    if (!buf) return 0;
    const frame = `\x1b[?2026h${buf}\x1b[?2026l`;
    this.out.write(frame);
    return frame.length;
  }

  /** Forget the last frame (after a resize): the next paint clears and redraws everything. */
  invalidate(): void {
    this.prev = [];
    this.out.write('\x1b[0m\x1b[2J');
  }
}
