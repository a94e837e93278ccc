/**
 * Entry point of the explorer (`layerlens IMAGE`, `layerlens --demo`). The CLI creates the model,
 * starts loading and calls runExplorer at once: the first frame shows what the metadata knows and
 * layers fill in as they arrive.
 */
import { render } from 'ink';
import { constants } from 'node:os';
import type { ImageModel } from '../engine/image.js';
import type { Finding } from '../findings/types.js';
import { App } from './app.js';
import { Explorer } from './explorer.js';
import { Painter } from './painter.js';
import { enterScreen, nullOutput, openKeys } from './terminal.js';

export { canRunExplorer } from './terminal.js';
export { safeText } from './sanitize.js';

export interface RunExplorerOptions {
  model: ImageModel;
  /** The model's load() promise (errors are shown in the UI). */
  load: Promise<void>;
  /** Findings of the full checks, computed once the image is loaded. */
  findings?: () => Finding[];
  /** Read keys from /dev/tty (stdin carries the image). */
  keysFromTty?: boolean;
  title?: string;
}

/** Run the explorer until the user quits. Resolves with the process exit code. */
export async function runExplorer(opts: RunExplorerOptions): Promise<number> {
  opts.load.catch(() => {
    /* shown in the header; the user decides when to quit */
  });
  const out = process.stdout;
  const keys = openKeys(!!opts.keysFromTty);
  const explorer = new Explorer({ model: opts.model, findings: opts.findings, title: opts.title });
  explorer.fullHeight = true;
  explorer.filterDelayMs = 120;
  explorer.resize(out.columns || 100, out.rows || 30);
  const painter = new Painter(out);
  const direct = {
    paint: (lines: string[]) => painter.paint(lines),
    invalidate: () => painter.invalidate(),
    terminal: out,
  };
  let signalled: NodeJS.Signals | undefined;
  let instance: ReturnType<typeof render> | undefined;
  const restore = enterScreen(out, (sig) => {
    signalled = sig;
    instance?.unmount();
  });
  // Keep the process alive until the user quits: Ink only starts reading keys once React has
  // committed, and a fast source (the demo, a small archive) can drain the event loop before that.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    // Ink runs the React tree and reads keys; frames go through the Painter, so Ink's own
    // output goes nowhere (and stray console output cannot scribble over the screen).
    instance = render(<App explorer={explorer} direct={direct} />, {
      stdin: keys.stream,
      stdout: nullOutput(out),
      stderr: nullOutput(out),
      exitOnCtrlC: true,
      patchConsole: true,
      maxFps: 30,
    });
    await instance.waitUntilExit();
  } finally {
    clearInterval(keepAlive);
    instance?.cleanup();
    restore();
    keys.close();
  }
  if (signalled) return 128 + (constants.signals[signalled] ?? 15);
  return opts.model.error ? 1 : 0;
}
