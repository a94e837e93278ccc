/**
 * Runs many hostile cases in ONE child process (each through the same code `scan` and `inspect
 * --json` run: open by content, load with the content checks, every check, every report format,
 * the inspect document), so hundreds of cases fit the suite's time budget; a case per process
 * would spend most of it starting Node. Reads the cases from the JSON file given, writes one JSON
 * line per case and, last, its own peak RSS:
 *
 *   node --import tsx test/support/hostile-batch.ts CASES.json
 *
 * A case is `{ id, path, how }`: `how` is 'auto' (a file or directory, opened by content) or
 * 'stdin' (the file fed to the one-pass archive reader, as `docker save | layerlens -` does).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { ImageModel } from '../../src/engine/image.js';
import { LayerlensError } from '../../src/errors/index.js';
import { createContentInspector, runChecks } from '../../src/findings/index.js';
import { packageInventory } from '../../src/findings/packages/index.js';
import { toCycloneDx } from '../../src/report/cyclonedx.js';
import { imageInfo } from '../../src/report/image-info.js';
import { inspectJson } from '../../src/report/inspect.js';
import { toJson } from '../../src/report/json.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { toSarif } from '../../src/report/sarif.js';
import { toTable } from '../../src/report/table.js';
import { openArchiveStream } from '../../src/sources/archive/index.js';
import { openImage } from '../../src/sources/open.js';
import { canonicalDump } from './dump.js';

export interface BatchCase {
  id: string;
  path: string;
  how: 'auto' | 'stdin';
}

export interface BatchResult {
  id: string;
  ms: number;
  /** sha256 of the model's canonical dump, when the case loaded. */
  dump?: string;
  /** The error it ended with. */
  error?: { layerlens: boolean; code?: string; message: string; stack?: string };
}

/** Longer than any case may take: a case still running then is reported as hung. */
const CASE_TIMEOUT_MS = 20_000;

async function runCase(c: BatchCase): Promise<string> {
  const reader =
    c.how === 'stdin'
      ? openArchiveStream(createReadStream(c.path), { reference: 'stdin', label: 'stdin', source: 'archive' })
      : await openImage(c.path, { source: 'auto', pull: false, insecure: false, plainHttp: false });
  const model = new ImageModel();
  try {
    await model.load(reader, { inspectContent: createContentInspector(), concurrency: 2 });
  } finally {
    await reader.close().catch(() => {});
  }
  const findings = runChecks(model, { reference: c.path, now: new Date('2026-01-01T00:00:00Z') });
  const image = imageInfo(model);
  toJson(findings, image);
  toSarif(findings, image);
  toMarkdown(findings, image);
  toTable(findings, image, { color: false, width: 120 });
  toCycloneDx(packageInventory(model), image);
  for (const _ of inspectJson(model)) {
    /* every piece made */
  }
  return createHash('sha256').update(canonicalDump(model)).digest('hex');
}

async function main(): Promise<void> {
  const cases = JSON.parse(readFileSync(process.argv[2], 'utf8')) as BatchCase[];
  for (const c of cases) {
    const t0 = performance.now();
    const r: BatchResult = { id: c.id, ms: 0 };
    let timer: NodeJS.Timeout | undefined;
    try {
      r.dump = await Promise.race([
        runCase(c),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`hung for ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      const e = err as Error;
      r.error = {
        layerlens: err instanceof LayerlensError,
        code: (err as LayerlensError).code,
        message: e?.message ?? String(err),
        ...(err instanceof LayerlensError ? {} : { stack: e?.stack }),
      };
    } finally {
      clearTimeout(timer);
    }
    r.ms = performance.now() - t0;
    process.stdout.write(JSON.stringify(r) + '\n');
  }
  process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

await main();
