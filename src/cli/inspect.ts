/** `layerlens inspect IMAGE [--json]`: the engine's view of an image, for scripts and tests. */
import { historyForLayer } from '../engine/history.js';
import { changeCounts, inspectHistory, inspectJson } from '../report/inspect.js';
import { parseCommandArgs } from './parse.js';
import { withTransport } from '../sources/options.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { writePieces } from './stdout.js';
import { openDemo, openReader, startLoad } from './wiring.js';
import type { ImageModel } from '../engine/image.js';
import { LayerlensError } from '../errors/index.js';
import { safeText } from '../text/safe-text.js';
import { formatBytes } from '../text/bytes.js';
import { truncate } from '../text/width.js';
import { commandLine } from '../ui/commands.js';

const USAGE = 'layerlens inspect IMAGE [--json] [source options]';

export async function runInspect(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...SOURCE_OPTION_SPEC,
      json: { type: 'boolean' },
      demo: { type: 'boolean' },
      reveal: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(
      `Usage: ${USAGE}\n\n  --json    the full document: image, layers[] with changes[]\n  --demo    the built-in demo image\n  --reveal  show secret values (ENV, LABEL, build args) in full; masked by default\n\n${SOURCE_OPTIONS_HELP}\n`,
    );
    return 0;
  }
  if (positionals.length > 1)
    throw new LayerlensError(`inspect takes one image, got ${positionals.length} (usage: ${USAGE})`, 'USAGE');
  if (!values.demo && positionals.length === 0)
    throw new LayerlensError(`inspect needs an image (usage: ${USAGE})`, 'USAGE');
  const { input, opts } = withTransport(positionals[0], await sourceOptionsFrom(values));
  const reader = values.demo ? await openDemo() : await openReader(input, opts);
  const { model, load } = await startLoad(reader, { withFindings: false });
  await load;
  const reveal = !!values.reveal;
  await writePieces(values.json ? inspectJson(model, { reveal }) : inspectText(model, reveal));
  return 0;
}

/**
 * One line per layer: `#N  size  +added ~modified -removed  command`, columns aligned over all
 * layers. The command is whole, except on a terminal, where the line is cut to its width.
 */
function* inspectText(model: ImageModel, reveal: boolean): Generator<string> {
  const meta = model.meta!;
  // (The platform and digest are the image's words too: escaped as every other.)
  const platform = meta.platform
    ? ', ' + safeText([meta.platform.os, meta.platform.architecture, meta.platform.variant].filter(Boolean).join('/'))
    : '';
  yield `${safeText(meta.reference)}  (${meta.source}${platform})\n`;
  if (meta.digest) yield `digest ${safeText(meta.digest)}\n`;
  const history = inspectHistory(model, reveal);
  const rows = meta.layers.map((_, i) => {
    const c = changeCounts(model, i);
    const h = historyForLayer(history, i);
    return {
      index: `#${i}`,
      size: formatBytes(model.layers[i]?.size ?? 0),
      added: `+${c.added}`,
      modified: `~${c.modified}`,
      removed: `-${c.removed}`,
      command: safeText(h ? commandLine(h) || '(no command)' : '(no history for this layer)'),
    };
  });
  const width = (key: keyof (typeof rows)[number]) => Math.max(0, ...rows.map((r) => r[key].length));
  const w = {
    index: width('index'),
    size: width('size'),
    added: width('added'),
    modified: width('modified'),
    removed: width('removed'),
  };
  const columns = process.stdout.isTTY ? process.stdout.columns || 80 : Number.POSITIVE_INFINITY;
  for (const r of rows) {
    const line = `${r.index.padEnd(w.index)}  ${r.size.padStart(w.size)}  ${r.added.padEnd(w.added)} ${r.modified.padEnd(w.modified)} ${r.removed.padEnd(w.removed)}  ${r.command}`;
    // (Cut by terminal cells, not UTF-16 units: wide characters take two, a pair is not split.)
    yield (columns === Number.POSITIVE_INFINITY ? line : truncate(line, columns)) + '\n';
  }
}
