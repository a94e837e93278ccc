/**
 * The Image panel says what the secret scan read, as the scan table does (one wording:
 * report/table.ts's secretScanCoverage): files read only in part are a gap the explorer's user
 * must see too, with the way to read more. Wired as the CLI wires it (src/cli/explore.ts): the
 * full findings, then the summary of the inspector's counts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import {
  createContentInspector,
  runChecks,
  type SecretScanSummary,
  secretScanSummary,
  sortFindings,
} from '../../src/findings/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { Explorer } from '../../src/ui/explorer.js';
import { Session } from '../../src/ui/session.js';
import { memoryImage } from '../support/image.js';
import { untilShown, VirtualTerminal } from '../support/vt.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

const until = untilShown;

/** An image of two text files (one past `limit`) and a binary, loaded and shown with the Image panel open. */
async function shown(limit: number, bigText: number) {
  const words = (n: number) => Array.from({ length: n }, (_, i) => `line ${i} of plain text`).join('\n');
  const { meta, blobs } = await memoryImage([
    {
      entries: [
        { name: 'etc/motd', content: 'hello\n' },
        { name: 'srv/big.txt', content: words(bigText) },
        { name: 'usr/bin/tool', content: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), randomBytes(4000)]) },
      ],
      compress: 'gzip',
    },
  ]);
  const model = new ImageModel();
  const inspector = createContentInspector({ maxBytesPerFile: limit });
  await model.load(memoryReader(meta, blobs), { inspectContent: inspector });
  let summary: SecretScanSummary | undefined;
  const term = new VirtualTerminal(200, 45);
  const input = new PassThrough();
  const ex = new Explorer({
    model,
    findings: () => {
      const findings = runChecks(model, { reference: 'test' });
      summary = secretScanSummary(inspector.secretStats, findings);
      return findings;
    },
    sort: sortFindings,
    secretScan: () => summary,
  });
  const session = new Session({ explorer: ex, input, output: term, frameMs: 5, findingsMs: 5 });
  session.start();
  input.write('i');
  await tick();
  return { term, session, summary: () => summary };
}

test('the Image panel counts the files the secret scan read only in part, and says how to read more', async () => {
  const { term, session, summary } = await shown(4_000, 2_000);
  try {
    const s = await until(term, /Secret scan/);
    assert.equal(summary()?.truncated, 1);
    // (The line wraps in the panel: its two parts.)
    assert.match(
      s,
      /Secret scan +2 text files read, 1 read only in part \(their first 4\.0 kB: layerlens scan --secret-scan-limit/,
    );
    assert.match(s, /│ +reads more\), 1 skipped \(binary or by name\)/);
  } finally {
    session.stop();
  }
});

test('a scan that read every file whole says so without the gap', async () => {
  const { term, session } = await shown(2_000_000, 2_000);
  try {
    const s = await until(term, /Secret scan/);
    assert.match(s, /Secret scan +2 text files read, 1 skipped \(binary or by name\)/);
    assert.doesNotMatch(s, /read only in part/);
  } finally {
    session.stop();
  }
});
