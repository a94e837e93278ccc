/**
 * `layerlens scan IMAGE`: the engine plus every check, no UI. Writes a table, JSON, SARIF or
 * Markdown report; exit code 1 when a finding is at or above --fail-on, 0 otherwise, 2 on errors
 * (one line on stderr). Progress goes to stderr, and only when stderr is a terminal.
 */
import { ImageModel } from '../engine/image.js';
import { inSlices } from '../engine/steps.js';
import { LayerlensError } from '../errors/index.js';
import { CHECKING, checkSteps, createContentInspector, secretScanSummary } from '../findings/index.js';
import {
  DIVE_RULES,
  type DiveRule,
  evaluateGate,
  type GateConfig,
  type GateResult,
  gateConfig,
  parseByteSize,
  parseDiveCi,
} from '../findings/dive-ci.js';
import { computeEfficiency } from '../findings/efficiency.js';
import { diveCiReport } from '../report/dive-ci.js';
import { packageInventory } from '../findings/packages/index.js';
import { overviewBlock, vulnerabilityOverview } from '../findings/vulnerabilities/index.js';
import type { Finding } from '../findings/types.js';
import { toCycloneDx } from '../report/cyclonedx.js';
import { imageInfo } from '../report/image-info.js';
import { jsonReportPieces } from '../report/json.js';
import { toMarkdown } from '../report/markdown.js';
import { sarifPieces } from '../report/sarif.js';
import { toTable, type TableOptions } from '../report/table.js';
import { errorLine, errorMessage } from './errors.js';
import { readConfigFile } from './config-file.js';
import { loadIgnore } from './ignore-file.js';
import { vulnerabilityContext } from './vuln-db.js';
import { isClosedOutput, outputClosed, writePieces } from './stdout.js';
import { safeText as escapeText } from '../text/safe-text.js';
import { checkOutputFile, writeFileAtomic, writePiecesAtomic } from './output-file.js';
import { parseCommandArgs, parseMaxAge, parseSeverityFilter } from './parse.js';
import { withTransport } from '../sources/options.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { openDemo, openReader } from './wiring.js';

const USAGE =
  'layerlens scan IMAGE [--format table|json|sarif|markdown|cyclonedx] [--output FILE] [--severity S] [--fail-on S] [--reveal] [--secret-scan-limit SIZE] [--ignore-file F] [--sbom FILE] [--db DIR] [--db-update] [--db-max-age DAYS] [--ci] [--lowestEfficiency R] [--highestWastedBytes B] [--highestUserWastedPercent R] [source options]';

const FORMATS = ['table', 'json', 'sarif', 'markdown', 'cyclonedx'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: ${USAGE}

Runs every check (secrets in all layers including deleted files, config and history, ports,
provenance, permissions, efficiency, OS end of life, known vulnerabilities of the packages found)
and prints a report.

  --format F        table (default), json, sarif, markdown, or cyclonedx (the package
                    inventory as a CycloneDX 1.5 JSON SBOM instead of the findings)
  -o, --output FILE write the report to FILE (replaced atomically) instead of stdout
  --severity S      lowest severity to include: critical, high, medium, low, unknown, info
                    (default: info); or a comma-separated list of exactly those to include, as
                    trivy: high,critical
  --fail-on S       exit 1 when a finding (after the ignore file) is at or above S, or of one of
                    a list of severities (critical,high,unknown). unknown (a vulnerability no
                    advisory rated) ranks below low, as in trivy and grype: --fail-on low does
                    not count it; --fail-on unknown or a list naming it does
  --reveal          show secret values in full (default: first 4 characters and the length)
  --secret-scan-limit SIZE
                    bytes of each file the secret scan reads (16MB, 1GiB…; default 2MB);
                    the report counts the files read only in part
  --ignore-file F   accepted findings (default: ./.layerlensignore when it exists)
  --sbom FILE       also write the package inventory as a CycloneDX 1.5 JSON SBOM
  --db DIR          the OSV vulnerability database (default: layerlens's, else osv-scanner's
                    offline cache; see layerlens db --help); a scan never downloads by itself
  --db-update       update the database (the ecosystems this image needs) before matching
  --db-max-age DAYS warn when the database is older (default 7)
  --demo            scan the built-in demo image (no IMAGE)
  -h, --help        this help

dive's CI gate (the same rules, values and report as \`dive --ci\`; figures computed as dive does):
  --ci                          evaluate it (also on when ./.dive-ci exists or a rule flag is given)
  --no-ci                       do not, even with a ./.dive-ci
  --ci-config FILE              rules from FILE (default ./.dive-ci when it exists)
  --lowestEfficiency R          fail below this efficiency (0-1; default 0.9; or disabled)
  --highestWastedBytes B        fail above this many wasted bytes (20MB, 1GiB…; default disabled)
  --highestUserWastedPercent R  fail above this share of the user layers wasted (0-1; default 0.1)
  The gate's report follows the table (on stderr with another --format or --output).

Exit codes: 0 nothing failed, 1 a finding at or above --fail-on or a failed gate rule, 2 error.

${SOURCE_OPTIONS_HELP}
`;

export async function runScan(argv: string[]): Promise<number> {
  try {
    return await scan(argv);
  } catch (err) {
    if (isClosedOutput(err)) outputClosed();
    // Escaped as every name from an image is (one line, no control characters).
    process.stderr.write(errorLine(errorMessage(err)));
    if (process.env.LAYERLENS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 2;
  }
}

async function scan(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...SOURCE_OPTION_SPEC,
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      severity: { type: 'string' },
      'fail-on': { type: 'string' },
      reveal: { type: 'boolean' },
      'secret-scan-limit': { type: 'string' },
      'ignore-file': { type: 'string' },
      sbom: { type: 'string' },
      db: { type: 'string' },
      'db-update': { type: 'boolean' },
      'db-max-age': { type: 'string' },
      demo: { type: 'boolean' },
      ci: { type: 'boolean' },
      'no-ci': { type: 'boolean' },
      'ci-config': { type: 'string' },
      lowestEfficiency: { type: 'string' },
      highestWastedBytes: { type: 'string' },
      highestUserWastedPercent: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== (values.demo ? 0 : 1))
    throw new LayerlensError(`scan takes one image, got ${positionals.length} (usage: ${USAGE})`, 'USAGE');
  const format = (values.format ?? 'table') as Format;
  if (!FORMATS.includes(format))
    throw new LayerlensError(
      `--format "${escapeText(String(values.format))}": use one of ${FORMATS.join(', ')}`,
      'USAGE',
    );
  const severities = parseSeverityFilter('--severity', values.severity);
  const failOn = values['fail-on'] === undefined ? undefined : parseSeverityFilter('--fail-on', values['fail-on']);
  const reveal = !!values.reveal;
  const scanLimit = parseScanLimit(values['secret-scan-limit']);
  const maxAge = parseMaxAge(values['db-max-age']);
  if (maxAge === undefined)
    throw new LayerlensError(`--db-max-age "${escapeText(String(values['db-max-age']))}": a number of days`, 'USAGE');
  const { input, opts } = withTransport(
    values.demo ? 'demo.example.org/shop/api:1.4' : positionals[0],
    await sourceOptionsFrom(values),
  );
  const tty = !!process.stderr.isTTY;
  const warn = (s: string) => process.stderr.write(`layerlens: warning: ${escapeText(s)}\n`);
  const ignore = await loadIgnore(values['ignore-file'], warn);
  const gateCfg = await loadGate(values);
  if (values.output !== undefined) await checkOutputFile(values.output, '--output');
  if (values.sbom !== undefined) await checkOutputFile(values.sbom, '--sbom');

  opts.log = tty ? (line) => process.stderr.write(escapeText(line) + '\n') : undefined;
  const reader = values.demo ? await openDemo() : await openReader(input, opts);
  const model = new ImageModel();
  if (tty) {
    model.on('layer', (i) => process.stderr.write(`\r\x1b[Kreading layers: ${i + 1}/${model.layers.length}`));
  }
  const inspector = createContentInspector({ reveal, maxBytesPerFile: scanLimit });
  try {
    await model.load(reader, { inspectContent: inspector, concurrency: 2 });
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
    await reader.close().catch(() => {});
  }

  const vulnCtx = await vulnerabilityContext(model, {
    dir: values.db,
    update: !!values['db-update'],
    maxAgeDays: maxAge,
    warn,
  });
  let findings;
  try {
    // (In slices: the heap is checked between them, memory-guard.ts.)
    findings = await inSlices(
      checkSteps(model, { reference: input, reveal, ignore, onWarning: warn, vulnerabilities: vulnCtx }),
      { where: CHECKING },
    );
  } finally {
    vulnCtx.db?.close();
  }
  if (!vulnCtx.db)
    warn('no vulnerability database: packages were not checked for known vulnerabilities (run: layerlens db update)');
  const stale = findings.find((f) => f.ruleId === 'vulnerability-db-stale');
  if (stale) warn(stale.message);
  const shown = findings.filter((f) => severities.shown.has(f.severity));
  const image = imageInfo(model, { reveal });
  const toFile = values.output !== undefined;
  const hidden = { count: findings.length - shown.length, leftOut: severities.leftOut };
  const vulnerabilities = vulnerabilityOverview(findings);
  // What the secret scan looked at, counted over every finding (not only the ones shown).
  const secretScan = secretScanSummary(inspector.secretStats, findings);
  const dive = gateCfg ? computeEfficiency(model).dive : undefined;
  const gate = gateCfg && dive ? evaluateGate(gateCfg, dive) : undefined;
  const color = !toFile && !!process.stdout.isTTY && !process.env.NO_COLOR;
  const report =
    format === 'cyclonedx'
      ? [toCycloneDx(packageInventory(model), image)]
      : render(
          format,
          shown,
          image,
          { color, width: toFile ? undefined : process.stdout.columns, hidden, secretScan, vulnerabilities },
          gate,
        );
  // dive's report after the table on a terminal or pipe; on stderr when stdout holds a document.
  const gateText =
    gate && dive
      ? diveCiReport(dive, gate, {
          color: format === 'table' && !toFile ? color : !!process.stderr.isTTY && !process.env.NO_COLOR,
        })
      : '';
  if (toFile) await writePiecesAtomic(values.output!, report);
  else await writePieces(format === 'table' && gateText ? [...report, `\n${gateText}`] : report);
  if (gateText && (toFile || format !== 'table')) process.stderr.write(gateText);
  if (values.sbom !== undefined) await writeFileAtomic(values.sbom, toCycloneDx(packageInventory(model), image));
  if (failOn) {
    // Vulnerabilities nobody rated do not count for a threshold above them: say so, not silently.
    const unknown = findings.filter((f) => f.severity === 'unknown').length;
    if (unknown && !failOn.shown.has('unknown'))
      warn(
        `${unknown} vulnerabilit${unknown === 1 ? 'y' : 'ies'} of unknown severity (no advisory rated ${unknown === 1 ? 'it' : 'them'}) did not count for --fail-on ${values['fail-on']}; --fail-on unknown, or a list such as critical,high,unknown, counts them`,
      );
    if (findings.some((f) => failOn.shown.has(f.severity))) return 1;
  }
  if (gate && !gate.pass) return 1;
  return 0;
}

/** --secret-scan-limit: a byte size of at least 1 byte (dive's units), or undefined for the default. */
function parseScanLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseByteSize(text);
  if (n === undefined || n < 1 || !Number.isSafeInteger(n))
    throw new LayerlensError(
      `--secret-scan-limit "${escapeText(text)}": a byte size of at least 1 byte (16MB, 512KiB, 1GiB…)`,
      'USAGE',
    );
  return n;
}

/**
 * dive's gate, when asked for: --ci, a rule flag, --ci-config, or a ./.dive-ci file (a repository
 * that has one wants the gate); --no-ci turns it off. Undefined: no gate.
 */
async function loadGate(values: Record<string, string | boolean | undefined>): Promise<GateConfig | undefined> {
  if (values['no-ci']) return undefined;
  const flags: Partial<Record<DiveRule, string>> = {};
  for (const r of DIVE_RULES) if (typeof values[r] === 'string') flags[r] = values[r] as string;
  const named = values['ci-config'] as string | undefined;
  const file = named ?? '.dive-ci';
  const text = await readConfigFile(file, { named: named !== undefined, option: '--ci-config' });
  if (!values.ci && !Object.keys(flags).length && text === undefined) return undefined;
  return gateConfig(flags, text === undefined ? {} : parseDiveCi(text, file));
}

function render(
  format: Exclude<Format, 'cyclonedx'>,
  findings: Finding[],
  image: ReturnType<typeof imageInfo>,
  opts: TableOptions,
  gate: GateResult | undefined,
): Iterable<string> {
  // (JSON and SARIF in pieces: a few hundred thousand findings are more text than one string holds.)
  switch (format) {
    case 'json':
      return jsonReportPieces(findings, image, {
        ...(gate ? { ciGate: gate } : {}),
        secretScan: opts.secretScan,
        ...(opts.vulnerabilities ? { vulnerabilities: overviewBlock(opts.vulnerabilities) } : {}),
      });
    case 'sarif':
      return sarifPieces(findings, image, opts.vulnerabilities);
    case 'markdown':
      return [toMarkdown(findings, image, opts.hidden, opts.vulnerabilities)];
    default:
      return [toTable(findings, image, opts)];
  }
}
