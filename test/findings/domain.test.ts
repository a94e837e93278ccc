/**
 * The one findings domain: key names, masking, redaction for display, order, rule-id renames,
 * the early subset and efficiency as layerlens and as dive count it. Real images built in-process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { earlyFindings, runChecks } from '../../src/findings/index.js';
import { applyIgnore, parseIgnoreFile } from '../../src/findings/ignore.js';
import { isSecretKeyName, keyNamesNoSecret } from '../../src/findings/key-names.js';
import { compareFindings, sortFindings } from '../../src/findings/order.js';
import { redactCommand, redactEnv, redactText, redactValue, secretSpans } from '../../src/findings/redact.js';
import { maskSecret, maskSpans, mergeSpans } from '../../src/findings/secrets/mask.js';
import { memoryReader } from '../../src/sources/memory.js';
import * as f from '../support/fake-secrets.js';
import { byRule, check } from '../support/findings-image.js';
import { testFinding } from '../support/finding.js';
import { memoryImage } from '../support/image.js';

test('key names: one definition for ENV, build args, credential files and the generic rule', () => {
  for (const k of ['DB_PASSWORD', 'api-key', 'GITHUB_TOKEN', 'client_secret', 'DB_PASS', 'AUTH_SALT', 'passphrase'])
    assert.ok(isSecretKeyName(k), k);
  for (const k of ['DB_PASSWORD_FILE', 'token_url', 'API_KEY_ID', 'SECRET_NAME', 'PASSWORD_HASH', 'TOKEN_EXPIRES_AT'])
    assert.ok(!isSecretKeyName(k), `${k} names something about a secret, not a secret`);
  for (const k of ['PATH', 'HOME', 'AUTHOR', 'PASSENGER_COUNT']) assert.ok(!isSecretKeyName(k), k);
  assert.ok(keyNamesNoSecret('x.sha256'));
});

test('masking: one visible prefix everywhere, control characters escaped the one way (\\u200b, never \\x200b)', () => {
  assert.equal(maskSecret('ghp_' + 'a'.repeat(36)), 'ghp_…(40 chars)');
  assert.equal(maskSecret('abcdefgh'), 'ab…(8 chars)');
  assert.equal(maskSecret('abcde'), '…(5 chars)');
  assert.equal(maskSecret('\u200bzero-width-token'), '\\u200bzer…(17 chars)');
  assert.equal(maskSecret('abc\u202edef', true), 'abc\\u202edef', 'revealed values are escaped too');
  assert.deepEqual(
    mergeSpans([
      [5, 9],
      [1, 3],
      [8, 12],
      [3, 4],
    ]),
    [
      [1, 4],
      [5, 12],
    ],
  );
  const text = 'a=1\n-----BEGIN X-----\nAAAA\nBBBB\nCCCC\n-----END X-----\n';
  const body = [text.indexOf('AAAA'), text.indexOf('\n-----END')] as [number, number];
  const m = maskSpans(text, [body]);
  assert.equal(m.masked, 1);
  assert.equal(m.text, 'a=1\n-----BEGIN X-----\nAAAA…(12 chars)\n…\n…\n-----END X-----\n', 'line breaks kept');
});

test('redaction for display uses the checks’ own judgement: names, values, files', () => {
  const tok = f.githubToken();
  const pw = f.alnum(18);
  assert.deepEqual(redactValue('DB_PASSWORD', pw), { text: maskSecret(pw), masked: 1 });
  assert.deepEqual(
    redactValue('DB_PASSWORD', '${DB_PASSWORD}'),
    { text: '${DB_PASSWORD}', masked: 0 },
    'a placeholder',
  );
  assert.deepEqual(redactValue('DB_PASSWORD_FILE', '/run/secrets/db'), { text: '/run/secrets/db', masked: 0 });
  assert.equal(redactValue('NOTE', `see ${tok}`).text, `see ${maskSecret(tok)}`, 'a token in any value');
  assert.equal(redactValue('DB_PASSWORD', pw, true).text, pw, 'revealed');
  const url = redactEnv(`DATABASE_URL=mysql://shop:${pw}@db:3306/shop`);
  assert.ok(!url.text.includes(pw));
  assert.match(url.text, /^DATABASE_URL=mysql:\/\/shop:/);
  // Build args in history, through the config check's own redaction.
  const cmd = redactCommand(`|1 DB_PASSWORD=${pw} /bin/sh -c npm ci`);
  assert.ok(!cmd.includes(pw));
  // A credential file's value is masked because of the file it is in (.netrc), not its look.
  const netrc = `machine example.org\n  login deploy\n  password ${pw}\n`;
  assert.ok(!redactText(netrc, '/root/.netrc').text.includes(pw));
  assert.ok(redactText(netrc, '/srv/notes.txt').text.includes(pw), 'the same text elsewhere is not a .netrc');
  // A key block accepted by the private-key rule: the body, from BEGIN to END.
  const key = f.rsaPem();
  const spans = secretSpans(key);
  assert.equal(spans.length, 1);
  assert.equal(key.slice(spans[0][0], spans[0][1]), key.split('\n').slice(1, -2).join('\n'));
  // A key header in documentation (no body): not a secret, nothing masked.
  assert.equal(redactText('Paste your -----BEGIN RSA PRIVATE KEY----- here.').masked, 0);
});

test('one order for every view, whatever order the checks produced', async () => {
  const fs = await check({
    layers: [
      {
        entries: [
          { name: 'a/id_rsa', content: f.rsaPem() },
          { name: 'b/.npmrc', content: `//r/:_authToken=${f.alnum(36)}\n` },
        ],
      },
      { entries: [{ name: 'a/.wh.id_rsa', content: '' }] },
    ],
    config: { ExposedPorts: { '22/tcp': {}, '8080/tcp': {} } },
  });
  const shuffled = [...fs].reverse();
  assert.deepEqual(
    sortFindings(shuffled).map((x) => x.id),
    fs.map((x) => x.id),
  );
  for (let i = 1; i < fs.length; i++) assert.ok(compareFindings(fs[i - 1], fs[i]) <= 0);
  assert.equal(fs[0].severity, 'critical');
});

test('renamed rule ids: an ignore file written for the old id still applies, with a warning', () => {
  const { entries, warnings } = parseIgnoreFile('provenance.unsigned # signed elsewhere\nregistry.plain-http # lab\n');
  assert.deepEqual(
    entries.map((e) => e.ruleId),
    ['provenance-unsigned', 'registry-plain-http'],
  );
  assert.match(warnings[0], /provenance\.unsigned is now called provenance-unsigned/);
  const r = applyIgnore([testFinding({ ruleId: 'provenance-unsigned', category: 'provenance' })], entries);
  assert.equal(r.kept.length, 0);
});

test('early findings follow the layers as they are applied: same ids as the full checks at every step', async () => {
  const key = f.rsaPem();
  const { meta, blobs } = await memoryImage([
    { entries: [{ name: 'bin/sh', content: '#!x\n' }] },
    { entries: [{ name: 'root/.ssh/id_rsa', content: key }] },
    { entries: [{ name: 'root/.ssh/.wh.id_rsa', content: '' }] },
    { entries: [{ name: 'etc/app.conf', content: 'a=1\n' }] },
    { entries: [{ name: 'etc/app.conf', content: 'a=22\n' }] },
  ]);
  meta.config.config = { ExposedPorts: { '3306/tcp': {} } };
  const model = new ImageModel();
  const seen: string[][] = [];
  model.on('layer', () => seen.push(earlyFindings(model).map((x) => `${x.ruleId} ${x.path ?? x.key}`)));
  await model.load(memoryReader(meta, blobs));
  assert.ok(seen[0].includes('port-database 3306/tcp'), 'the port from the metadata before any file finding');
  assert.ok(!seen[1].some((s) => s.startsWith('deleted-file')), 'not deleted yet at layer 1');
  assert.ok(seen[2].includes('deleted-file /root/.ssh/id_rsa'), 'deleted once layer 2 is in');
  assert.ok(seen[4].includes('overwritten-file /etc/app.conf'));
  const full = new Map(runChecks(model, { reference: 'memory' }).map((x) => [x.id, x]));
  for (const e of earlyFindings(model)) assert.equal(full.get(e.id)?.ruleId, e.ruleId, e.ruleId);
});

test('a file re-written by a chmod: the deleted-file message names the layer that first added it; the copy finding the layer that made it', async () => {
  const mtime = new Date(1700000000000);
  const key = f.rsaPem();
  const fs = await check({
    layers: [
      { entries: [{ name: 'bin/sh', content: '#!x\n' }] },
      { entries: [{ name: 'root/.ssh/id_rsa', content: key, mtime }] },
      { entries: [{ name: 'root/.ssh/id_rsa', content: key, mtime, mode: 0o600 }], createdBy: 'RUN chmod 600 id_rsa' },
      { entries: [{ name: 'root/.ssh/.wh.id_rsa', content: '' }] },
      { entries: [{ name: 'opt/big', content: 'x'.repeat(2000), mtime }] },
      { entries: [{ name: 'opt/big', content: 'x'.repeat(2000), mtime, mode: 0o700 }] },
    ],
  });
  const del = byRule(fs, 'deleted-file').find((x) => x.deletedInLayerIndex === 3)!;
  assert.equal(del.layerIndex, 2);
  assert.match(del.message, /was added in layer 1 \(written again in layer 2\) and deleted in layer 3/);
  const copy = byRule(fs, 'efficiency-metadata-only-copy').find((x) => x.path === '/opt/big')!;
  assert.equal(copy.layerIndex, 5, 'the layer whose chmod made the copy');
  assert.equal(copy.properties?.copiedFromLayer, 4);
  assert.match(copy.message, /the 2\.0 kB copy from layer 4 stays in the image/);
  for (const x of fs) assert.doesNotMatch(x.message, /KiB|MiB|GiB/, 'one byte unit: decimal');
});
