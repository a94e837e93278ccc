/** `layerlens inspect IMAGE [--json]`: the engine's view of an image, for scripts and tests. */
import { dockerfileLine } from '../engine/history.js';
import { inspectDocument } from '../report/inspect.js';
import { parseCommandArgs } from './parse.js';
import { withTransport } from '../sources/options.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { openDemo, openReader, startLoad } from './wiring.js';
import { LayerlensError } from '../errors/index.js';
import { safeText } from '../text/safe-text.js';
import { formatBytes } from '../text/bytes.js';

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
  const doc = inspectDocument(model, { reveal: !!values.reveal });
  if (values.json) {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push(
    `${safeText(doc.image.reference)}  (${doc.image.source}${doc.image.platform ? ', ' + doc.image.platform : ''})`,
  );
  if (doc.image.digest) out.push(`digest ${doc.image.digest}`);
  for (const l of doc.layers) {
    const counts = { added: 0, modified: 0, removed: 0 };
    for (const c of l.changes) counts[c.change]++;
    const cmd = dockerfileLine(l.createdBy ?? undefined) || '<missing history>';
    out.push(
      `#${l.index}  ${formatBytes(l.size ?? 0).padStart(9)}  +${counts.added} ~${counts.modified} -${counts.removed}  ${safeText(cmd).slice(0, 100)}`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
