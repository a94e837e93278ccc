/**
 * Secret findings over a whole image, for every rule: a finding on a file that a later layer
 * deletes carries the deleting layer, and one on a live file does not; and the scan's per-family
 * statistics (what the report's `secretScan` holds) count the files each family looked at and
 * the reasons of every downgrade.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageModel } from '../../../src/engine/image.js';
import { createContentInspector, runChecks, secretScanSummary } from '../../../src/findings/index.js';
import { RULE_FAMILIES } from '../../../src/findings/secrets/rules.js';
import { toJson } from '../../../src/report/json.js';
import { secretScanLine, toTable } from '../../../src/report/table.js';
import { imageInfo } from '../../../src/report/image-info.js';
import { memoryReader } from '../../../src/sources/memory.js';
import { memoryImage } from '../../support/image.js';
import { CASES } from '../../support/secret-cases.js';

/** Each case's true positive in a file of its own (its own path for credential files), half of them deleted in layer 1. */
async function scanAll() {
  const entries: Array<{ name: string; content: string | Buffer }> = [];
  const whiteouts: Array<{ name: string; content: string }> = [];
  const deleted = new Set<string>();
  CASES.forEach((c, i) => {
    const path = c.path ? c.path.replace(/^\/([^/]+)/, `/case${i}`) : `/app/case${i}/${c.id}.conf`;
    // (Credential files keep their name in a directory of their own; `.aws/config` style paths keep the tail.)
    const name = c.path ? path.slice(1) : path.slice(1);
    entries.push({ name, content: c.tp() });
    if (i % 2 === 1) {
      const slash = name.lastIndexOf('/');
      whiteouts.push({ name: `${name.slice(0, slash)}/.wh.${name.slice(slash + 1)}`, content: '' });
      deleted.add(`/${name}`);
    }
    // A false positive beside it, never deleted.
    entries.push({ name: `app/fp${i}/${(c.fpPath ?? c.path ?? '/x.conf').split('/').pop()}`, content: c.fp() });
  });
  const { meta, blobs } = await memoryImage([{ entries, compress: 'gzip' }, { entries: whiteouts }]);
  const model = new ImageModel();
  const inspector = createContentInspector();
  await model.load(memoryReader(meta, blobs), { inspectContent: inspector });
  const findings = runChecks(model, { reference: 'memory', now: new Date('2026-11-28T00:00:00Z') });
  return { model, inspector, findings, deleted };
}

test('every rule: findings on deleted files carry the deleting layer, findings on live files do not', async () => {
  const { findings, deleted } = await scanAll();
  const secrets = findings.filter((f) => f.category === 'secret');
  const found = new Set<string>();
  for (const f of secrets) {
    if (deleted.has(f.path!)) {
      assert.equal(f.deletedInLayerIndex, 1, `${f.ruleId} ${f.path}`);
      assert.equal(f.layerIndex, 0);
      assert.match(f.message, /deleted in layer 1 — still recoverable from layer 0/);
      assert.equal(f.properties?.removal, 'deleted');
    } else {
      assert.equal(f.deletedInLayerIndex, null, `${f.ruleId} ${f.path}`);
      assert.match(f.message, /present in the final image/);
    }
    if (f.severity !== 'info' && !f.path!.startsWith('/app/fp')) found.add(f.ruleId);
  }
  // Every rule's true positive was found, on deleted and live files alike.
  const missing = CASES.map((c) => c.id).filter((id) => !found.has(id));
  assert.deepEqual(missing, []);
  assert.ok(secrets.filter((f) => f.deletedInLayerIndex === 1).length >= CASES.length / 2 - 1);
});

test('the scan statistics: files each family looked at, matches, and downgrades by reason code', async () => {
  const { model, inspector, findings } = await scanAll();
  const s = secretScanSummary(inspector.secretStats, findings);
  assert.deepEqual(
    s.families.map((f) => f.family),
    [...RULE_FAMILIES],
  );
  // 2 files per case, minus the binary keystore: read as text.
  assert.ok(s.filesScanned >= CASES.length * 2 - 2, `${s.filesScanned} files scanned`);
  assert.ok(s.bytesScanned > 10_000);
  for (const fam of s.families) {
    assert.ok(fam.rules > 0, `${fam.family} has rules`);
    assert.ok(fam.filesLookedAt > 0, `${fam.family} looked at no file`);
    const reported = Object.values(fam.findings).reduce((a, b) => a + b, 0);
    assert.ok(reported > 0, `${fam.family}: no finding`);
    // Every downgraded finding of the family is counted under its reason.
    const down = findings.filter(
      (f) => f.category === 'secret' && f.properties?.family === fam.family && f.properties?.downgradeCode,
    ).length;
    assert.equal(
      Object.values(fam.downgraded).reduce((a, b) => a + (b ?? 0), 0),
      down,
      fam.family,
    );
  }
  // The false positives gave downgrades of several kinds.
  const codes = new Set(s.families.flatMap((f) => Object.keys(f.downgraded)));
  for (const c of ['filler', 'checksum', 'example-marker', 'elided-key', 'test-mode']) assert.ok(codes.has(c), c);
  // In the JSON report and as a line of the table.
  const image = imageInfo(model, { reveal: false });
  const doc = JSON.parse(toJson(findings, image, { secretScan: s }));
  assert.equal(doc.secretScan.filesScanned, s.filesScanned);
  assert.equal(doc.secretScan.families.length, RULE_FAMILIES.length);
  assert.ok(!('secretScan' in JSON.parse(toJson(findings, image))), 'only when given');
  const line = secretScanLine(s);
  assert.match(line, /^Secret scan: [\d,]+ text files read/);
  assert.match(line, /downgraded: .*filler \d+/);
  const table = toTable(findings, image, { secretScan: s }).trimEnd().split('\n');
  assert.equal(table.at(-3), line, 'the line before the summary');
  assert.match(table.at(-1)!, /^\d+ findings: /);
});
