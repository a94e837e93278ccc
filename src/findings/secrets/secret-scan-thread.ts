/**
 * The secret-scanning worker thread (started by remote.ts): reads the records of each block it is
 * named (remote-records.ts) and scans their files as the main thread would, with the job's
 * options: small files in the job's batch (batch.ts), others each with a scanner of its own.
 * Each block is named back once read, with the results found meanwhile (the few files with a
 * match) and the counts; a flush runs the batch and answers once every result is out.
 */
import { workerPort } from '../../engine/worker-thread.js';
import type { InspectedContent } from '../content.js';
import { SecretBatch } from './batch.js';
import { FLAG_BATCH, OPEN, readRecords, WHOLE, DATA } from './remote-records.js';
import type { RemoteResult, ScanIn, ScanOut } from './remote.js';
import { FileSecretScanner, type ScanOptions } from './scanner.js';
import { moveStats, newSecretStats, type SecretScanStats } from './stats.js';

interface Job {
  opts: ScanOptions & { stats: SecretScanStats };
  batch: SecretBatch | undefined;
  /** The open files (streamed in pieces), by id. */
  scanners: Map<number, FileSecretScanner>;
  results: RemoteResult[];
}

/** A batched file's entry: the batch sets its content when it runs, which makes a result. */
class Later {
  constructor(
    private readonly job: Job,
    private readonly id: number,
  ) {}
  set content(c: InspectedContent) {
    this.job.results.push({ id: this.id, secrets: c.secrets });
  }
}

const jobs = new Map<number, Job>();
const blocks: Buffer[] = [];

function scanBlock(job: Job, block: Buffer, length: number): void {
  for (const r of readRecords(block, length)) {
    if (r.kind === WHOLE) {
      if (job.batch && r.flags & FLAG_BATCH) {
        if (job.batch.stage(r.bytes!, 0, r.bytes!.length)) job.batch.queue([r.path], new Later(job, r.id));
      } else {
        const sc = new FileSecretScanner('/' + r.path, job.opts);
        sc.write(r.bytes!);
        done(job, r.id, sc);
      }
    } else if (r.kind === OPEN) job.scanners.set(r.id, new FileSecretScanner('/' + r.path, job.opts));
    else if (r.kind === DATA) job.scanners.get(r.id)?.write(r.bytes!);
    else {
      const sc = job.scanners.get(r.id);
      job.scanners.delete(r.id);
      if (sc) done(job, r.id, sc);
    }
  }
}

function done(job: Job, id: number, sc: FileSecretScanner): void {
  const secrets = sc.end();
  if (secrets || sc.truncated) job.results.push({ id, secrets, truncated: sc.truncated || undefined });
}

/** The job's results and counts since its last message. */
function reply(job: Job, m: ScanOut): ScanOut {
  if (job.results.length) {
    m.results = job.results;
    job.results = [];
  }
  const stats = newSecretStats();
  moveStats(job.opts.stats, stats);
  m.stats = stats;
  return m;
}

const port = workerPort<ScanIn, ScanOut>((m) => {
  if ('start' in m) {
    const opts = { ...m.start, stats: newSecretStats() };
    jobs.set(m.job, { opts, batch: SecretBatch.create(opts), scanners: new Map(), results: [] });
    return;
  }
  const job = jobs.get(m.job)!;
  if ('slot' in m) {
    if (m.block) blocks[m.slot] = Buffer.from(m.block);
    scanBlock(job, blocks[m.slot], m.length);
    port.post(reply(job, { job: m.job, slot: m.slot }));
  } else {
    job.batch?.run();
    port.post(reply(job, { job: m.job, flushed: m.flush }));
  }
});
