/**
 * Entry point of the explorer (`layerlens IMAGE`, `layerlens --demo`). The CLI creates the model,
 * starts loading and calls runExplorer at once: the first frame shows what the metadata knows and
 * layers fill in as they arrive. The terminal is put back on quit, Ctrl-C, SIGTERM and crashes.
 */
import { constants } from 'node:os';
import type { ImageModel } from '../engine/image.js';
import type { Steps } from '../engine/steps.js';
import type { SecretScanSummary } from '../findings/secrets/stats.js';
import type { Finding } from '../findings/types.js';
import type { CompareInput } from './compare-state.js';
import { Explorer } from './explorer.js';
import { Session } from './session.js';
import { enterScreen, openKeys, rawKeys } from './terminal.js';

export { canRunExplorer } from './terminal.js';
export { inSlices } from '../engine/steps.js';

export interface RunExplorerOptions {
  model: ImageModel;
  /** The model's load() promise (errors are shown in the UI). */
  load: Promise<void>;
  /** Findings while layers load (the cheap subset; see src/findings/early.ts). */
  early?: (model: ImageModel) => Finding[] | Steps<Finding[]>;
  /** Findings of the full checks, computed once the image is loaded (a promise: see ExplorerOptions). */
  findings?: () => Finding[] | Promise<Finding[]>;
  /** The order every view lists findings in. */
  sort?: (fs: Finding[]) => Finding[];
  /** What the secret scan read (shown in the Image panel). */
  secretScan?: () => SecretScanSummary | undefined;
  /** Read keys from /dev/tty (stdin carries the image). */
  keysFromTty?: boolean;
  title?: string;
  /** Report mouse clicks and the wheel (default true; --no-mouse keeps the terminal's own selection). */
  mouse?: boolean;
  /** Compare two images (`layerlens OLD NEW`): `model` is the new one, `load` both loads. */
  compare?: CompareInput;
}

/** Run the explorer until the user quits. Resolves with the process exit code. */
export async function runExplorer(opts: RunExplorerOptions): Promise<number> {
  opts.load.catch(() => {
    /* shown in the header; the user decides when to quit */
  });
  const out = process.stdout;
  const keys = openKeys(!!opts.keysFromTty);
  const explorer = new Explorer({
    model: opts.model,
    early: opts.early,
    findings: opts.findings,
    sort: opts.sort,
    secretScan: opts.secretScan,
    title: opts.title,
    compare: opts.compare,
  });
  explorer.filterDelayMs = 120;
  let signalled: NodeJS.Signals | undefined;
  let session: Session | undefined;
  let quit = () => {};
  const quitted = new Promise<void>((r) => (quit = r));
  const restore = enterScreen(
    out,
    (sig) => {
      signalled = sig;
      quit();
    },
    opts.mouse !== false,
  );
  const unraw = rawKeys(keys.stream);
  try {
    session = new Session({ explorer, input: keys.stream, output: out });
    session.start();
    await Promise.race([session.done, quitted]);
  } finally {
    session?.stop();
    unraw();
    restore();
    keys.close();
  }
  if (signalled) return 128 + (constants.signals[signalled] ?? 15);
  return explorer.loadFailed ? 1 : 0;
}
