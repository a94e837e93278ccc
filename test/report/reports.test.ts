/** Report writers: the documented JSON shape, SARIF valid against the 2.1.0 schema, safe Markdown and table, CycloneDX 1.5. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageInventory, purlOf } from '../../src/findings/packages/index.js';
import { runChecks } from '../../src/findings/index.js';
import { toCycloneDx } from '../../src/report/cyclonedx.js';
import { imageInfo } from '../../src/report/image-info.js';
import { jsonDocument, jsonReportPieces, renderJson, toJson } from '../../src/report/json.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { pathToUri, sarifDocument, sarifPieces, toSarif } from '../../src/report/sarif.js';
import { toTable } from '../../src/report/table.js';
import { safeJson } from '../../src/text/safe-json.js';
import * as f from '../support/fake-secrets.js';
import { loadImage } from '../support/findings-image.js';
import { validateSarif } from '../support/sarif-validator.js';

async function sample() {
  const tok = `${f.githubToken()}`;
  const argVal = f.alnum(20);
  const model = await loadImage({
    layers: [
      {
        entries: [
          {
            name: 'etc/os-release',
            content:
              'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
          },
          {
            name: 'var/lib/dpkg/status',
            content:
              'Package: libc6\nStatus: install ok installed\nSource: glibc\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\n\nPackage: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
          },
        ],
      },
      {
        entries: [
          { name: 'root/.ssh/id_rsa', content: f.rsaPem() },
          { name: 'srv/\x1b]0;PWNED\x07 name|x`y.txt', content: `t=${tok}\n` },
        ],
      },
      {
        entries: [{ name: 'root/.ssh/.wh.id_rsa', content: '' }],
        createdBy: `|1 BUILD_SECRET=${argVal} /bin/sh -c rm /root/.ssh/id_rsa`,
      },
    ],
    config: { Env: [`API_TOKEN=${f.alnum(30)}`], ExposedPorts: { '22/tcp': {} } },
    source: 'registry',
    digest: 'sha256:' + f.hex(64),
  });
  const findings = runChecks(model, { reference: 'example.org/app:1', now: new Date('2026-11-28T00:00:00Z') });
  return { model, findings, tok, argVal, image: imageInfo(model) };
}

test('JSON: schemaVersion 1 shape, documented fields, masked secrets and history', async () => {
  const { findings, image, tok, argVal } = await sample();
  const text = toJson(findings, image);
  assert.ok(!text.includes(tok) && !text.includes(argVal), 'no secret in full');
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc), ['schemaVersion', 'tool', 'image', 'findings', 'summary']);
  assert.equal(doc.schemaVersion, 1);
  assert.deepEqual(Object.keys(doc.tool), ['name', 'version']);
  assert.deepEqual(Object.keys(doc.image), [
    'reference',
    'source',
    'digest',
    'configDigest',
    'platform',
    'user',
    'exposedPorts',
    'layers',
  ]);
  assert.deepEqual(doc.image.exposedPorts, ['22/tcp']);
  assert.deepEqual(Object.keys(doc.image.layers[0]), [
    'index',
    'digest',
    'diffId',
    'size',
    'compressedSize',
    'createdBy',
    'emptyLayer',
  ]);
  assert.equal(doc.image.layers.length, 3);
  assert.equal(typeof doc.image.layers[0].size, 'number');
  assert.match(doc.image.layers[2].createdBy, /BUILD_SECRET=.{4}…\(20 chars\)/);
  const keys = [
    'id',
    'ruleId',
    'category',
    'severity',
    'title',
    'message',
    'path',
    'layerIndex',
    'layerDigest',
    'deletedInLayerIndex',
    'key',
    'line',
    'evidence',
    'remediation',
  ];
  for (const fi of doc.findings) {
    assert.deepEqual(
      Object.keys(fi).filter((k) => k !== 'properties'),
      keys,
    );
    assert.ok(fi.path === null || fi.path.startsWith('/'));
  }
  const del = doc.findings.find((x: { ruleId: string }) => x.ruleId === 'secret-private-key');
  assert.equal(del.layerIndex, 1);
  assert.equal(del.deletedInLayerIndex, 2);
  assert.match(del.layerDigest, /^sha256:[0-9a-f]{64}$/);
  const sum = doc.summary;
  assert.deepEqual(Object.keys(sum), ['critical', 'high', 'medium', 'low', 'unknown', 'info']);
  assert.equal(
    Object.values(sum as Record<string, number>).reduce((a, b) => a + b, 0),
    findings.length,
  );
  // The explorer's export entry point writes the same document from metadata alone.
  assert.equal(JSON.parse(renderJson({ findings, image })).findings.length, findings.length);
});

test('SARIF: valid against the SARIF 2.1.0 JSON schema; rules with help and security-severity; stable fingerprints', async () => {
  const { findings, image, tok } = await sample();
  const text = toSarif(findings, image);
  assert.ok(!text.includes(tok));
  const doc = JSON.parse(text);
  assert.deepEqual(validateSarif(doc), []);
  const run = doc.runs[0];
  const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
  assert.equal(new Set(ruleIds).size, ruleIds.length, 'one rule per ruleId');
  for (const r of run.tool.driver.rules) {
    assert.ok(r.help.text.length > 0);
    assert.match(r.properties['security-severity'], /^\d+\.\d$/);
  }
  const key = run.results.find((r: { ruleId: string }) => r.ruleId === 'secret-private-key');
  assert.equal(key.locations[0].physicalLocation.artifactLocation.uri, 'root/.ssh/id_rsa');
  assert.equal(key.locations[0].physicalLocation.artifactLocation.uriBaseId, 'IMAGEROOT');
  assert.equal(key.properties.layerIndex, 1);
  assert.equal(key.properties.deletedInLayerIndex, 2);
  assert.match(key.properties.layerDigest, /^sha256:/);
  assert.equal(key.level, 'error');
  assert.equal(run.tool.driver.rules[key.ruleIndex].properties['security-severity'], '9.5');
  const fp = key.partialFingerprints['layerlensFindingId/v1'];
  assert.equal(fp, findings.find((x) => x.ruleId === 'secret-private-key')!.id);
  // A hostile file name becomes a valid, escaped URI.
  const odd = run.results.find(
    (r: { ruleId: string; locations: Array<{ physicalLocation?: unknown }> }) => r.ruleId === 'secret-github-pat',
  );
  assert.equal(odd.locations[0].physicalLocation.artifactLocation.uri, pathToUri('/srv/\x1b]0;PWNED\x07 name|x`y.txt'));
  assert.ok(!odd.locations[0].physicalLocation.artifactLocation.uri.includes('\x1b'));
  // Image-level findings are located logically (no path).
  const env = run.results.find((r: { ruleId: string }) => r.ruleId === 'config-env-secret');
  assert.equal(env.locations[0].logicalLocations[0].name, image.reference);
});

test('Markdown and table: summary, severities, and no raw control characters or markup from the image', async () => {
  const { findings, image, tok } = await sample();
  const md = toMarkdown(findings, image);
  assert.ok(md.startsWith(`# layerlens report: ${image.reference}`));
  assert.match(md, /\| Critical \| \d+ \|/);
  assert.match(md, /### Critical \(\d+\)/);
  assert.match(md, /\*\*Remediation:\*\*/);
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(md), 'no control characters');
  assert.ok(!md.includes(tok));
  assert.ok(md.includes('\\e]0;PWNED\\x07'), 'escape sequence shown escaped');
  const plain = toTable(findings, image, { color: false, width: 200 });
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(plain.replace(/\n/g, '')), 'no control characters without colour');
  assert.match(plain, /CRITICAL\s+secret-private-key\s+1→2\s+\/root\/\.ssh\/id_rsa:1/);
  assert.match(plain, /\d+ findings: \d+ critical, \d+ high/);
  const colored = toTable(findings, image, { color: true, width: 200 });
  assert.ok(colored.includes('\x1b[1;97;41m'), 'colour when asked');
  assert.ok(!colored.includes('\x1b]0;'), 'but never the image escape');
});

test("table: cut to a terminal's width; whole values without one (a file, a pipe, a CI log), in aligned columns", async () => {
  const { findings, image } = await sample();
  const deep = '/srv/' + 'very-long-directory-name/'.repeat(8) + 'settings.env';
  const long = [...findings, { ...findings[0], id: 'x', path: deep, title: 'T'.repeat(150) }];
  const fitted = toTable(long, image, { width: 100 });
  for (const line of fitted.split('\n')) assert.ok([...line].length <= 100, `over 100 columns: ${line}`);
  const cutRow = fitted.split('\n').find((l) => l.includes('/srv/very-long'))!;
  assert.match(cutRow, /…\s+T+…$/, 'the path and the title cut with an ellipsis');
  assert.ok(!fitted.includes(deep));
  const whole = toTable(long, image, {});
  const row = whole.split('\n').find((l) => l.includes(deep))!;
  assert.ok(row.includes('T'.repeat(150)), 'title whole');
  // Columns line up: every finding's title starts where the header's FINDING does.
  const lines = whole.split('\n');
  const header = lines.find((l) => l.startsWith('SEVERITY'))!;
  const col = header.indexOf('FINDING');
  const rows = lines.slice(lines.indexOf(header) + 1).filter((l) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) /.test(l));
  assert.equal(rows.length, long.length);
  for (const r of rows) {
    assert.equal(r.slice(col - 2, col), '  ', r);
    assert.notEqual(r[col], ' ', r);
  }
});

test('CycloneDX 1.5 SBOM from the dpkg inventory, with purls', async () => {
  const { model, image } = await sample();
  const inv = packageInventory(model);
  const doc = JSON.parse(
    toCycloneDx(inv, image, {
      now: new Date('2026-11-28T10:00:00Z'),
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    }),
  );
  assert.equal(doc.bomFormat, 'CycloneDX');
  assert.equal(doc.specVersion, '1.5');
  assert.equal(doc.version, 1);
  assert.match(doc.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
  assert.equal(doc.metadata.timestamp, '2026-11-28T10:00:00Z');
  assert.equal(doc.metadata.component.type, 'container');
  assert.equal(doc.metadata.tools.components[0].name, 'layerlens');
  const os = doc.components.find((c: { type: string }) => c.type === 'operating-system');
  assert.deepEqual([os.name, os.version], ['debian', '12']);
  const libc = doc.components.find((c: { name: string }) => c.name === 'libc6');
  assert.equal(libc.type, 'library');
  assert.equal(libc.purl, 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc');
  assert.equal(libc['bom-ref'], libc.purl);
  // Where and when: the dpkg database it was read from, the layer that introduced it.
  assert.deepEqual(libc.evidence.occurrences, [{ location: '/var/lib/dpkg/status' }]);
  const prop = (name: string) => libc.properties.find((p: { name: string }) => p.name === name)?.value;
  assert.equal(prop('layerlens:layer-index'), '0');
  assert.equal(prop('layerlens:found-by'), 'os-database');
  assert.equal(prop('layerlens:package-manager'), 'dpkg');
  assert.equal(doc.components.length, 3);
  assert.ok(new Set(doc.components.map((c: { 'bom-ref': string }) => c['bom-ref'])).size === 3, 'bom-refs unique');
  assert.equal(
    purlOf(
      { type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-27.el9', arch: 'x86_64' },
      { id: 'rhel', versionId: '9.4' },
    ),
    'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1',
  );
});

test('severity unknown: its own row in every summary, a warning without security-severity in SARIF, after low in the table', async () => {
  const { testFinding } = await import('../support/finding.js');
  const unrated = testFinding({
    id: 'u1',
    ruleId: 'LAYERLENS-TEST-UNRATED-1',
    category: 'vulnerability',
    severity: 'unknown',
    title: 'layerlens-test-unrated 1.0.0: no score',
    path: '/app/node_modules/layerlens-test-unrated/package.json',
    layerIndex: 1,
    properties: { advisoryUrl: 'https://osv.example.org/LAYERLENS-TEST-UNRATED-1', severity: 'unknown' },
  });
  const low = testFinding({ id: 'l1', severity: 'low', title: 'low one' });
  const info = testFinding({ id: 'i1', severity: 'info', title: 'info one' });
  const fs = [low, unrated, info];
  const image = (await sample()).image;
  const overview = {
    checked: true,
    line: '1 known vulnerability (1 unknown) in 1 package: 0 in the base image (layer 0), 1 in your layers.',
    properties: { vulnerabilities: 1, bySeverity: { unknown: 1 } },
  };
  const json = JSON.parse(toJson(fs, image, { vulnerabilities: { checked: true, summary: overview.line } }));
  assert.deepEqual(json.summary, { critical: 0, high: 0, medium: 0, low: 1, unknown: 1, info: 1 });
  assert.equal(json.vulnerabilities.summary, overview.line);
  const sarif = JSON.parse(toSarif(fs, image, overview));
  assert.deepEqual(validateSarif(sarif), []);
  const run = sarif.runs[0];
  const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'LAYERLENS-TEST-UNRATED-1');
  assert.equal(rule.defaultConfiguration.level, 'warning');
  assert.equal(rule.properties['security-severity'], undefined, 'no made-up score');
  assert.equal(rule.helpUri, 'https://osv.example.org/LAYERLENS-TEST-UNRATED-1');
  assert.equal(rule.shortDescription.text, 'no score', "the advisory's summary, not one package's version");
  const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'LAYERLENS-TEST-UNRATED-1');
  assert.equal(result.level, 'warning');
  assert.equal(result.properties.severity, 'unknown');
  assert.ok(!('security-severity' in result.properties));
  assert.equal(run.properties.vulnerabilities.summary, overview.line);
  const table = toTable(fs, image, { vulnerabilities: overview });
  const rows = table.split('\n').filter((l) => /^(LOW|UNKNOWN|INFO) /.test(l));
  assert.deepEqual(
    rows.map((r) => r.split(/\s+/)[0]),
    ['LOW', 'UNKNOWN', 'INFO'],
    'the order given (the one order puts unknown after low)',
  );
  assert.match(table, /3 findings: 0 critical, 0 high, 0 medium, 1 low, 1 unknown, 1 info/);
  assert.match(table, /\nVulnerabilities: 1 known vulnerability \(1 unknown\)/);
  const md = toMarkdown(fs, image, undefined, overview);
  assert.match(md, /\| Unknown \| 1 \|/);
  assert.match(md, /### Unknown \(1\)/);
  assert.match(md, /\*\*Vulnerabilities:\*\* 1 known vulnerability/);
});

test('JSON and SARIF in pieces: the very text of one JSON.stringify, whatever the image names', async () => {
  const { findings, image } = await sample();
  // Over two pieces (512 findings each); the reference, written before the list, holds the text a
  // fixed placeholder for the list would have been.
  const many = Array.from({ length: 1100 }, (_, i) => findings[i % findings.length]);
  const odd = { ...image, reference: '\u0000findings \u0000results \u202e' };
  for (const [list, img] of [
    [many, odd],
    [findings, image],
    [[], odd],
  ] as const) {
    const json = [...jsonReportPieces([...list], img, { extra: { a: 1 } })];
    assert.equal(json.join(''), `${safeJson(jsonDocument([...list], img, { extra: { a: 1 } }))}\n`);
    assert.equal(toJson([...list], img), `${safeJson(jsonDocument([...list], img))}\n`);
    const sarif = [...sarifPieces([...list], img)];
    assert.equal(sarif.join(''), `${safeJson(sarifDocument([...list], img))}\n`);
    assert.equal(toSarif([...list], img), sarif.join(''));
    if (list.length > 1000) {
      assert.ok(json.length > 3 && sarif.length > 3, 'the lists came in pieces');
      assert.equal(JSON.parse(json.join('')).findings.length, 1100);
      assert.equal(JSON.parse(sarif.join('')).runs[0].results.length, 1100);
      assert.ok(!json.join('').includes('\u202e') && !sarif.join('').includes('\u202e'), 'escaped');
    }
  }
});
