#!/usr/bin/env node
/**
 * layerlens command line: argument parsing and dispatch only. Every failure ends as one line on
 * stderr and a non-zero exit code; stack traces only with LAYERLENS_DEBUG=1.
 */
import './v8-tuning.js'; // (first: V8 settings before any other module is evaluated)
import './early-start.js'; // (second: a worker thread that boots while the modules below load)
import { parseArgs } from 'node:util';
import { LayerlensError } from '../errors/index.js';
import { crashMessage, die, errorMessage } from './errors.js';
import { exitQuietlyOnClosedOutput, isClosedOutput, outputClosed } from './stdout.js';
import { watchHeap } from '../engine/memory-guard.js';
import { releaseStreamHash } from '../engine/stream-hash.js';
import { releaseHashWorker } from '../sources/file-hash-worker.js';
import { toolVersion } from '../report/tool.js';

/** The command is over: a layer still being hashed (after an error) must not keep us running. */
function releaseWorkers(): void {
  releaseHashWorker();
  releaseStreamHash();
}

// A reader that closes the pipe early (`| head`) ends any command quietly (status 141).
exitQuietlyOnClosedOutput(releaseWorkers);
// The last resort: an error thrown where nothing catches it (a timer of the explorer, a stream
// callback) still ends as one plain line and status 2, after the terminal is put back; never as
// Node's stack trace over the explorer's screen.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (err: unknown) => (isClosedOutput(err) ? outputClosed() : die(crashMessage(err), err)));

const HELP = `layerlens — explore a container image layer by layer, with a security eye

Usage:
  layerlens [options] IMAGE            open the explorer (TUI)
  layerlens [options] OLD NEW          compare two images in the explorer
  layerlens --demo                     open the built-in demo image (no network, no Docker)
  layerlens inspect IMAGE [--json]     layers and their exact change sets
  layerlens scan IMAGE [options]       every security check, no UI (see layerlens scan --help)
  layerlens extract IMAGE PATH         one file's bytes, deleted ones too (see layerlens extract --help)
  layerlens diff OLD NEW [options]     what changed: layers, files, packages, config, findings (see layerlens diff --help)
  layerlens shared IMAGE IMAGE…        the layers and bytes several images share
  layerlens registry audit URL         a registry's security posture (see layerlens registry audit --help)
  layerlens db update|status           the offline OSV vulnerability database (see layerlens db --help)

IMAGE is a reference (nginx:stable, host:5000/ns/app@sha256:…), a docker save or OCI archive
(.tar, .tar.gz), an OCI layout directory (DIR or DIR:tag), - for an archive on stdin
(docker save app | layerlens -), or a skopeo-style name: docker://REF, docker-daemon:REF,
docker-archive:PATH, oci:DIR[:tag], oci-archive:PATH[:tag], containers-storage:REF.

Options:
  -h, --help          this help
  -V, --version       print the version
  --demo              open the built-in demo image
  --no-mouse          leave the mouse to the terminal (its own text selection) instead of clicks
  --db DIR            the vulnerability database for the Vulnerabilities panel (default: layerlens's,
                      else osv-scanner's offline cache); --db-max-age DAYS (default 7)
  --source, --platform, --pull, registry login and TLS: see layerlens scan --help
`;

/** The version layerlens reports everywhere (reports, SARIF, --version): src/report/tool.ts. */
export function version(): string {
  return toolVersion();
}

async function main(argv: string[]): Promise<number> {
  // The heap is watched for the whole command, not only while an image loads: the checks, a
  // comparison and the explorer's work after the load grow it too, and past V8's own bound the
  // process aborts with a native stack trace (memory-guard.ts). Never released: the process ends
  // with the command.
  watchHeap();
  const first = argv.find((a) => !a.startsWith('-'));
  const firstIndex = first === undefined ? -1 : argv.indexOf(first);
  // A subcommand is only recognised as the first word, so an image may still be called "scan"
  // by writing it with a tag or registry (scan:latest).
  if (firstIndex === 0) {
    switch (first) {
      case 'inspect':
        return (await import('./inspect.js')).runInspect(argv.slice(1));
      case 'scan':
        return (await import('./scan.js')).runScan(argv.slice(1));
      case 'extract':
        return (await import('./extract.js')).runExtract(argv.slice(1));
      case 'diff':
        return (await import('./diff.js')).runDiff(argv.slice(1), 'diff');
      case 'shared':
        return (await import('./diff.js')).runDiff(argv.slice(1), 'shared');
      case 'registry':
        if (argv[1] === 'audit') return (await import('./registry-audit.js')).runRegistryAudit(argv.slice(2));
        throw new LayerlensError(
          `unknown command "registry ${argv[1] ?? ''}": did you mean "registry audit URL"?`,
          'USAGE',
        );
      case 'db':
        return (await import('./db.js')).runDb(argv.slice(1));
      case 'explore':
        return (await import('./explore.js')).runExplore(argv.slice(1));
    }
  }
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
    strict: false,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`layerlens ${version()}\n`);
    return 0;
  }
  return (await import('./explore.js')).runExplore(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    releaseWorkers();
  },
  (err: unknown) => (isClosedOutput(err) ? outputClosed() : die(errorMessage(err), err)),
);
