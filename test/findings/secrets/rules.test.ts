/**
 * Every secret rule and credential-file parser: a true positive and a false positive, on values
 * generated at run time (test/support/secret-cases.ts). A false positive may still be reported as
 * info (downgraded with a reason), never at low or above.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { CREDENTIAL_FILE_RULES } from '../../../src/findings/secrets/credential-files.js';
import { SECRET_RULES } from '../../../src/findings/secrets/rules.js';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';
import { assertMatchesHoldHits } from '../../support/keyword-hits.js';
import { CASES } from '../../support/secret-cases.js';

const SERIOUS = new Set(['critical', 'high', 'medium', 'low']);

test('every rule has a true-positive and a false-positive case (at least 200 rules)', () => {
  const all = [...SECRET_RULES.map((r) => r.id), ...CREDENTIAL_FILE_RULES.map((r) => r.id)];
  assert.ok(SECRET_RULES.length >= 200, `only ${SECRET_RULES.length} pattern rules`);
  assert.deepEqual(new Set(CASES.map((c) => c.id)), new Set(all));
  assert.equal(new Set(all).size, all.length, 'rule ids are unique');
});

for (const c of CASES) {
  test(`${c.id}: true positive`, () => {
    const ms = scanFile(c.path ?? '/app/config.txt', c.tp());
    const hit = ms.find((m) => m.ruleId === c.id);
    assert.ok(hit, `no ${c.id} match; got ${JSON.stringify(ms.map((m) => m.ruleId))}`);
    assert.notEqual(hit.severity, 'info', `${c.id} was downgraded: ${hit.reason}`);
    assert.ok(hit.evidence.length > 0 && hit.remediation.length > 0);
  });
  test(`${c.id}: false positive is not reported above info`, () => {
    const ms = scanFile(c.fpPath ?? c.path ?? '/app/config.txt', c.fp());
    const bad = ms.filter((m) => m.ruleId === c.id && SERIOUS.has(m.severity));
    assert.deepEqual(bad, [], `unexpected: ${JSON.stringify(bad)}`);
    for (const m of ms.filter((m) => m.ruleId === c.id)) assert.ok(m.reason, 'a downgraded match says why');
  });
}

test('key names that say the value is not the secret: the word list agrees with the pattern it replaced', async () => {
  const { keyNamesNoSecret } = await import('../../../src/findings/secrets/rules.js');
  // The earlier regex, kept here as the reference.
  const re =
    /(?:^|[_.-])(?:file|path|dir|url|uri|endpoint|name|len|length|size|type|mode|header|field|param|prefix|suffix|format|policy|timeout|expires?|expiry|expiration|ttl|env|var|hash|hashed|regex|pattern|count|min|max|id|ids|enabled|required|reset|prompt|label|hint|placeholder|validator|command|cmd|helper|store|manager|class|method|algorithm|algo|kind|version|storage|location|source|key_?id|index|limit|level|policy|rules?|fn|func|callback|handler)$/i;
  const words = [
    'password',
    'db',
    'secret',
    'token',
    'api',
    'key',
    'id',
    'keyid',
    'File',
    'URL',
    'expires',
    'expire',
    'rules',
    'rule',
    'x',
    'Name',
    'ids',
    'idx',
    'filename',
    'passwd',
    'handlers',
    'KIND',
    '',
  ];
  const seps = ['_', '.', '-', ''];
  let excluded = 0;
  for (let i = 0; i < 5000; i++) {
    let key = '';
    for (let n = randomInt(1, 5); n > 0; n--)
      key += words[randomInt(words.length)] + (n > 1 ? seps[randomInt(seps.length)] : '');
    assert.equal(keyNamesNoSecret(key), re.test(key), key);
    if (re.test(key)) excluded++;
  }
  assert.ok(excluded > 500 && excluded < 4500, `${excluded} of 5000 excluded: both sides exercised`);
});

test('key-name rules find every spelling their pattern allows (generic, AWS), and quoted Authorization headers are found', () => {
  // The pattern's key alternatives, written out: passw(or)d, pwd, secret, token, credential(s),
  // and api / access / auth / private + key, joined by nothing, _ or -.
  const spellings = ['passwd', 'password', 'pwd', 'secret', 'token', 'credential', 'credentials'];
  for (const w of ['api', 'access', 'auth', 'private']) for (const j of ['', '_', '-']) spellings.push(`${w}${j}key`);
  // (A digit before a lower-case letter inside the value: one random value of 18 in ~5,000 reads
  // as a camelCase name, `veBytxyVygy2KffXsj`, which the rule rightly takes for code.)
  const value = () => `${f.alnum(8)}7q${f.alnum(8)}`;
  for (const w of spellings) {
    for (const line of [`${w} = "${value()}"`, `"${w.toUpperCase()}": "${value()}"`, `db.${w}=${value()}`]) {
      const ms = scanFile('/app/config.txt', line + '\n').filter((m) => m.ruleId === 'secret-generic-assignment');
      assert.equal(ms.length, 1, `${line}: ${JSON.stringify(ms)}`);
    }
  }
  // The AWS rules' key names, every spelling: aws_?secret_?(access_?)?key, secret_?access_?key,
  // aws_?(session|security)_?token.
  const opt = (a: string, b: string) => [a + b, a + '_' + b];
  const awsKeys = [
    ...opt('aws', 'secret').flatMap((x) => [...opt(x, 'key'), ...opt(x, 'access').flatMap((y) => opt(y, 'key'))]),
    ...opt('secret', 'access').flatMap((y) => opt(y, 'key')),
  ];
  for (const w of awsKeys) {
    const ms = scanFile(
      '/app/deploy.sh',
      `export ${w.toUpperCase()}=${f.b64(40).replace(/[^A-Za-z0-9/+]/g, 'A')}\n`,
    ).filter((m) => m.ruleId === 'secret-aws-secret-access-key');
    assert.equal(ms.length, 1, w);
  }
  for (const w of ['session', 'security'].flatMap((x) => opt('aws', x).flatMap((y) => opt(y, 'token')))) {
    const ms = scanFile('/app/deploy.sh', `${w}=${f.b64(180).replace(/[^A-Za-z0-9/+=]/g, 'A')}\n`).filter(
      (m) => m.ruleId === 'secret-aws-session-token',
    );
    assert.equal(ms.length, 1, w);
  }
  for (const line of [
    `{"Authorization": "Bearer ${f.urlsafe(40)}"}`,
    `headers = {'Authorization': 'Basic ${f.b64(32)}'}`,
    `Authorization: token ${f.alnum(40)}`,
  ]) {
    const ms = scanFile('/app/client.py', line + '\n').filter((m) => m.ruleId === 'secret-authorization-header');
    assert.equal(ms.length, 1, line);
  }
});

test("what follows a keyword: every match of a pattern keeps a hit of its rule's keywords", async () => {
  // The prefilter drops keyword hits that what follows rules out (SecretRule.follows). On random
  // lines built from each such rule's true positive, pieces of it, its keywords in any case and
  // the bytes the follow tests look at, every match of the pattern must still hold a kept hit of
  // one of the rule's keywords (so its line reaches the rule), in both prefilter loops.
  const { KEYWORD_LIST } = await import('../../../src/findings/secrets/keyword-tables.js');
  const { scanKeywordsJs, scanKeywordsWasm } = await import('../../../src/findings/secrets/keywords.js');
  const rules = SECRET_RULES.filter((r) => r.follows);
  assert.ok(rules.length >= 8, `${rules.length} rules say what follows their keywords`);
  const seps = [
    ' ',
    '  ',
    '\t',
    '"',
    "'",
    ':',
    '=',
    ' = ',
    ': ',
    ':=',
    '=>',
    '@',
    '/',
    '//',
    '-u ',
    '--user=',
    '.',
    '_',
    '-',
    '<',
    '>',
    '\xa0',
    '\r',
  ];
  let matches = 0;
  let dropped = 0;
  for (const rule of rules) {
    const c = CASES.find((x) => x.id === rule.id)!;
    const kws = rule.keywords.map((k) => KEYWORD_LIST.indexOf(k));
    let ruleMatches = 0;
    for (let i = 0; i < 1500; i++) {
      const tp = String(c.tp()).split('\n')[0];
      let line = '';
      while (line.length < 160) {
        const r = randomInt(9);
        if (r === 0 || r === 8) line += tp;
        else if (r === 1) line += tp.slice(randomInt(tp.length), randomInt(tp.length + 1));
        else if (r === 2) {
          const k = rule.keywords[randomInt(rule.keywords.length)];
          line += randomInt(2) ? k : k.toUpperCase();
        } else if (r === 3) line += seps[randomInt(seps.length)];
        else if (r === 4) line += f.alnum(randomInt(1, 40));
        else if (r === 5) line += f.upperAlnum(randomInt(1, 40));
        else line += f.urlsafe(randomInt(1, 30));
      }
      const buf = Buffer.from(line, 'latin1');
      const kept = scanKeywordsJs(buf);
      if (scanKeywordsWasm)
        assert.deepEqual(scanKeywordsWasm(buf), kept, `wasm and js differ on ${JSON.stringify(line)}`);
      dropped += scanKeywordsJs(buf, 0, buf.length, true).positions.length - kept.positions.length;
      ruleMatches += assertMatchesHoldHits(rule, kws, line, kept);
    }
    assert.ok(ruleMatches > 50, `${rule.id}: only ${ruleMatches} matches: the lines do not exercise it`);
    matches += ruleMatches;
  }
  assert.ok(dropped > 1000, `the follow tests dropped only ${dropped} hits: they are not exercised`);
  assert.ok(matches > 0);
});

test('batched scanning of small files finds exactly what scanning each file alone finds', async () => {
  const { ImageModel } = await import('../../../src/engine/image.js');
  const { createContentInspector, runChecks } = await import('../../../src/findings/index.js');
  const { memoryReader } = await import('../../../src/sources/memory.js');
  const { memoryImage } = await import('../../support/image.js');
  // Every rule's true and false positive, each in a file of its own, between filler files sized so
  // that gzip's 1 MiB output chunks cut some files in two (those are scanned on their own).
  const entries: Array<{ name: string; content: string | Buffer }> = [];
  let n = 0;
  for (const c of CASES) {
    for (const [kind, make, path] of [
      ['tp', c.tp, c.path],
      ['fp', c.fp, c.fpPath ?? c.path],
    ] as const) {
      entries.push({ name: (path ?? `/app/${c.id}-${kind}.txt`).slice(1), content: make() });
      entries.push({ name: `srv/filler/${n++}.txt`, content: f.lowerAlpha(randomInt(1, 60_000)) + '\n' });
    }
  }
  // Keyword-bearing lines split by a chunk edge, a binary file, a file past the batch size limit.
  entries.push({
    name: 'srv/bin/tool',
    content: Buffer.concat([Buffer.from('\x7fELF\0\0'), Buffer.from(`token = ${f.alnum(32)}`)]),
  });
  entries.push({ name: 'srv/big.conf', content: `${f.lowerAlpha(300_000)}\npassword = ${f.alnum(20)}x9\n` });
  // The binary test reads the first 8 KiB: a NUL just inside makes a file binary (skipped), one
  // just past it does not.
  const lateNul = `api_key = ${f.alnum(28)}Q7\n${f.lowerAlpha(8_200)}`;
  entries.push({
    name: 'srv/late-nul.txt',
    content: Buffer.concat([Buffer.from(lateNul.slice(0, 8_192)), Buffer.from([0]), Buffer.from(lateNul.slice(8_192))]),
  });
  entries.push({
    name: 'srv/early-nul.txt',
    content: Buffer.concat([Buffer.from(lateNul.slice(0, 8_191)), Buffer.from([0]), Buffer.from(lateNul.slice(8_191))]),
  });
  const run = async (batch: boolean) => {
    const { meta, blobs } = await memoryImage([{ entries, compress: 'gzip' }]);
    const model = new ImageModel();
    await model.load(memoryReader(meta, blobs), { inspectContent: createContentInspector({ batch }) });
    return runChecks(model, { reference: 'memory', now: new Date('2026-11-28T00:00:00Z') }).filter(
      (x) => x.category === 'secret',
    );
  };
  const [batched, alone] = [await run(true), await run(false)];
  assert.ok(alone.length >= CASES.length, `only ${alone.length} secret findings`);
  assert.ok(
    batched.some((x) => x.path === '/srv/late-nul.txt'),
    'a NUL past 8 KiB is text',
  );
  assert.ok(!batched.some((x) => x.path === '/srv/early-nul.txt'), 'a NUL in the first 8 KiB is binary');
  assert.deepEqual(
    batched.map((x) => [x.path, x.ruleId, x.line, x.severity, x.evidence]),
    alone.map((x) => [x.path, x.ruleId, x.line, x.severity, x.evidence]),
  );
});

test("the README's and docs/reports.md's rule counts are the code's", async () => {
  const { readFileSync } = await import('node:fs');
  const { RULE_FAMILIES } = await import('../../../src/findings/secrets/rules.js');
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const m = readme.match(
    /\*\*secret\*\*: (\d+) pattern rules in (\d+) families[\s\S]*?and (\d+) credential-file parsers/,
  );
  assert.ok(m, 'README states the counts');
  assert.equal(Number(m[1]), SECRET_RULES.length);
  assert.equal(Number(m[2]), RULE_FAMILIES.length - 1); // (credential files are a family of their own)
  assert.equal(Number(m[3]), CREDENTIAL_FILE_RULES.length);
  const reports = readFileSync(new URL('../../../docs/reports.md', import.meta.url), 'utf8');
  const r = reports.match(/`secret` \(`secret-\*`: (\d+) format rules and (\d+) credential-file/);
  assert.ok(r, 'docs/reports.md states the counts');
  assert.deepEqual([Number(r[1]), Number(r[2])], [SECRET_RULES.length, CREDENTIAL_FILE_RULES.length]);
  for (const fam of RULE_FAMILIES) assert.ok(reports.includes(`\`${fam}\``), `docs/reports.md names the family ${fam}`);
});

test("gitleaks' formats: the rules added for them find the format and not its near misses", () => {
  const found = (line: string, id: string) =>
    scanFile('/app/config.txt', line + '\n').filter((m) => m.ruleId === id && SERIOUS.has(m.severity));
  const jwtB64 = () => Buffer.from(f.jwt()).toString('base64');
  const harness = (kind: string) => `${kind}.${f.urlsafe(22)}.${f.alnum(24)}.${f.alnum(20)}`;
  const hits: Array<[string, string]> = [
    ['secret-beamer-api-token', `beamer_key: "b_${f.urlsafe(44)}"`],
    ['secret-cisco-meraki-api-key', `MERAKI_KEY=${f.hex(40)}`],
    ['secret-cisco-meraki-api-key', `meraki: ${f.hex(40)}`],
    ['secret-harness-api-key', `curl -H "x-api-key: ${harness('pat')}" https://app.harness.io/ng/api/user`],
    ['secret-harness-api-key', `token=${harness('sat')}`],
    ['secret-jwt-base64', `  jwt: ${jwtB64()}`],
    ['secret-sonar-login-token', `sonar.login=${f.hex(40)}`],
    ['secret-sonar-login-token', `SONAR_LOGIN: ${f.hex(40)}`],
    ['secret-sonar-login-token', `-Dsonar-login=${f.hex(40)}`],
    ['secret-slack-token', `SLACK=xoxe-${f.digits(12)}-${f.digits(12)}-${f.digits(13)}-${f.alnum(32)}`],
    ['secret-flutterwave-key', `FLW_ENCRYPTION_KEY=FLWSECK_TEST-${f.pickFrom('abcdefgh0123456789', 12)}`],
  ];
  for (const [id, line] of hits) assert.equal(found(line, id).length, 1, `${id} misses ${line}`);
  const misses: Array<[string, string]> = [
    // too short, wrong alphabet, no vendor name, a placeholder
    ['secret-beamer-api-token', `BEAMER_API_KEY=b_${f.urlsafe(40)}`],
    ['secret-beamer-api-token', `BEAMER_API_KEY=c_${f.urlsafe(44)}`],
    ['secret-beamer-api-token', `PRODUCT_KEY=b_${f.urlsafe(44)}`],
    ['secret-cisco-meraki-api-key', `MERAKI_API_KEY=${f.hex(39)}`],
    ['secret-cisco-meraki-api-key', `MERAKI_API_KEY=${f.hex(39)}g`],
    ['secret-cisco-meraki-api-key', `MERAKI_API_KEY=${'0'.repeat(40)}`],
    ['secret-cisco-meraki-api-key', `MERAKI_NETWORK_ID=${f.hex(40)}`],
    ['secret-harness-api-key', `token=pat.${f.urlsafe(21)}.${f.alnum(24)}.${f.alnum(20)}`],
    ['secret-harness-api-key', `token=pat.${f.urlsafe(22)}.${f.alnum(24)}.${f.alnum(19)}`],
    ['secret-harness-api-key', `token=pat.${f.urlsafe(22)}.${f.alnum(23)}-.${f.alnum(20)}`],
    ['secret-harness-api-key', `compat.${f.urlsafe(22)}.${f.alnum(24)}.${f.alnum(20)}`],
    ['secret-harness-api-key', `token=pat.${'x'.repeat(22)}.${'x'.repeat(24)}.${'x'.repeat(20)}`],
    ['secret-jwt-base64', `data: ${Buffer.from(`eyJ${f.alnum(40)}`).toString('base64')}`],
    ['secret-jwt-base64', `data: ZXlK${f.alnum(30)}`],
    ['secret-sonar-login-token', `sonar.login=${f.hex(39)}`],
    ['secret-sonar-login-token', `sonar.login=admin`],
    ['secret-sonar-login-token', `sonar.login_url=${f.hex(40)}`],
    ['secret-slack-token', `SLACK=xoxe-${f.digits(12)}-${f.digits(12)}-${f.alnum(32)}`],
    ['secret-flutterwave-key', `FLW_ENCRYPTION_KEY=FLWSECK_TEST-${f.pickFrom('ijklmnop', 12)}`],
  ];
  for (const [id, line] of misses) assert.deepEqual(found(line, id), [], `${id} reports ${line}`);
});

test("gitleaks' vendor-keyword formats without a rule of their own: the generic rule finds <VENDOR>_API_KEY = value", () => {
  // gitleaks finds these only as "the vendor's name in a key, then N random characters": the
  // generic assignment rule covers that shape when the key says it is a key, token or secret.
  const cases: Array<[string, () => string]> = [
    ['CODECOV', () => f.lowerAlnum(32)],
    ['DRONECI', () => f.lowerAlnum(32)],
    ['SENTRY', () => f.hex(64)],
    ['TWITCH', () => f.lowerAlnum(30)],
    ['ZENDESK', () => f.lowerAlnum(40)],
    ['SOURCEGRAPH', () => f.hex(40)],
    ['JFROG', () => f.lowerAlnum(73)],
    ['YANDEX', () => `YC${f.urlsafe(38)}`],
    // (Yandex IAM tokens, `t1.…`, have a rule of their own now: other-rule-sets.test.ts.)
  ];
  for (const [vendor, value] of cases) {
    for (const line of [`${vendor}_API_KEY=${value()}`, `${vendor.toLowerCase()}_token: "${value()}"`]) {
      const ms = scanFile('/app/config.txt', line + '\n').filter(
        (m) => m.ruleId === 'secret-generic-assignment' && SERIOUS.has(m.severity),
      );
      assert.equal(ms.length, 1, line);
    }
  }
});
