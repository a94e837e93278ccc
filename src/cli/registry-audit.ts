/**
 * `layerlens registry audit URL`: argument parsing and output only; the checks live in
 * src/audit. Exit codes as scan: 0, 1 when a finding is at or above --fail-on, 2 on errors.
 */
import { LayerlensError } from '../errors/index.js';
import { severityRank } from '../findings/types.js';
import { auditRegistry } from '../audit/registry-audit.js';
import { auditJson, auditMarkdown, auditTable } from '../audit/report.js';
import { errorLine, errorMessage } from './errors.js';
import { isClosedOutput, outputClosed } from './stdout.js';
import { safeText as escapeText } from '../text/safe-text.js';
import { parseCommandArgs, parseSeverity } from './parse.js';
import { checkOutputFile, writeFileAtomic } from './output-file.js';
import { parseDuration } from './source-options.js';

const USAGE =
  'layerlens registry audit URL [--format table|json|markdown] [--output FILE] [--fail-on S] [--repo NAME] [--insecure] [--ca-file F] [--timeout D]';

const HELP = `Usage: ${USAGE}

Checks a registry's security posture as an anonymous client sees it:
  - does GET /v2/ answer without credentials; which auth scheme (none, Basic, Bearer);
    Basic over plain HTTP means passwords in clear
  - is /v2/_catalog readable anonymously (all Link pages followed; how many repositories leak)
  - plain HTTP or HTTPS; certificate trust, expiry and host name; HTTP→HTTPS redirect
  - can an anonymous client pull a listed repository (or --repo)
  - can it START a push: POST /v2/REPO/blobs/uploads/, then the upload is cancelled with DELETE
    at once, so nothing is written
  - is deletion enabled: a DELETE of a random manifest digest that cannot exist (distribution
    answers 405 UNSUPPORTED when deletion is off, 404 MANIFEST_UNKNOWN when it is on); nothing
    is ever deleted

  URL               https://host[:port], http://host[:port] or host[:port] (HTTPS tried first)
  --format F        table (default), json or markdown
  -o, --output FILE write the report to FILE instead of stdout
  --fail-on S       exit 1 when a finding is at or above S (critical, high, medium, low, info)
  --repo NAME       repository for the pull/push/delete probes (default: the first one listed)
  --insecure        do not verify TLS (certificate problems are still reported)
  --ca-file F       extra CA certificate(s) to trust
  --timeout D       give up on a request after D (30s, 2m, 500ms; default 30s), retries counted in
  -h, --help        this help

Exit codes: 0 no finding at or above --fail-on (or no --fail-on), 1 there is one, 2 error.
`;

const FORMATS = ['table', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

export async function runRegistryAudit(argv: string[]): Promise<number> {
  try {
    return await audit(argv);
  } catch (err) {
    if (isClosedOutput(err)) outputClosed();
    process.stderr.write(errorLine(errorMessage(err)));
    if (process.env.LAYERLENS_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 2;
  }
}

async function audit(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      repo: { type: 'string' },
      insecure: { type: 'boolean' },
      'ca-file': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new LayerlensError(
      `registry audit takes one registry URL, got ${positionals.length} (usage: ${USAGE})`,
      'USAGE',
    );
  const format = (values.format ?? 'table') as Format;
  if (!FORMATS.includes(format))
    throw new LayerlensError(
      `--format "${escapeText(String(values.format))}": use one of ${FORMATS.join(', ')}`,
      'USAGE',
    );
  const failOn = parseSeverity('--fail-on', values['fail-on']);
  const timeoutMs = parseDuration('--timeout', values.timeout);
  if (values.output !== undefined) await checkOutputFile(values.output, '--output');
  const log = process.stderr.isTTY
    ? (line: string) => process.stderr.write(`layerlens: ${escapeText(line)}\n`)
    : undefined;
  const result = await auditRegistry(positionals[0], {
    repository: values.repo,
    insecure: values.insecure,
    caFile: values['ca-file'],
    timeoutMs,
    log,
  });
  const toFile = values.output !== undefined;
  const report =
    format === 'json'
      ? auditJson(result)
      : format === 'markdown'
        ? auditMarkdown(result)
        : auditTable(result, {
            color: !toFile && !!process.stdout.isTTY && !process.env.NO_COLOR,
            width: toFile ? undefined : process.stdout.columns,
          });
  if (toFile) await writeFileAtomic(values.output!, report);
  else process.stdout.write(report);
  if (failOn && result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn!))) return 1;
  return 0;
}
