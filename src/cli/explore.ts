/** `layerlens [IMAGE]` / `layerlens --demo`: open the explorer on an image as it streams in. */
import { LayerlensError } from '../errors/index.js';
import { parseCommandArgs, parseMaxAge } from './parse.js';
import { withTransport } from '../sources/options.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { openDemo, openReader, startLoad } from './wiring.js';
import { safeText } from '../text/safe-text.js';

const USAGE = 'layerlens [options] IMAGE | layerlens --demo';

const HELP = `Usage: ${USAGE}

  --no-mouse        leave the mouse to the terminal (text selection) instead of clicks and the wheel
  --db DIR          the OSV vulnerability database for the Vulnerabilities panel (default: layerlens's,
                    else osv-scanner's offline cache; see layerlens db --help)
  --db-max-age DAYS say the database is stale when it is older (default 7)
`;

export async function runExplore(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...SOURCE_OPTION_SPEC,
      demo: { type: 'boolean' },
      'no-mouse': { type: 'boolean' },
      db: { type: 'string' },
      'db-max-age': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n${SOURCE_OPTIONS_HELP}\n`);
    return 0;
  }
  const maxAgeDays = parseMaxAge(values['db-max-age']);
  if (maxAgeDays === undefined)
    throw new LayerlensError(`--db-max-age "${safeText(String(values['db-max-age']))}": a number of days`, 'USAGE');
  if (positionals.length > 1)
    throw new LayerlensError(`one image at a time, got ${positionals.length} (usage: ${USAGE})`, 'USAGE');
  if (!values.demo && positionals.length === 0) {
    throw new LayerlensError('name an image (nginx:stable, app.tar, ./oci-dir, -) or try: layerlens --demo', 'USAGE');
  }
  const { input, opts } = withTransport(positionals[0], await sourceOptionsFrom(values));
  const stdinIsData = input === '-';
  // Loaded here, not at startup, so that `inspect` and `scan` never load React.
  const ui = await import('../ui/run.js');
  const can = ui.canRunExplorer({ stdinIsData });
  if (!can.ok) throw new LayerlensError(can.reason, 'NO_TTY');

  const reader = values.demo ? await openDemo() : await openReader(input, opts);
  const { model, load } = await startLoad(reader, { withFindings: true });
  // The explorer shows load errors itself; keep the rejection from crashing the process.
  load.catch(() => {});
  const { earlyFindings, runChecks, sortFindings } = await import('../findings/index.js');
  const reference = () => model.meta?.reference ?? input ?? 'demo';
  const code = await ui.runExplorer({
    model,
    load,
    early: (m) => earlyFindings(m, reference()),
    // The full checks once loaded, with the vulnerability database opened as scan opens it.
    findings: async () => {
      const { vulnerabilityContext } = await import('./vulnerability-db.js');
      const vulnerabilities = await vulnerabilityContext(model, { dir: values.db, maxAgeDays, warn: () => {} });
      try {
        return runChecks(model, { reference: reference(), vulnerabilities });
      } finally {
        vulnerabilities.db?.close();
      }
    },
    sort: sortFindings,
    keysFromTty: stdinIsData,
    title: values.demo ? 'layerlens demo' : input === '-' ? 'stdin' : input,
    mouse: !values['no-mouse'],
  });
  // Quitting while layers still stream must not wait for them (a registry pull, a big archive, a
  // pipe that has not ended): the terminal is already restored and nothing is left to write.
  // (Closing the reader first could itself wait on the pipe.)
  if (!model.done) process.exit(code);
  return code;
}
