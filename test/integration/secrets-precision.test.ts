/**
 * Secret detection on ordinary dependency trees, end to end (`layerlens scan` on a `docker save`
 * archive built by the real Docker engine): the node_modules of popular npm packages installed
 * from the npm registry and Python, Perl, Ruby and Go libraries as Debian ships them, on the
 * realistic Debian image.
 * No high or critical secret finding in them, while every rule's generated real-shaped secret,
 * planted in the same image, is found above info, with the deleting layer on the deleted half.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CommandError, integrationEnv, run, which } from '../support/harness.js';
import { ensurePrecisionImage, PUBLISHED_COPIES } from '../support/precision-image.js';
import { realisticSkipReason } from '../support/realistic.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const skip = realisticSkipReason() ?? (which('npm') ? undefined : 'needs npm on PATH');

interface JsonFinding {
  ruleId: string;
  category: string;
  severity: string;
  path: string | null;
  layerIndex: number | null;
  deletedInLayerIndex: number | null;
  line: number | null;
  evidence: string | null;
  message: string;
  properties?: { family?: string; downgradeCode?: string; downgradedBecause?: string };
}

async function scanJson(archive: string): Promise<{ findings: JsonFinding[]; secretScan: Record<string, unknown> }> {
  const ienv = integrationEnv();
  try {
    const r = await run(process.execPath, ['--import', 'tsx', MAIN, 'scan', archive, '--format', 'json'], {
      env: { ...process.env, ...(ienv ? { DOCKER_HOST: ienv.dockerHost } : {}) },
      timeoutMs: 20 * 60_000,
    });
    return JSON.parse(r.stdout);
  } catch (err) {
    if (err instanceof CommandError) assert.fail(`scan failed: ${err.stderr}`);
    throw err;
  }
}

test('dependency trees of popular npm packages and Debian library packages: no high or critical secret; planted ones all found', {
  skip,
  timeout: 90 * 60_000,
}, async () => {
  const img = await ensurePrecisionImage((s) => process.stderr.write(`[precision] ${s}\n`));
  const doc = await scanJson(img.archive);
  const secrets = doc.findings.filter((f) => f.category === 'secret');
  const plantedPaths = new Set(img.planted.map((p) => p.path));
  const inTrees = secrets.filter((f) => !plantedPaths.has(f.path!));
  // The trees were read: thousands of files, and downgrades that say why.
  assert.ok(inTrees.length > 20, `only ${inTrees.length} secret findings in the dependency trees`);
  assert.ok(inTrees.some((f) => f.path!.startsWith('/app/node_modules/')));
  assert.ok(inTrees.some((f) => f.path!.includes('/dist-packages/')));
  assert.ok(inTrees.some((f) => f.path!.startsWith('/usr/share/perl5/')));
  // Published keys, known by their digest, are reported as published (medium) wherever they are:
  // in their package, copied into the app's tree, in a minified bundle that names no module.
  for (const path of [
    '/usr/share/perl5/Mojo/IOLoop/resources/server.key',
    PUBLISHED_COPIES.copy,
    PUBLISHED_COPIES.bundle,
    '/app/node_modules/ssh2/lib/protocol/constants.js',
  ]) {
    const keys = inTrees.filter((f) => f.path === path && f.ruleId === 'secret-private-key');
    assert.deepEqual(
      keys.map((f) => `${f.severity} ${f.properties?.downgradeCode}`),
      ['medium published-key'],
      path,
    );
  }
  const serious = inTrees.filter((f) => f.severity === 'high' || f.severity === 'critical');
  assert.deepEqual(
    serious.map((f) => `${f.severity} ${f.ruleId} ${f.path}:${f.line} ${f.evidence}`),
    [],
  );
  for (const f of inTrees.filter((x) => x.severity === 'info'))
    assert.ok(f.properties?.downgradeCode && f.properties.downgradedBecause, `${f.ruleId} ${f.path}: says why`);

  // Every planted secret: found above info, in the layer that added it, deleted ones marked.
  for (const p of img.planted) {
    const hits = secrets.filter((f) => f.path === p.path && f.ruleId === p.ruleId && f.severity !== 'info');
    assert.ok(hits.length > 0, `${p.ruleId} planted at ${p.path} not found above info`);
    for (const f of hits) {
      assert.equal(f.layerIndex, img.plantLayer, `${p.ruleId}: layer`);
      assert.equal(f.deletedInLayerIndex, p.deletedIn, `${p.ruleId}: deleted in`);
    }
  }
  for (const f of secrets) if (!plantedPaths.has(f.path!)) assert.equal(f.deletedInLayerIndex, null, f.path!);

  // The report says per family what was looked at and why findings were downgraded.
  const scan = doc.secretScan as {
    filesScanned: number;
    families: Array<{ family: string; filesLookedAt: number; downgraded: Record<string, number> }>;
  };
  assert.ok(scan.filesScanned > 20_000, `${scan.filesScanned} files scanned`);
  const generic = scan.families.find((f) => f.family === 'generic')!;
  assert.ok(generic.filesLookedAt > 100);
  const downgraded = scan.families.reduce((n, f) => n + Object.values(f.downgraded).reduce((a, b) => a + b, 0), 0);
  assert.equal(downgraded, secrets.filter((f) => f.properties?.downgradeCode).length);
});
