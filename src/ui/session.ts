/**
 * The explorer's loop over a terminal: input bytes become key and mouse events (input.ts) run
 * through the key table (keys.ts) or the mouse map (mouse.ts), and the screen's lines
 * (render-screen.ts) are painted as line diffs (painter.ts) right after each read, so a keypress
 * is drawn at once. The model's events (layers arriving, progress) redraw at most every
 * `frameMs`, and the findings are recomputed at most every `findingsMs` while layers arrive, so a
 * streaming image never floods the terminal or holds input back.
 *
 * This is the one render path: run.ts gives it the real terminal, tests give it streams.
 */
import { finishCompare } from './compare.js';
import type { Explorer } from './explorer.js';
import { InputParser } from './input.js';
import { dispatch } from './keys.js';
import { handleMouse } from './mouse.js';
import { Painter } from './painter.js';
import { screen } from './render-screen.js';

export interface TerminalOutput extends NodeJS.WritableStream {
  columns?: number;
  rows?: number;
  on(event: 'resize', listener: () => void): this;
  on(event: string, listener: (...args: unknown[]) => void): this;
  off(event: string, listener: (...args: unknown[]) => void): this;
}

type Listener = (...args: never[]) => void;
interface Emitter {
  on(event: string, f: Listener): unknown;
  off(event: string, f: Listener): unknown;
}

export interface SessionOptions {
  explorer: Explorer;
  /** Where keys arrive (already in raw mode when it is a terminal). */
  input: NodeJS.ReadableStream;
  output: TerminalOutput;
  /** Minimum time between redraws caused by the model (default 33 ms: ~30 frames a second). */
  frameMs?: number;
  /** Minimum time between recomputing findings while layers arrive (default 300 ms). */
  findingsMs?: number;
}

export class Session {
  readonly explorer: Explorer;
  private readonly painter: Painter;
  private readonly parser = new InputParser();
  private readonly frameMs: number;
  private readonly findingsMs: number;
  /** How long the last recomputation of the findings took (ms). */
  private lastFindingsMs = 0;
  private frameTimer: NodeJS.Timeout | null = null;
  private findingsTimer: NodeJS.Timeout | null = null;
  private readonly cleanups: Array<() => void> = [];
  private resolveDone!: () => void;
  /** Resolves when the user quits. */
  readonly done: Promise<void>;
  /** Frames painted (tests). */
  frames = 0;

  constructor(private readonly opts: SessionOptions) {
    this.explorer = opts.explorer;
    this.painter = new Painter(opts.output);
    this.frameMs = opts.frameMs ?? 33;
    this.findingsMs = opts.findingsMs ?? 300;
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  start(): void {
    const ex = this.explorer;
    const out = this.opts.output;
    ex.resize(out.columns || ex.width, out.rows || ex.height);
    ex.onChange = () => this.paint();
    const onData = (chunk: Buffer | string) => this.feed(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    this.on(this.opts.input, 'data', onData);
    this.on(out, 'resize', () => {
      ex.resize(out.columns || ex.width, out.rows || ex.height);
      this.painter.invalidate();
      this.paint();
    });
    const layer = () => {
      this.schedule();
      this.scheduleFindings();
    };
    const finished = () => {
      if (this.findingsTimer) clearTimeout(this.findingsTimer);
      this.findingsTimer = null;
      // (The compare view compares once both images are read.)
      if (ex.compare) finishCompare(ex);
      ex.refreshFindings();
      this.schedule();
    };
    const progress = () => this.schedule();
    const models = ex.models;
    for (const model of models) {
      this.on(model, 'meta', layer);
      this.on(model, 'layer', layer);
      this.on(model, 'progress', progress);
      this.on(model, 'done', finished);
      this.on(model, 'error', finished);
    }
    // A source that counts its own bytes (a pipe, the daemon's export) has no events: poll it.
    const poll = setInterval(() => {
      if (models.some((m) => !m.done && !m.error)) this.schedule();
    }, 250);
    poll.unref?.();
    this.cleanups.push(() => clearInterval(poll));
    // Whatever happened before we subscribed.
    if (models.every((m) => m.done || m.error)) finished();
    ex.sync();
    this.paint();
  }

  stop(): void {
    for (const c of this.cleanups.splice(0)) c();
    if (this.frameTimer) clearTimeout(this.frameTimer);
    if (this.findingsTimer) clearTimeout(this.findingsTimer);
    this.frameTimer = this.findingsTimer = null;
    this.explorer.onChange = () => {};
  }

  /** Input bytes, as the terminal sent them. */
  feed(text: string): void {
    const ex = this.explorer;
    for (const ev of this.parser.feed(text)) {
      if (ev.kind === 'key') dispatch(ex, ev);
      else handleMouse(ex, ev);
      if (ex.quit) break;
    }
    if (ex.quit) {
      this.resolveDone();
      return;
    }
    this.paint();
  }

  /** Paint the current state now (a diff against the last frame). */
  paint(): void {
    const ex = this.explorer;
    if (ex.quit) return;
    if (ex.redraw) {
      ex.redraw = false;
      this.painter.invalidate();
    }
    this.painter.paint(screen(ex));
    this.frames++;
  }

  private schedule(): void {
    if (this.frameTimer) return;
    this.frameTimer = setTimeout(() => {
      this.frameTimer = null;
      this.explorer.sync();
      this.paint();
    }, this.frameMs);
  }

  private scheduleFindings(): void {
    if (this.findingsTimer) return;
    this.findingsTimer = setTimeout(
      () => {
        this.findingsTimer = null;
        const start = performance.now();
        this.explorer.refreshFindings();
        this.lastFindingsMs = performance.now() - start;
        this.schedule();
      },
      findingsDelay(this.findingsMs, Math.max(this.lastFindingsMs, this.explorer.lastEarlyMs)),
    );
  }

  /** Subscribe `f` until stop(). */
  private on(emitter: object, event: string, f: Listener): void {
    const e = emitter as Emitter;
    e.on(event, f);
    this.cleanups.push(() => e.off(event, f));
  }
}

/**
 * How long to wait before the findings are recomputed again while layers arrive: `findingsMs`, or
 * ten times what the last recomputation took when that is longer. The early findings walk the
 * paths with a history: at two million paths ~0.2–0.45 s (in slices between keys, but each slice
 * is time the load waits), so at 300 ms apart they would take more than half of the main thread;
 * this keeps it to a tenth.
 */
export function findingsDelay(findingsMs: number, lastMs: number): number {
  return Math.max(findingsMs, 10 * lastMs);
}
