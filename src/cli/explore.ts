/** `layerlens [IMAGE]` / `layerlens --demo`: open the explorer on an image as it streams in. */
import { LayerlensError } from '../errors/index.js';
import { parseCommandArgs, parseMaxAge } from './parse.js';
import { withTransport } from '../sources/options.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { openDemo, openReader, startLoad } from './wiring.js';
import type { SecretScanSummary } from '../findings/index.js';
import { safeText } from '../text/safe-text.js';

const USAGE = 'layerlens [options] IMAGE | layerlens [options] OLD NEW | layerlens --demo';

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
  if (positionals.length === 2 && !values.demo) return exploreComparison(positionals, values, maxAgeDays);
  if (positionals.length > 1)
    throw new LayerlensError(
      `one image, or two to compare, got ${positionals.length} (usage: ${USAGE}; layerlens shared IMAGE… for more)`,
      'USAGE',
    );
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
  const { model, load, secretStats } = await startLoad(reader, { withFindings: true });
  // The explorer shows load errors itself; keep the rejection from crashing the process.
  load.catch(() => {});
  const { CHECKING, checkSteps, earlySteps, secretScanSummary, sharedWalkSteps, sortFindings } = await import(
    '../findings/index.js'
  );
  const reference = () => model.meta?.reference ?? input ?? 'demo';
  // What the secret scan read, counted with the full findings (its downgrades are theirs).
  let secretScan: SecretScanSummary | undefined;
  const code = await ui.runExplorer({
    model,
    load,
    early: (m) => earlySteps(m, reference()),
    // The full checks once loaded, with the vulnerability database opened as scan opens it. Their
    // walks over every path run in slices between keys (at two million paths ~0.4 s in all): the
    // shared one first, which the database's package inventory reads.
    findings: async () => {
      const { vulnerabilityContext } = await import('./vuln-db.js');
      await ui.inSlices(sharedWalkSteps(model.tree), { where: CHECKING });
      const vulnerabilities = await vulnerabilityContext(model, { dir: values.db, maxAgeDays, warn: () => {} });
      try {
        const findings = await ui.inSlices(checkSteps(model, { reference: reference(), vulnerabilities }), {
          where: CHECKING,
        });
        if (secretStats) secretScan = secretScanSummary(secretStats, findings);
        return findings;
      } finally {
        vulnerabilities.db?.close();
      }
    },
    sort: sortFindings,
    secretScan: () => secretScan,
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

/**
 * `layerlens OLD NEW`: the explorer's compare view. Both images load together (the layers they
 * share once), then the comparison is made as `layerlens diff` makes it and the tree shows the
 * merged filesystems.
 */
async function exploreComparison(
  positionals: string[],
  values: Record<string, unknown>,
  maxAge: number,
): Promise<number> {
  const base = await sourceOptionsFrom(values);
  const named = positionals.map((p) => withTransport(p, base));
  if (named.filter((n) => n.input === '-').length > 1)
    throw new LayerlensError('only one image can come from stdin (-)', 'USAGE');
  const stdinIsData = named.some((n) => n.input === '-');
  const ui = await import('../ui/run.js');
  const can = ui.canRunExplorer({ stdinIsData });
  if (!can.ok) throw new LayerlensError(can.reason, 'NO_TTY');
  for (const n of named) n.opts.log = undefined;
  const { openAll, compareLoaded } = await import('./diff.js');
  const { loadForComparison } = await import('../findings/compare/load.js');
  const { COMPARING } = await import('../findings/compare/index.js');
  const { createContentInspector, sortFindings } = await import('../findings/index.js');
  const readers = await openAll(named);
  const { models, done } = await loadForComparison(readers, {
    inspector: () => createContentInspector(),
    contentDigests: true,
    label: (i) => `${i === 0 ? 'old' : 'new'} image ${positionals[i]}`,
  });
  done.catch(() => {});
  const notes: string[] = [];
  const code = await ui.runExplorer({
    model: models[1],
    load: done,
    sort: sortFindings,
    keysFromTty: stdinIsData,
    title: `${positionals[0]} → ${positionals[1]}`,
    mouse: !values['no-mouse'],
    compare: {
      old: models[0],
      new: models[1],
      oldTitle: positionals[0] === '-' ? 'stdin' : positionals[0],
      newTitle: positionals[1] === '-' ? 'stdin' : positionals[1],
      notes,
      compare: () =>
        compareLoaded(models, positionals, {
          ignore: [],
          warn: (s) => notes.push(s),
          db: { dir: values.db as string | undefined, update: false, maxAge },
          run: (steps) => ui.inSlices(steps, { where: COMPARING }),
        }),
    },
  });
  if (models.some((m) => !m.done)) process.exit(code);
  return code;
}
