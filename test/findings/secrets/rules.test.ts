/**
 * Every secret rule and credential-file parser: a true positive and a false positive, on values
 * generated at run time. A false positive may still be reported as info (downgraded with a
 * reason), never at medium or above.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { test } from 'node:test';
import { CREDENTIAL_FILE_RULES } from '../../../src/findings/secrets/credential-files.js';
import { SECRET_RULES } from '../../../src/findings/secrets/rules.js';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';

interface Case {
  id: string;
  path?: string;
  tp: () => string | Buffer;
  fp: () => string | Buffer;
  fpPath?: string;
}

const pemBlock = (kind: string, body = f.b64(64 * 12)) =>
  `-----BEGIN ${kind}-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END ${kind}-----\n`;

const CASES: Case[] = [
  {
    id: 'secret-private-key',
    tp: () => f.rsaPem(),
    fp: () =>
      f.publicPem() +
      pemBlock('CERTIFICATE') +
      'The file starts with -----BEGIN RSA PRIVATE KEY----- and ends with the END line.\n',
  },
  {
    id: 'secret-openssh-private-key',
    tp: () => f.opensshKey('none'),
    fp: () =>
      `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${f.b64(43)} user@host\n# paste your -----BEGIN OPENSSH PRIVATE KEY----- here\n`,
  },
  {
    id: 'secret-pgp-private-key',
    tp: () => pemBlock('PGP PRIVATE KEY BLOCK', f.b64(600)),
    fp: () => pemBlock('PGP PUBLIC KEY BLOCK', f.b64(600)),
  },
  {
    id: 'secret-putty-private-key',
    tp: () =>
      `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n${f.b64(64)}\n${f.b64(20)}\nPrivate-Lines: 1\n${f.b64(44)}\nPrivate-MAC: ${f.hex(64)}\n`,
    fp: () => `---- BEGIN SSH2 PUBLIC KEY ----\nComment: "k"\n${f.b64(64)}\n---- END SSH2 PUBLIC KEY ----\n`,
  },
  {
    id: 'secret-aws-access-key-id',
    tp: () => `key_id: AKIA${f.upperAlnum(16).replace(/[0189]/g, '7')}\n`,
    fp: () => 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n',
  },
  {
    id: 'secret-aws-secret-access-key',
    tp: () => `aws_secret_access_key = ${f.b64(40)}\n`,
    fp: () => 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  },
  {
    id: 'secret-aws-session-token',
    tp: () => `aws_session_token = ${f.b64(180)}\n`,
    fp: () => 'aws_session_token = ${AWS_SESSION_TOKEN}\n',
  },
  {
    id: 'secret-gcp-service-account-key',
    tp: () =>
      JSON.stringify(
        {
          type: 'service_account',
          project_id: 'p',
          private_key_id: f.hex(40),
          private_key: pemBlock('PRIVATE KEY'),
          client_email: 'x@p.iam.gserviceaccount.com',
        },
        null,
        2,
      ),
    fp: () =>
      JSON.stringify(
        { type: 'service_account', project_id: 'p', client_email: 'x@p.iam.gserviceaccount.com' },
        null,
        2,
      ),
  },
  {
    id: 'secret-gcp-api-key',
    tp: () => `maps_key: AIza${f.urlsafe(35)}\n`,
    fp: () => `maps_key: AIza${f.urlsafe(20)}\n`,
  },
  {
    id: 'secret-azure-storage-account-key',
    tp: () =>
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${f.b64(86)}==;EndpointSuffix=core.windows.net\n`,
    fp: () =>
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<your-account-key>;EndpointSuffix=core.windows.net\n',
  },
  {
    id: 'secret-azure-sas-token',
    tp: () =>
      `https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${f.alnum(43)}%3D\n`,
    fp: () => `https://example.org/download?file=a&sig=${f.alnum(43)}\n`,
  },
  {
    id: 'secret-azure-client-secret',
    tp: () => `AZURE_CLIENT_SECRET=${f.alnum(3)}8Q~${f.alnum(34)}\n`,
    fp: () => 'see the ~Q~ operator: xyz8Q~short\n',
  },
  {
    id: 'secret-digitalocean-token',
    tp: () => `token: dop_v1_${f.hex(64)}\n`,
    fp: () => `token: dop_v1_${f.hex(10)}\n`,
  },
  { id: 'secret-alibaba-access-key-id', tp: () => `ak: LTAI${f.alnum(20)}\n`, fp: () => `ak: LTAI${'x'.repeat(20)}\n` },
  ...(['ghp', 'gho', 'ghu', 'ghs', 'ghr'] as const).map(
    (p): Case => ({
      id: {
        ghp: 'secret-github-pat',
        gho: 'secret-github-oauth-token',
        ghu: 'secret-github-user-token',
        ghs: 'secret-github-app-token',
        ghr: 'secret-github-refresh-token',
      }[p],
      tp: () => `token=${p}_${f.alnum(36)}\n`,
      fp: () => `token=${p}_${f.alnum(20)}\n`,
    }),
  ),
  {
    id: 'secret-github-fine-grained-pat',
    tp: () => `GH=github_pat_${f.alnum(22)}_${f.alnum(59)}\n`,
    fp: () => 'GH=github_pat_<your token>\n',
  },
  { id: 'secret-gitlab-pat', tp: () => `glpat-${f.urlsafe(20)}\n`, fp: () => 'glpat-xxxx\n' },
  {
    id: 'secret-gitlab-runner-token',
    tp: () => `token = "glrt-${f.urlsafe(20)}"\n`,
    fp: () => 'token = "glrt-xxxx"\n',
  },
  { id: 'secret-gitlab-deploy-token', tp: () => `gldt-${f.urlsafe(20)}\n`, fp: () => 'gldt-short\n' },
  { id: 'secret-npm-token', tp: () => `NPM=npm_${f.alnum(36)}\n`, fp: () => `NPM=npm_${'0'.repeat(36)}\n` },
  { id: 'secret-pypi-token', tp: () => `pypi-AgEIcHlwaS5vcmc${f.urlsafe(60)}\n`, fp: () => `pypi-${f.alnum(30)}\n` },
  {
    id: 'secret-rubygems-api-key',
    tp: () => `:rubygems_api_key: rubygems_${f.hex(48)}\n`,
    fp: () => `:rubygems_api_key: rubygems_${f.hex(10)}\n`,
  },
  {
    id: 'secret-artifactory-api-key',
    tp: () => `X-JFrog-Art-Api: AKCp${f.alnum(69)}\n`,
    fp: () => `X-JFrog-Art-Api: AKCp${f.alnum(10)}\n`,
  },
  {
    id: 'secret-artifactory-reference-token',
    tp: () => `cmVmdGtu${f.alnum(56)}\n`,
    fp: () => `cmVmdGtu${f.alnum(10)}\n`,
  },
  {
    id: 'secret-slack-token',
    tp: () => `SLACK=xoxb-${f.digits(12)}-${f.digits(13)}-${f.alnum(24)}\n`,
    fp: () => 'SLACK=xoxb-your-token-here\n',
  },
  {
    id: 'secret-slack-webhook',
    tp: () => `https://hooks.slack.com/services/T${f.upperAlnum(8)}/B${f.upperAlnum(8)}/${f.alnum(24)}\n`,
    fp: () => 'https://hooks.slack.com/services/...\n',
  },
  {
    id: 'secret-teams-webhook',
    tp: () =>
      `https://contoso.webhook.office.com/webhookb2/${f.uuid()}@${f.uuid()}/IncomingWebhook/${f.hex(32)}/${f.uuid()}\n`,
    fp: () => 'https://contoso.webhook.office.com/webhookb2/<id>\n',
  },
  {
    id: 'secret-discord-webhook',
    tp: () => `https://discord.com/api/webhooks/${f.digits(18)}/${f.urlsafe(68)}\n`,
    fp: () => 'https://discord.com/api/webhooks/ID/TOKEN\n',
  },
  {
    id: 'secret-discord-bot-token',
    tp: () => `DISCORD_BOT_TOKEN=M${f.alnum(25)}.${f.urlsafe(6)}.${f.alnum(38)}\n`,
    fp: () => `version=M${f.alnum(25)}.${f.urlsafe(6)}.${f.alnum(38)}\n`,
  },
  {
    id: 'secret-telegram-bot-token',
    tp: () => `bot ${f.digits(10)}:AA${f.urlsafe(33)}\n`,
    fp: () => `time ${f.digits(3)}:AA${f.urlsafe(33)}\n`,
  },
  {
    id: 'secret-stripe-live-key',
    tp: () => `STRIPE=sk_live_${f.alnum(24)}\n`,
    fp: () => `STRIPE=sk_test_${f.alnum(24)}\n`,
  },
  { id: 'secret-square-access-token', tp: () => `EAAA${f.urlsafe(60)}\n`, fp: () => `EAAA${'A'.repeat(60)}\n` },
  { id: 'secret-square-oauth-secret', tp: () => `sq0csp-${f.urlsafe(43)}\n`, fp: () => `sq0csp-${f.alnum(10)}\n` },
  { id: 'secret-shopify-token', tp: () => `shpat_${f.hex(32)}\n`, fp: () => `shpat_${f.hex(8)}\n` },
  {
    id: 'secret-openai-api-key',
    tp: () => `OPENAI_API_KEY=sk-proj-${f.urlsafe(20)}T3BlbkFJ${f.urlsafe(20)}\n`,
    fp: () => `key: sk-${'abcdefgh'.repeat(6)}\n`,
  },
  { id: 'secret-anthropic-api-key', tp: () => `sk-ant-api03-${f.urlsafe(93)}AA\n`, fp: () => 'sk-ant-api03-xxxx\n' },
  { id: 'secret-huggingface-token', tp: () => `HF_TOKEN=hf_${f.alpha(34)}\n`, fp: () => `hf_${'abcd'.repeat(8)}ab\n` },
  {
    id: 'secret-sendgrid-api-key',
    tp: () => `SG.${f.urlsafe(22)}.${f.urlsafe(43)}\n`,
    fp: () => `SG.${f.alnum(10)}\n`,
  },
  { id: 'secret-twilio-api-key', tp: () => `TWILIO_API_KEY=SK${f.hex(32)}\n`, fp: () => `build id SK${f.hex(32)}\n` },
  {
    id: 'secret-jwt',
    tp: () => `auth: ${f.jwt()}\n`,
    fp: () => `data: eyJ${f.alnum(20)}.eyJ${f.alnum(20)}.${f.alnum(20)}\n`,
  },
  {
    id: 'secret-url-credentials',
    tp: () => `DATABASE_URL=postgres://app:${f.alnum(16)}@db.internal:5432/app\n`,
    fp: () => 'DATABASE_URL=postgres://user:password@localhost/db\n',
  },
  {
    id: 'secret-curl-basic-auth',
    tp: () => `curl -fsS -u deploy:${f.alnum(16)} https://repo.internal/x\n`,
    fp: () => 'curl -fsS -u "$USER:$PASS" https://repo.internal/x\n',
  },
  {
    id: 'secret-authorization-header',
    tp: () => `-H "Authorization: Bearer ${f.urlsafe(40)}"\n`,
    fp: () => '-H "Authorization: Bearer <token>"\n-H "Authorization: Bearer $TOKEN"\n',
  },
  {
    id: 'secret-generic-assignment',
    tp: () => `db_password = "${f.alnum(20)}"\n`,
    fp: () =>
      'password = os.environ["DB_PASSWORD"]\npassword: changeme\npassword: ${DB_PASSWORD}\ntoken_type = "bearer"\nself.password = password\n' +
      "private_key\t= $dir/private/cakey.pem\nPseudoToken = Whitespace + group(r'x')\npasswd: elevated-privileges\nsecret_hash = $6$rounds=5000$abcdefgh$ijklmnop\n",
  },
  // ---- credential files ----
  {
    id: 'secret-npmrc-auth',
    path: '/root/.npmrc',
    tp: () => `//registry.npmjs.org/:_authToken=${f.alnum(36)}\n`,
    fp: () => '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
  },
  {
    id: 'secret-pypirc-password',
    path: '/root/.pypirc',
    tp: () => `[pypi]\nusername = __token__\npassword = ${f.alnum(30)}\n`,
    fp: () => '[pypi]\nusername = __token__\npassword = ${PYPI_PASSWORD}\n',
  },
  {
    id: 'secret-netrc-password',
    path: '/root/.netrc',
    tp: () => `machine repo.internal login bob password ${f.alnum(16)}\n`,
    fp: () => 'machine repo.internal login bob password changeme\n',
  },
  {
    id: 'secret-git-credentials',
    path: '/root/.git-credentials',
    tp: () => `https://bob:${f.alnum(30)}@git.internal\n`,
    fp: () => 'https://bob:${GIT_TOKEN}@git.internal\n',
  },
  {
    id: 'secret-docker-config-auth',
    path: '/root/.docker/config.json',
    tp: () =>
      JSON.stringify({
        auths: { 'registry.internal': { auth: Buffer.from(`bob:${f.alnum(20)}`).toString('base64') } },
      }),
    fp: () => JSON.stringify({ auths: { 'registry.internal': {} }, credsStore: 'desktop' }),
  },
  {
    id: 'secret-kubeconfig-credentials',
    path: '/root/.kube/config',
    tp: () => `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${f.alnum(40)}\n`,
    fp: () => 'apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    exec:\n      command: aws\n',
  },
  {
    id: 'secret-aws-credentials-file',
    path: '/root/.aws/credentials',
    tp: () =>
      `[default]\naws_access_key_id = AKIA${'Q'.repeat(2)}${f.upper(14)}\naws_secret_access_key = ${f.b64(40)}\n`,
    fp: () => '[default]\naws_access_key_id =\naws_secret_access_key =\n',
  },
  {
    id: 'secret-pgpass',
    path: '/root/.pgpass',
    tp: () => `db.internal:5432:app:app:${f.alnum(16)}\n`,
    fp: () => '# hostname:port:database:username:password\n*:*:*:postgres:*\n',
  },
  {
    id: 'secret-maven-settings-password',
    path: '/root/.m2/settings.xml',
    tp: () =>
      `<settings><servers><server><id>r</id><username>u</username><password>${f.alnum(16)}</password></server></servers></settings>`,
    fp: () =>
      '<settings><servers><server><id>r</id><username>u</username><password>${env.MVN_PASS}</password></server></servers></settings>',
  },
  {
    id: 'secret-nuget-password',
    path: '/src/nuget.config',
    tp: () =>
      `<packageSourceCredentials><feed><add key="Username" value="u" /><add key="ClearTextPassword" value="${f.alnum(16)}" /></feed></packageSourceCredentials>`,
    fp: () =>
      '<packageSourceCredentials><feed><add key="ClearTextPassword" value="%NUGET_PASSWORD%" /></feed></packageSourceCredentials>',
  },
  {
    id: 'secret-dotenv',
    path: '/app/.env',
    tp: () => `DATABASE_PASSWORD=${f.alnum(16)}\n`,
    fp: () => `DATABASE_PASSWORD=${f.alnum(16)}\n`,
    fpPath: '/app/.env.example',
  },
  {
    id: 'secret-wp-config',
    path: '/var/www/html/wp-config.php',
    tp: () => `<?php\ndefine( 'DB_PASSWORD', '${f.alnum(16)}' );\n`,
    fp: () =>
      "<?php\ndefine( 'AUTH_KEY', 'put your unique phrase here' );\ndefine( 'DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') );\n",
  },
  {
    id: 'secret-keystore-file',
    path: '/app/server.p12',
    tp: () => Buffer.concat([Buffer.from([0x30, 0x82, 0x0a, 0x00, 0]), randomBytes(200)]),
    fp: () => 'see server.p12 for details\n',
    fpPath: '/app/README.txt',
  },
];

const SERIOUS = new Set(['critical', 'high', 'medium', 'low']);

test('every rule has a true-positive and a false-positive case (at least 40 rules)', () => {
  const all = [...SECRET_RULES.map((r) => r.id), ...CREDENTIAL_FILE_RULES.map((r) => r.id)];
  assert.ok(SECRET_RULES.length >= 40, `only ${SECRET_RULES.length} pattern rules`);
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
  for (const w of spellings) {
    for (const line of [
      `${w} = "${f.alnum(18)}"`,
      `"${w.toUpperCase()}": "${f.alnum(18)}"`,
      `db.${w}=${f.alnum(18)}`,
    ]) {
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
      rule.pattern.lastIndex = 0;
      for (let m; (m = rule.pattern.exec(line)); ) {
        if (m[0].length === 0) rule.pattern.lastIndex++;
        ruleMatches++;
        const ok = kept.positions.some(
          (p, h) => p >= m!.index && p < m!.index + m![0].length && kws.includes(kept.keywords[h]),
        );
        assert.ok(ok, `${rule.id}: match ${JSON.stringify(m[0])} has no kept keyword hit in ${JSON.stringify(line)}`);
      }
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
