/**
 * The formats of secretlint's recommended preset and detect-secrets' plugins (issue #14; gitleaks'
 * are in rules.test.ts): the rules added for them find the format and not its near misses, and
 * the formats left to the generic or URL rule are found by it. Values are generated here from the
 * formats' facts (prefixes, lengths, alphabets); none is copied from those projects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';

const SERIOUS = new Set(['critical', 'high', 'medium', 'low']);

const found = (line: string, id: string, path = '/app/config.txt') =>
  scanFile(path, line + '\n').filter((m) => m.ruleId === id && SERIOUS.has(m.severity));

/** Each line is reported once by `id`, above info. */
function assertFound(cases: Array<[string, string]>): void {
  for (const [id, line] of cases) assert.equal(found(line, id).length, 1, `${id} misses ${line}`);
}

/** No line is reported by `id` above info. */
function assertMissed(cases: Array<[string, string]>): void {
  for (const [id, line] of cases) assert.deepEqual(found(line, id), [], `${id} reports ${line}`);
}

test('the prefixed formats added for them: Figma, Cloudflare, Vercel, Aiven, Amazon Bedrock', () => {
  const bedrockShort = () =>
    `bedrock-api-key-${Buffer.from(`bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Credential=${f.upperAlnum(20)}&X-Amz-Signature=${f.hex(64)}`).toString('base64')}`;
  assertFound([
    ['secret-figma-token', `FIGMA_TOKEN=figd_${f.urlsafe(40)}`],
    ['secret-figma-token', `"figmaToken": "figd_${f.urlsafe(64)}"`],
    ['secret-cloudflare-api-token-v2', `CLOUDFLARE_API_TOKEN=cfut_${f.alnum(40)}${f.hex(8)}`],
    ['secret-cloudflare-api-token-v2', `api_key: cfk_${f.alnum(40)}${f.hex(8)}`],
    ['secret-cloudflare-api-token-v2', `curl -H "Authorization: Bearer cfat_${f.alnum(40)}${f.hex(8)}"`],
    ['secret-vercel-token-v2', `VERCEL_TOKEN=vcp_${f.alnum(56)}`],
    ['secret-vercel-token-v2', `AI_GATEWAY_API_KEY="vck_${f.alnum(56)}"`],
    ['secret-aiven-service-password', `password: AVNS_${f.urlsafe(24)}`],
    ['secret-aiven-service-password', `postgres://avnadmin:AVNS_${f.alnum(19)}@pg.orders.internal:12691/defaultdb`],
    ['secret-aws-bedrock-api-key', `AWS_BEARER_TOKEN_BEDROCK=ABSK${f.b64(132)}`],
    ['secret-aws-bedrock-api-key', `AWS_BEARER_TOKEN_BEDROCK=${bedrockShort()}`],
  ]);
  assertMissed([
    // too short, a name in the token's place, glued to a word, a filler
    ['secret-figma-token', `FIGMA_TOKEN=figd_${f.urlsafe(39)}`],
    ['secret-figma-token', `const x = myfigd_${f.urlsafe(40)}`],
    ['secret-cloudflare-api-token-v2', `CLOUDFLARE_API_TOKEN=cfut_${f.alnum(47)}`],
    ['secret-cloudflare-api-token-v2', `CLOUDFLARE_API_TOKEN=cfut_${f.alnum(49)}`],
    ['secret-cloudflare-api-token-v2', `x = cfut_${'a'.repeat(48)}`],
    ['secret-vercel-token-v2', `VERCEL_TOKEN=vcp_${f.alnum(20)}`],
    ['secret-vercel-token-v2', `def vcr_cassette_name_for_${f.lowerAlpha(30)}():`],
    ['secret-vercel-token-v2', `vcp_${'abcdefghijklmnopqrstuvwxyz'.repeat(2)}`],
    ['secret-aiven-service-password', `password: AVNS_${f.alnum(12)}`],
    ['secret-aiven-service-password', `password: AVNS_XXXXXXXXXXXXXXXXXXX`],
    ['secret-aws-bedrock-api-key', `x=ABSK${f.b64(100)}`],
    ['secret-aws-bedrock-api-key', `data:font/woff2;base64,${f.b64(200)}ABSK${f.b64(132)}`],
    ['secret-aws-bedrock-api-key', `AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-${f.b64(132)}`],
  ]);
});

test('Yandex IAM tokens: t1. and two base64url parts, the second of 86, under a token key; code that starts with t1. is not one', () => {
  const body = () => `${f.urlsafe(60)}.${f.urlsafe(86)}`;
  assertFound([
    ['secret-yandex-iam-token', `YC_IAM_TOKEN=t1.${body()}`],
    ['secret-yandex-iam-token', `{"iamToken": "t1.${body()}", "expiresAt": "2026-12-05T20:00:00Z"}`],
    ['secret-yandex-iam-token', `iam_token: t1.${f.urlsafe(150)}.${f.urlsafe(86)}`],
    // (In an Authorization header, the header rule's.)
    ['secret-authorization-header', `headers = {"Authorization": "Bearer t1.${body()}"}`],
  ]);
  assertMissed([
    ['secret-yandex-iam-token', `token = t1.${f.lowerAlpha(8)}.${f.lowerAlpha(6)};`],
    ['secret-yandex-iam-token', `token = t1.${f.lowerAlpha(40)}`],
    ['secret-yandex-iam-token', `token = part1.${f.urlsafe(60)}.${f.urlsafe(86)}`],
    ['secret-yandex-iam-token', `token: t1.${f.urlsafe(60)}.${f.urlsafe(85)}`],
    ['secret-yandex-iam-token', `token: t1.${f.urlsafe(31)}.${f.urlsafe(86)}`],
    ['secret-yandex-iam-token', `token: t1.${'a'.repeat(60)}.${'b'.repeat(86)}`],
    ['secret-yandex-iam-token', `token_url: t1.${body()}`],
  ]);
});

test('legacy Vault tokens (s. and 24 characters) only under a key that says Vault, or client_token', () => {
  const tok = () => `s.${f.alnum(24)}`;
  assertFound([
    ['secret-vault-legacy-token', `export VAULT_TOKEN=${tok()}`],
    ['secret-vault-legacy-token', `vault_token: "${tok()}"`],
    ['secret-vault-legacy-token', `curl -H "X-Vault-Token: ${tok()}" https://vault.example.org:8200/v1/secret/app`],
    ['secret-vault-legacy-token', `{"auth": {"client_token": "${tok()}", "accessor": "${f.alnum(24)}"}}`],
  ]);
  assertMissed([
    // no Vault in the key; one character short or long; a member access or call; a filler
    ['secret-vault-legacy-token', `token = ${tok()}`],
    ['secret-vault-legacy-token', `VAULT_TOKEN=s.${f.alnum(23)}`],
    ['secret-vault-legacy-token', `VAULT_TOKEN=s.${f.alnum(25)}`],
    ['secret-vault-legacy-token', `vault_token = this.${tok()}`],
    ['secret-vault-legacy-token', `vaultToken = s.${f.alnum(24)}()`],
    ['secret-vault-legacy-token', `VAULT_TOKEN=s.getVaultTokenFromEnvironment`],
    ['secret-vault-legacy-token', `VAULT_TOKEN=s.${'x'.repeat(24)}`],
    ['secret-vault-legacy-token', `VAULT_TOKEN_FILE=s.${f.alnum(24)}`],
  ]);
});

test('headers on a command line: X-Auth-Key, X-Vault-Token, PRIVATE-TOKEN, a bare Token, Authorization: Token', () => {
  const vaultHit = (line: string) =>
    scanFile('/app/deploy.sh', line + '\n').filter(
      (m) => /^secret-(?:vault-legacy-token|api-key-header)$/.test(m.ruleId) && SERIOUS.has(m.severity),
    );
  assertFound([
    [
      'secret-api-key-header',
      `curl -H 'X-Auth-Email: ops@example.org' -H 'X-Auth-Key: ${f.hex(37)}' https://api.example.org/`,
    ],
    [
      'secret-api-key-header',
      `curl --header "PRIVATE-TOKEN: ${f.urlsafe(20)}" https://git.example.org/api/v4/projects`,
    ],
    ['secret-api-key-header', `X-Vault-Token: ${f.urlsafe(26)}`],
    ['secret-curl-header-token', `curl -H 'Token: ${f.alnum(40)}' https://api.example.org/`],
    ['secret-curl-header-token', `curl -H "token: ${f.hex(32)}" https://api.example.org/`],
    ['secret-curl-header-token', `wget --header='X-Token: ${f.alnum(32)}' https://api.example.org/`],
    ['secret-curl-header-token', `curl --header "Token: ${f.alnum(32)}" https://api.example.org/`],
    ['secret-authorization-header', `curl -H 'Authorization: Token ${f.alnum(40)}' https://api.example.org/`],
  ]);
  // A Vault token in its header is reported once, by the rule that knows it best.
  assert.equal(vaultHit(`curl -H 'X-Vault-Token: s.${f.alnum(24)}' https://vault.example.org/`).length, 1);
  assertMissed([
    ['secret-api-key-header', `curl -H 'X-Auth-Key: <YOUR_GLOBAL_KEY>' https://api.example.org/`],
    ['secret-api-key-header', `curl -H "X-Vault-Token: $VAULT_TOKEN" https://vault.example.org/`],
    ['secret-curl-header-token', `curl -H "Token: \${TOKEN}" https://api.example.org/`],
    ['secret-curl-header-token', `curl -H 'Token: your-token-goes-right-here' https://api.example.org/`],
    ['secret-curl-header-token', `token: ${f.alnum(40)}`],
    ['secret-curl-header-token', `if [ -h "$link" ]; then echo "Token: ${f.alnum(40)}"; fi`],
    ['secret-curl-header-token', `curl -H 'Content-Type: application/json' https://api.example.org/`],
  ]);
});

/**
 * An Azure client secret of the older format: 40 characters of [A-Za-z0-9_.~-], here with a `~`
 * in it as the portal's have. (Drawn from the whole set, ~3% of values are letters, digits and
 * `_` around dots, `ab1_c.d2e…`: a dotted identifier, which the generic rule takes for code.)
 */
function azureSecret(): string {
  const s = f.pickFrom('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~', 39);
  const at = 1 + (Number(f.digits(2)) % 38);
  // (Not `Q~`: that is the newer format, which a rule of its own reports.)
  return s.slice(0, at - 1) + (s[at - 1] === 'Q' ? 'R' : s[at - 1]) + '~' + s.slice(at);
}

test('formats with no rule of their own: the generic rule finds them under their key names', () => {
  // detect-secrets' Cloudant and Artifactory passwords, secretlint's Azure client secret,
  // detect-secrets' npm auth token outside a .npmrc.
  const cases: string[] = [
    `cloudant_password = "${f.hex(64)}"`,
    `CLOUDANT_APIKEY: ${f.urlsafe(44)}`,
    `client_secret = "${azureSecret()}"`,
    `AZURE_CLIENT_SECRET: ${azureSecret()}`,
    `ARTIFACTORY_PASSWORD=AP${f.pickFrom('0123456789ABCDEF', 1)}${f.alnum(20)}`,
    `jfrog_token: AKC${f.alnum(20)}`,
    `//registry.example.org/:_authToken=${f.uuid()}`,
    `db2_password = "${f.alnum(16)}"`,
  ];
  for (const line of cases)
    assert.equal(found(line, 'secret-generic-assignment', '/app/settings.yaml').length, 1, line);
});

test("Mailchimp keys by their format (detect-secrets' plugin), with or without a name", () => {
  const key = () => `${f.hex(32)}-us${1 + (Number(f.digits(2)) % 21)}`;
  assertFound([
    ['secret-mailchimp-api-key', `MAILCHIMP_API_KEY=${key()}`],
    ['secret-mailchimp-api-key', `MC_API_KEY=${key()}`],
    ['secret-mailchimp-api-key', `mailchimp.setConfig({ apiKey: '${key()}', server: 'us6' });`],
    ['secret-mailchimp-api-key', `curl --user "anystring:${key()}" https://us6.api.example.org/3.0/`],
    ['secret-mailchimp-api-key', `{"key": "${key()}"}`],
  ]);
  assertMissed([
    // no data centre number, a hex digit short, glued to a word or a longer suffix, a filler
    ['secret-mailchimp-api-key', `MAILCHIMP_API_KEY=${f.hex(32)}-us`],
    ['secret-mailchimp-api-key', `MAILCHIMP_API_KEY=${f.hex(31)}-us1`],
    ['secret-mailchimp-api-key', `x = build${f.hex(32)}-us1`],
    ['secret-mailchimp-api-key', `${f.hex(32)}-us1-east`],
    ['secret-mailchimp-api-key', `${f.hex(32)}-usa`],
    ['secret-mailchimp-api-key', `MAILCHIMP_API_KEY=0123456789abcdef0123456789abcdef-us1`],
  ]);
});

test("secretlint's database connection strings: the URL rule finds MongoDB, MySQL (also JDBC) and PostgreSQL", () => {
  // (Hosts of no documentation domain: the URL rule reports credentials at example.org as info.)
  for (const url of [
    `mongodb://app:${f.alnum(16)}@db0.orders.internal:27017/orders?replicaSet=rs0`,
    `mongodb+srv://app:${f.alnum(16)}@cluster0.orders.internal/orders`,
    `mysql://app:${f.alnum(16)}@db.orders.internal:3306/orders`,
    `jdbc:mysql://app:${f.alnum(16)}@db.orders.internal:3306/orders`,
    `mysqlx://app:${f.alnum(16)}@db.orders.internal:33060/orders`,
    `postgresql://app:${f.alnum(16)}@db.orders.internal:5432/orders`,
    `postgres://app:${f.alnum(16)}@db.orders.internal/orders?sslmode=require`,
  ])
    assert.equal(found(`DATABASE_URL=${url}`, 'secret-url-credentials').length, 1, url);
  for (const url of [
    'postgres://postgres:postgres@db.orders.internal/app',
    'mongodb://app:${MONGO_PASSWORD}@db.orders.internal/app',
    'mysql://app@db.orders.internal/app',
  ])
    assert.deepEqual(found(`DATABASE_URL=${url}`, 'secret-url-credentials'), [], url);
});
