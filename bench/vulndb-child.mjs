// One measurement of bench/vulndb.ts in a fresh process, in plain JS on the built dist/ (the code
// the CLI runs), so its peak RSS is its own:
//   node bench/vulndb-child.mjs build MIRROR DBDIR ECOSYSTEM…   `db update` from a local mirror
//   node bench/vulndb-child.mjs scan ARCHIVE DBDIR|none          load + every check (+ matching)
// Prints one JSON line; maxRssMB is the process's peak resident set, start-up included: VmHWM of
// /proc/self/status (getrusage's maxRSS is not used: after fork+exec it keeps the parent's peak).
import '../dist/cli/v8-tuning.js'; // (as the CLI: first)
import { readFileSync } from 'node:fs';
import '../dist/cli/early-start.js';
import { vulnerabilityContext } from '../dist/cli/vuln-db.js';
import { ImageModel } from '../dist/engine/image.js';
import { createContentInspector, runChecks } from '../dist/findings/index.js';
import { openImage } from '../dist/sources/open.js';
import { updateDb } from '../dist/vulndb/index.js';

const [mode, a, b, ...rest] = process.argv.slice(2);
const rss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024;
if (mode === 'build') {
  const t0 = performance.now();
  const r = await updateDb({ dir: b, base: a, ecosystems: rest });
  const out = {
    wallSeconds: (performance.now() - t0) / 1000,
    buildSeconds: r.buildSeconds,
    indexBytes: r.indexBytes,
    keys: r.meta.keys,
    records: r.meta.records,
    advisories: Object.fromEntries(Object.entries(r.meta.ecosystems).map(([e, i]) => [e, i.advisories])),
    maxRssMB: rss(),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
} else if (mode === 'scan') {
  const reader = await openImage(a, { source: 'archive', pull: false, insecure: false, plainHttp: false });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const model = new ImageModel();
  await model.load(reader, { inspectContent: createContentInspector(), concurrency: 2 });
  const loaded = performance.now();
  let findings;
  let ctxMs = 0;
  let checksMs;
  if (b === 'none') {
    const c0 = performance.now();
    findings = runChecks(model, { reference: 'bench' });
    checksMs = performance.now() - c0;
  } else {
    // As scan does it: the database opened for the image's packages, matched inside runChecks.
    const m0 = performance.now();
    const ctx = await vulnerabilityContext(model, { dir: b, warn: () => {} });
    const c0 = performance.now();
    ctxMs = c0 - m0;
    try {
      findings = runChecks(model, { reference: 'bench', vulnerabilities: ctx });
    } finally {
      ctx.db?.close();
    }
    checksMs = performance.now() - c0;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await reader.close();
  const vulns = findings.filter((f) => f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-'));
  process.stdout.write(
    JSON.stringify({
      ms,
      loadMs: loaded - t0,
      ctxMs,
      checksMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssMB: rss(),
      findings: findings.length,
      vulnerabilities: vulns.length,
    }) + '\n',
  );
} else {
  process.stderr.write('usage: vulndb-child.mjs build MIRROR DBDIR ECOSYSTEM… | scan ARCHIVE DBDIR|none\n');
  process.exit(2);
}
