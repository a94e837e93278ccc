/**
 * A true positive and a false positive for every secret rule and credential-file parser, made at
 * run time from the formats' facts (prefixes, lengths, alphabets, checksums): test/support/
 * fake-secrets.ts. A true positive is reported above info; a false positive is never reported by
 * its rule above info (a made-up look-alike may be reported as info, with the reason).
 */
import { randomBytes } from 'node:crypto';
import * as f from './fake-secrets.js';

export interface Case {
  id: string;
  path?: string;
  tp: () => string | Buffer;
  fp: () => string | Buffer;
  fpPath?: string;
}

export const pemBlock = (kind: string, body = f.b64(64 * 12)) =>
  `-----BEGIN ${kind}-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END ${kind}-----\n`;

/** A made-up "key" in the alphabet of `like` (hex, or the character classes it uses): its characters in order, over and over (0123…, abcd…). */
export function sequentialLike(like: string): string {
  const runs = /^[0-9a-f_-]+$/.test(like)
    ? ['0123456789abcdef']
    : /^[0-9A-F_-]+$/.test(like)
      ? ['0123456789ABCDEF']
      : [
          /[0-9]/.test(like) ? '0123456789' : '',
          /[a-z]/.test(like) ? 'abcdefghijklmnopqrstuvwxyz' : '',
          /[A-Z]/.test(like) ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '',
        ];
  const full = runs.join('');
  let out = '';
  for (let i = 0; out.length < like.length; ) {
    const c = like[out.length];
    out += /[A-Za-z0-9]/.test(c) ? full[i++ % full.length] : c;
  }
  return out;
}

/**
 * A token found by its prefix: the prefix and random characters on a config line; the look-alike
 * is the prefix and a sequential filler of the same alphabet and shape.
 */
function prefixed(id: string, prefix: string, body: () => string, filler?: () => string): Case {
  return {
    id,
    tp: () => `value: ${prefix}${body()}\n`,
    fp: () => `value: ${filler ? filler() : prefix + sequentialLike(plainestBody(body))}\n`,
  };
}

/**
 * Of a few samples of a body, the one with the fewest characters that are neither letters nor
 * digits. The look-alike keeps a body's separators where they are: those of the format's shape
 * (`xapp-1-A…-…-…`) are in every sample, but a random body's own (the `-` and `_` of a URL-safe
 * alphabet) cut its sequential filler into runs too short to read as one (`012_34-5_67…`): about
 * one look-alike in a hundred was then reported, which no one writes as a made-up token.
 */
function plainestBody(body: () => string): string {
  const separators = (s: string) => s.replace(/[A-Za-z0-9]/g, '').length;
  let best = body();
  for (let i = 0; i < 16; i++) {
    const b = body();
    if (separators(b) < separators(best)) best = b;
  }
  return best;
}

/**
 * A credential known by the service name in its key: `NAME_KEY = "value"`; the look-alike is the
 * same value under a key that does not name the service.
 */
function named(id: string, key: string, value: () => string): Case {
  return { id, tp: () => `${key} = "${value()}"\n`, fp: () => `build_cache_digest = "${value()}"\n` };
}

export const CASES: Case[] = [
  // ---- private keys ----
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
    id: 'secret-age-secret-key',
    tp: () => `# created: 2026-01-01\n${f.ageKey()}\n`,
    // The right alphabet and length, a wrong bech32 checksum.
    fp: () => `${f.ageKey().slice(0, -6)}QQQQQQ\n`,
  },
  {
    id: 'secret-crypto-wallet-private-key',
    tp: () => `ETHEREUM_PRIVATE_KEY=0x${f.hex(64)}\nBITCOIN_WIF=${f.wifKey()}\n`,
    fp: () => `BITCOIN_WIF=${f.wifKey().slice(0, -3)}zzz\nETHEREUM_PRIVATE_KEY=0x${'0123456789abcdef'.repeat(4)}\n`,
  },
  // ---- cloud ----
  {
    id: 'secret-aws-access-key-id',
    tp: () => `key_id: AKIA${f.base32(16)}\n`,
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
    // The documented example carries the EXAMPLE marker deep inside a long value.
    fp: () => `aws_session_token = ${f.b64(150)}EXAMPLETOKEN${f.b64(150)}\n`,
  },
  prefixed(
    'secret-aws-mws-auth-token',
    'amzn.mws.',
    () => `${f.uuid()}`,
    () => 'amzn.mws.00000000-0000-0000-0000-000000000000',
  ),
  {
    id: 'secret-gcp-service-account-key',
    tp: () =>
      JSON.stringify(
        {
          type: 'service_account',
          project_id: 'p',
          private_key_id: f.hex(40),
          private_key: f.pkcs8Pem(),
          client_email: 'x@p.iam.gserviceaccount.com',
        },
        null,
        2,
      ),
    // An elided key, as documentation shows it.
    fp: () =>
      JSON.stringify(
        {
          type: 'service_account',
          project_id: 'p',
          private_key_id: f.hex(40),
          private_key: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n',
        },
        null,
        2,
      ),
  },
  {
    id: 'secret-gcp-api-key',
    tp: () => `maps_key: AIza${f.urlsafe(35)}\n`,
    fp: () => `maps_key: AIzaSy${f.sequential(33)}\n`,
  },
  prefixed('secret-gcp-oauth-client-secret', 'GOCSPX-', () => `${f.urlsafe(28)}`),
  prefixed('secret-gcp-oauth-access-token', 'ya29.', () => `${f.urlsafe(120)}`),
  {
    id: 'secret-azure-storage-account-key',
    tp: () =>
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${f.b64(86)}==;EndpointSuffix=core.windows.net\n`,
    fp: () =>
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<your-account-key>;EndpointSuffix=core.windows.net\n',
  },
  {
    id: 'secret-azure-shared-access-key',
    tp: () => `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${f.b64(43)}=\n`,
    fp: () => 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=<key>\n',
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
  named('secret-azure-devops-pat', 'AZURE_DEVOPS_PAT', () => f.b32lower(52)),
  prefixed('secret-digitalocean-token', 'dop_v1_', () => `${f.hex(64)}`),
  { id: 'secret-alibaba-access-key-id', tp: () => `ak: LTAI${f.alnum(20)}\n`, fp: () => `ak: LTAI${'x'.repeat(20)}\n` },
  named('secret-alibaba-secret-key', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', () => f.lowerAlnum(30)),
  named('secret-ibm-cloud-iam-key', 'IBM_CLOUD_API_KEY', () => f.urlsafe(44)),
  named('secret-ibm-cos-hmac-secret', 'ibm_cos_hmac_secret_access_key', () => f.hex(48)),
  named('secret-softlayer-api-key', 'SOFTLAYER_API_KEY', () => f.lowerAlnum(64)),
  prefixed('secret-yandex-api-key', 'AQVN', () => `${f.urlsafe(36)}`),
  {
    id: 'secret-yandex-iam-token',
    tp: () => `YC_IAM_TOKEN=t1.${f.urlsafe(60)}.${f.urlsafe(86)}\n`,
    // Code that starts with t1., and a second part one character short.
    fp: () => `token = t1.${f.lowerAlpha(8)}.${f.lowerAlpha(6)}\nYC_IAM_TOKEN=t1.${f.urlsafe(60)}.${f.urlsafe(85)}\n`,
  },
  prefixed('secret-aws-bedrock-api-key', 'ABSK', () => f.b64(132)),
  // ---- VCS and CI ----
  ...(['ghp', 'gho', 'ghu', 'ghs', 'ghr'] as const).map(
    (p): Case => ({
      id: {
        ghp: 'secret-github-pat',
        gho: 'secret-github-oauth-token',
        ghu: 'secret-github-user-token',
        ghs: 'secret-github-app-token',
        ghr: 'secret-github-refresh-token',
      }[p],
      tp: () => `token=${f.githubToken(p)}\n`,
      // Right prefix, alphabet and length; a CRC-32 tail that does not match.
      fp: () => `token=${p}_${f.alnum(30)}AAAAAA\n`,
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
  prefixed('secret-gitlab-cicd-job-token', 'glcbt-', () => `${f.alnum(2)}_${f.urlsafe(20)}`),
  prefixed('secret-gitlab-feature-flag-token', 'glffct-', () => `${f.urlsafe(20)}`),
  prefixed('secret-gitlab-feed-token', 'glft-', () => `${f.urlsafe(20)}`),
  prefixed('secret-gitlab-incoming-mail-token', 'glimt-', () => `${f.urlsafe(25)}`),
  prefixed('secret-gitlab-agent-token', 'glagent-', () => `${f.urlsafe(50)}`),
  prefixed('secret-gitlab-oauth-app-secret', 'gloas-', () => `${f.urlsafe(64)}`),
  prefixed(
    'secret-gitlab-pipeline-trigger-token',
    'glptt-',
    () => `${f.hex(40)}`,
    () => `glptt-${'0'.repeat(40)}`,
  ),
  prefixed('secret-gitlab-scim-token', 'glsoat-', () => `${f.urlsafe(20)}`),
  prefixed('secret-gitlab-runner-registration-token', 'GR1348941', () => `${f.urlsafe(20)}`),
  {
    id: 'secret-gitlab-session-cookie',
    tp: () => `Cookie: _gitlab_session=${f.lowerAlnum(32)}\n`,
    fp: () => `Cookie: _gitlab_session=${'abcdef0123456789'.repeat(2)}\n`,
  },
  {
    id: 'secret-bitbucket-client-id',
    tp: () => `BITBUCKET_CLIENT_ID=${f.lowerAlnum(32)}\n`,
    fp: () => `CLIENT_ID=${f.lowerAlnum(32)}\n`,
  },
  named('secret-bitbucket-client-secret', 'BITBUCKET_CLIENT_SECRET', () => f.urlsafe(64).toLowerCase()),
  prefixed(
    'secret-atlassian-api-token',
    'ATATT3',
    () => `${f.urlsafe(186)}`,
    () => `ATATT3${f.repeated(186)}`,
  ),
  named('secret-atlassian-legacy-api-token', 'JIRA_API_TOKEN', () => f.lowerAlnum(20) + f.hex(4)),
  prefixed('secret-bitbucket-app-password', 'ATBB', () => `${f.alnum(32)}`),
  named('secret-travisci-token', 'TRAVIS_API_TOKEN', () => f.lowerAlnum(22)),
  prefixed('secret-buildkite-token', 'bkua_', () => `${f.hex(40)}`),
  named('secret-snyk-token', 'SNYK_TOKEN', () => f.uuid()),
  prefixed('secret-sonarqube-token', 'squ_', () => `${f.hex(40)}`),
  prefixed('secret-sourcegraph-token', 'sgp_', () => `${f.hex(16)}_${f.hex(40)}`),
  named('secret-sonar-login-token', 'sonar.login', () => f.hex(40)),
  {
    id: 'secret-harness-api-key',
    tp: () => `HARNESS_PLATFORM_API_KEY: pat.${f.urlsafe(22)}.${f.alnum(24)}.${f.alnum(20)}\n`,
    fp: () =>
      `x_api_key: pat.${sequentialLike(f.alnum(22))}.${sequentialLike(f.alnum(24))}.${sequentialLike(f.alnum(20))}\n`,
  },
  {
    id: 'secret-octopus-deploy-api-key',
    tp: () => `OCTOPUS_API_KEY=API-${f.upperAlnum(26)}\n`,
    fp: () => 'x-api-version: API-VERSION\n',
  },
  // ---- package registries ----
  { id: 'secret-npm-token', tp: () => `NPM=${f.npmToken()}\n`, fp: () => `NPM=npm_${f.alnum(30)}000000\n` },
  {
    id: 'secret-pypi-token',
    tp: () => `password = ${f.pypiToken()}\n`,
    // The prefix of a pypi.org macaroon and random base64 after it: not a macaroon.
    fp: () => `password = pypi-AgEIcHlwaS5vcmc${f.urlsafe(80)}\n`,
  },
  prefixed('secret-rubygems-api-key', 'rubygems_', () => `${f.hex(48)}`),
  prefixed('secret-nuget-api-key', 'oy2', () => `${f.lowerAlnum(43)}`),
  {
    id: 'secret-crates-io-token',
    tp: () => `[registry]\ntoken = "cio${f.alnum(32)}"\n`,
    fp: () => `[registry]\ntoken = "cio${sequentialLike(f.alnum(32))}"\n`,
  },
  prefixed('secret-clojars-token', 'CLOJARS_', () => `${f.lowerAlnum(60)}`),
  prefixed('secret-docker-hub-token', 'dckr_pat_', () => `${f.urlsafe(27)}`),
  prefixed('secret-artifactory-api-key', 'AKCp', () => `${f.alnum(69)}`),
  prefixed('secret-artifactory-reference-token', 'cmVmdGtu', () => `${f.alnum(56)}`),
  named('secret-jfrog-api-key', 'ARTIFACTORY_API_KEY', () => f.lowerAlnum(73)),
  named('secret-jfrog-identity-token', 'ARTIFACTORY_ACCESS_TOKEN', () => f.lowerAlnum(64)),
  // ---- chat ----
  {
    id: 'secret-slack-token',
    tp: () => `SLACK=xoxb-${f.digits(12)}-${f.digits(13)}-${f.alnum(24)}\n`,
    fp: () => 'SLACK=xoxb-your-token-here\nxoxp-1234567890-1234567890-1234567890-abcdefghijklmnopqrstuvwxyz012345\n',
  },
  prefixed('secret-slack-app-token', 'xapp-1-A', () => `${f.upperAlnum(10)}-${f.digits(13)}-${f.hex(64)}`),
  {
    id: 'secret-slack-config-token',
    tp: () => `xoxe.xoxp-1-${f.upperAlnum(164)}\n`,
    fp: () => 'xoxe.xoxp-1-RANDOMSTRINGHERE\n',
  },
  {
    id: 'secret-slack-webhook',
    tp: () => `https://hooks.slack.com/services/T${f.upperAlnum(8)}/B${f.upperAlnum(8)}/${f.alnum(24)}\n`,
    fp: () => 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n',
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
  named('secret-discord-api-token', 'DISCORD_API_TOKEN', () => f.hex(64)),
  {
    id: 'secret-discord-client-id',
    tp: () => `DISCORD_CLIENT_ID=${f.digits(18)}\n`,
    fp: () => `CLIENT_ID=${f.digits(18)}\n`,
  },
  named('secret-discord-client-secret', 'DISCORD_CLIENT_SECRET', () => f.urlsafe(32)),
  {
    id: 'secret-telegram-bot-token',
    tp: () => `bot ${f.digits(10)}:AA${f.urlsafe(33)}\n`,
    fp: () => `time ${f.digits(3)}:AA${f.urlsafe(33)}\n`,
  },
  named('secret-mattermost-token', 'MATTERMOST_TOKEN', () => f.lowerAlnum(26)),
  named('secret-gitter-token', 'GITTER_TOKEN', () => f.lowerAlnum(40)),
  // ---- payment ----
  {
    id: 'secret-stripe-live-key',
    tp: () => `STRIPE=sk_live_${f.alnum(24)}\n`,
    fp: () => `STRIPE=sk_live_${f.sequential(24)}\n`,
  },
  {
    id: 'secret-stripe-test-key',
    tp: () => `STRIPE=sk_test_${f.alnum(24)}\n`,
    fp: () => `STRIPE=sk_test_${f.repeated(24)}\n`,
  },
  prefixed('secret-stripe-webhook-secret', 'whsec_', () => `${f.alnum(32)}`),
  { id: 'secret-square-access-token', tp: () => `EAAA${f.urlsafe(60)}\n`, fp: () => `EAAA${'A'.repeat(60)}\n` },
  { id: 'secret-square-oauth-secret', tp: () => `sq0csp-${f.urlsafe(43)}\n`, fp: () => `sq0csp-${f.alnum(10)}\n` },
  { id: 'secret-shopify-token', tp: () => `shpat_${f.hex(32)}\n`, fp: () => `shpat_${f.hex(8)}\n` },
  {
    id: 'secret-braintree-access-token',
    tp: () => `access_token$production$${f.lowerAlnum(16)}$${f.hex(32)}\n`,
    fp: () => `access_token$production$${sequentialLike(f.lowerAlnum(16))}$${sequentialLike(f.hex(32))}\n`,
  },
  {
    id: 'secret-razorpay-key',
    tp: () => `rzp_live_${f.alnum(14)}\n`,
    fp: () => `rzp_live_${sequentialLike(f.alnum(14))}\n`,
  },
  {
    id: 'secret-flutterwave-key',
    tp: () => `FLWSECK-${f.pickFrom('abcdefgh0123456789', 32)}-X\n`,
    fp: () => `FLWSECK-${sequentialLike(f.pickFrom('abcdefgh0123456789', 32))}-X\n`,
  },
  named('secret-gocardless-token', 'GOCARDLESS_ACCESS_TOKEN', () => `live_${f.urlsafe(40)}`),
  named('secret-plaid-access-token', 'PLAID_ACCESS_TOKEN', () => `access-production-${f.uuid()}`),
  {
    id: 'secret-plaid-client-id',
    tp: () => `PLAID_CLIENT_ID=${f.lowerAlnum(24)}\n`,
    fp: () => `CLIENT_ID=${f.lowerAlnum(24)}\n`,
  },
  named('secret-plaid-secret', 'PLAID_SECRET', () => f.lowerAlnum(30)),
  named('secret-coinbase-token', 'COINBASE_ACCESS_TOKEN', () => f.urlsafe(64).toLowerCase()),
  named('secret-kraken-token', 'KRAKEN_API_SECRET', () => f.b64(86)),
  named('secret-kucoin-token', 'KUCOIN_API_KEY', () => f.hex(24)),
  named('secret-kucoin-secret', 'KUCOIN_API_SECRET', () => f.uuid()),
  named('secret-bittrex-key', 'BITTREX_API_SECRET', () => f.lowerAlnum(32)),
  named('secret-finicity-token', 'FINICITY_APP_KEY', () => f.hex(32)),
  named('secret-finnhub-token', 'FINNHUB_API_KEY', () => f.lowerAlnum(20)),
  prefixed('secret-duffel-token', 'duffel_live_', () => `${f.urlsafe(43)}`),
  prefixed('secret-shippo-token', 'shippo_live_', () => `${f.hex(40)}`),
  prefixed('secret-easypost-token', 'EZAK', () => `${f.lowerAlnum(54)}`),
  // ---- AI ----
  {
    id: 'secret-openai-api-key',
    tp: () => `OPENAI_API_KEY=sk-proj-${f.urlsafe(20)}T3BlbkFJ${f.urlsafe(20)}\n`,
    fp: () => `key: sk-${'abcdefgh'.repeat(6)}\n`,
  },
  {
    id: 'secret-anthropic-api-key',
    tp: () => `sk-ant-api03-${f.urlsafe(93)}AA\n`,
    // A made-up key: "abc123xyz" over and over.
    fp: () => `sk-ant-api03-${'abc123xyz'.repeat(11)}AA\n`,
  },
  prefixed(
    'secret-anthropic-admin-key',
    'sk-ant-admin01-',
    () => `${f.urlsafe(93)}AA`,
    () => `sk-ant-admin01-${f.sequential(93)}AA`,
  ),
  { id: 'secret-huggingface-token', tp: () => `HF_TOKEN=hf_${f.alpha(34)}\n`, fp: () => `hf_${'abcd'.repeat(8)}ab\n` },
  named('secret-cohere-api-key', 'COHERE_API_KEY', () => f.alnum(40)),
  prefixed('secret-perplexity-api-key', 'pplx-', () => `${f.alnum(48)}`),
  prefixed('secret-groq-api-key', 'gsk_', () => `${f.alnum(52)}`),
  prefixed('secret-replicate-api-token', 'r8_', () => `${f.alnum(37)}`),
  prefixed('secret-xai-api-key', 'xai-', () => `${f.alnum(80)}`),
  named('secret-privateai-api-key', 'PRIVATE_AI_API_KEY', () => f.lowerAlnum(32)),
  // ---- messaging ----
  {
    id: 'secret-sendgrid-api-key',
    tp: () => `SG.${f.urlsafe(22)}.${f.urlsafe(43)}\n`,
    fp: () => `SG.${f.alnum(10)}\n`,
  },
  prefixed('secret-sendinblue-api-key', 'xkeysib-', () => `${f.hex(64)}-${f.alnum(16)}`),
  named('secret-mailgun-api-key', 'MAILGUN_API_KEY', () => `key-${f.hex(32)}`),
  named('secret-mailgun-public-key', 'MAILGUN_PUBLIC_KEY', () => `pubkey-${f.hex(32)}`),
  named('secret-mailgun-signing-key', 'MAILGUN_WEBHOOK_SIGNING_KEY', () => `${f.hex(32)}-${f.hex(8)}-${f.hex(8)}`),
  {
    // The format alone (32 hex digits, `-us` and the data centre's number) is the key, named or not.
    id: 'secret-mailchimp-api-key',
    tp: () => `mc = "${f.hex(32)}-us${1 + (randomBytes(1)[0] % 20)}"\n`,
    fp: () => `build_cache_digest = "${f.hex(32)}-useast"\n`,
  },
  { id: 'secret-twilio-api-key', tp: () => `TWILIO_API_KEY=SK${f.hex(32)}\n`, fp: () => `build id SK${f.hex(32)}\n` },
  named('secret-twilio-auth-token', 'TWILIO_AUTH_TOKEN', () => f.hex(32)),
  {
    id: 'secret-twilio-account-sid',
    tp: () => `TWILIO_ACCOUNT_SID=AC${f.hex(32)}\n`,
    fp: () => `build id AC${f.hex(32)}\n`,
  },
  named('secret-messagebird-api-token', 'MESSAGEBIRD_API_KEY', () => f.lowerAlnum(25)),
  {
    id: 'secret-messagebird-client-id',
    tp: () => `MESSAGEBIRD_CLIENT_ID=${f.uuid()}\n`,
    fp: () => `CLIENT_ID=${f.uuid()}\n`,
  },
  named('secret-sendbird-access-token', 'SENDBIRD_API_TOKEN', () => f.hex(40)),
  { id: 'secret-sendbird-access-id', tp: () => `SENDBIRD_APP_ID=${f.uuid()}\n`, fp: () => `APP_ID=${f.uuid()}\n` },
  named('secret-lob-api-key', 'LOB_API_KEY', () => `live_${f.hex(35)}`),
  named('secret-intercom-token', 'INTERCOM_ACCESS_TOKEN', () => f.urlsafe(60)),
  // ---- observability ----
  named('secret-datadog-api-key', 'DD_API_KEY', () => f.hex(32)),
  prefixed('secret-new-relic-key', 'NRAK-', () => `${f.upperAlnum(27)}`),
  named('secret-new-relic-user-api-id', 'NEW_RELIC_USER_API_ID', () => f.lowerAlnum(64)),
  prefixed('secret-sentry-user-token', 'sntryu_', () => `${f.hex(64)}`),
  {
    id: 'secret-sentry-org-token',
    tp: () => `SENTRY_AUTH_TOKEN=${f.sentryOrgToken()}\n`,
    fp: () => `SENTRY_AUTH_TOKEN=sntrys_eyJ${f.b64(120)}_${f.b64(43)}\n`,
  },
  prefixed('secret-grafana-service-account-token', 'glsa_', () => `${f.alnum(32)}_${f.hex(8)}`),
  {
    id: 'secret-grafana-cloud-token',
    tp: () => `GRAFANA=${f.grafanaCloudToken()}\n`,
    fp: () => `GRAFANA=glc_${f.alnum(60)}\n`,
  },
  {
    id: 'secret-grafana-api-key',
    tp: () => `GRAFANA=${f.grafanaApiKey()}\n`,
    fp: () => `GRAFANA=eyJrIjoi${f.alnum(80)}\n`,
  },
  prefixed('secret-dynatrace-token', 'dt0c01.', () => `${f.upperAlnum(24)}.${f.alnum(64)}`),
  {
    id: 'secret-sumologic-access-id',
    tp: () => `SUMOLOGIC_ACCESS_ID=su${f.lowerAlnum(12)}\n`,
    fp: () => `ACCESS_ID=su${f.lowerAlnum(12)}\n`,
  },
  named('secret-sumologic-access-key', 'SUMOLOGIC_ACCESS_KEY', () => f.alnum(64)),
  named('secret-launchdarkly-token', 'LAUNCHDARKLY_ACCESS_TOKEN', () => `api-${f.uuid()}`),
  // ---- infrastructure ----
  prefixed(
    'secret-vault-token',
    'hvs.',
    () => `${f.urlsafe(95)}`,
    () => `hvs.${f.repeated(95)}`,
  ),
  {
    id: 'secret-vault-legacy-token',
    tp: () => `export VAULT_TOKEN=s.${f.alnum(24)}\n`,
    // The shape under a key that does not say Vault: a member access in code looks the same.
    fp: () => `const token = s.${f.alnum(24)};\n`,
  },
  prefixed(
    'secret-terraform-cloud-token',
    '',
    () => `${f.alnum(14)}.atlasv1.${f.urlsafe(67)}`,
    () => `${f.alnum(14)}.atlasv1.${f.sequential(67)}`,
  ),
  prefixed('secret-doppler-token', 'dp.pt.', () => `${f.alnum(43)}`),
  {
    id: 'secret-1password-service-account-token',
    tp: () => `OP_SERVICE_ACCOUNT_TOKEN=${f.opsToken()}\n`,
    fp: () => `OP=ops_eyJ${f.alnum(300)}\n`,
  },
  {
    id: 'secret-1password-secret-key',
    tp: () =>
      `A3-${f.upperAlnum(6)}-${f.upperAlnum(6)}-${f.upperAlnum(5)}-${f.upperAlnum(5)}-${f.upperAlnum(5)}-${f.upperAlnum(5)}\n`,
    fp: () => 'A3-ABCDEF-GHIJKL-MNOPQ-RSTUV-WXYZ0-12345\n',
  },
  prefixed('secret-pulumi-token', 'pul-', () => `${f.hex(40)}`),
  {
    id: 'secret-kubernetes-secret-manifest',
    path: '/app/deploy/secret.yaml',
    tp: () =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${Buffer.from(f.alnum(20)).toString('base64')}\n`,
    fp: () =>
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {{ .Values.password }}\n',
  },
  prefixed('secret-openshift-user-token', 'sha256~', () => `${f.urlsafe(43)}`),
  prefixed('secret-tailscale-key', 'tskey-auth-k', () => `${f.alnum(10)}CNTRL-${f.alnum(33)}`),
  named('secret-cloudflare-api-token', 'CLOUDFLARE_API_TOKEN', () => f.urlsafe(40)),
  {
    id: 'secret-cloudflare-origin-ca-key',
    tp: () => `# cloudflare origin CA\nCF_ORIGIN_CA_KEY=v1.0-${f.hex(24)}-${f.hex(146)}\n`,
    fp: () => `# cloudflare origin CA\nCF_ORIGIN_CA_KEY=v1.0-${'0'.repeat(24)}-${'0'.repeat(146)}\n`,
  },
  named('secret-fastly-api-token', 'FASTLY_API_TOKEN', () => f.urlsafe(32)),
  prefixed('secret-cloudflare-api-token-v2', 'cfut_', () => `${f.alnum(40)}${f.hex(8)}`),
  named('secret-cisco-meraki-api-key', 'MERAKI_DASHBOARD_API_KEY', () => f.hex(40)),
  prefixed('secret-flyio-token', 'fo1_', () => `${f.urlsafe(43)}`),
  named('secret-heroku-api-key', 'HEROKU_API_KEY', () => f.uuid()),
  prefixed('secret-heroku-api-key-v2', 'HRKU-AA', () => `${f.urlsafe(58)}`),
  named('secret-vercel-token', 'VERCEL_TOKEN', () => f.alnum(24)),
  prefixed('secret-vercel-token-v2', 'vcp_', () => f.alnum(56)),
  named('secret-netlify-token', 'NETLIFY_AUTH_TOKEN', () => `nfp_${f.alnum(40)}`),
  prefixed('secret-databricks-token', 'dapi', () => `${f.hex(32)}`),
  prefixed('secret-planetscale-token', 'pscale_tkn_', () => `${f.urlsafe(43)}`),
  prefixed('secret-scalingo-token', 'tk-us-', () => `${f.urlsafe(48)}`),
  prefixed('secret-clickhouse-cloud-key', '4b1d', () => `${f.alnum(38)}`),
  prefixed('secret-defined-networking-token', 'dnkey-', () => `${f.urlsafe(26)}-${f.urlsafe(52)}`),
  prefixed('secret-aiven-service-password', 'AVNS_', () => f.urlsafe(24)),
  prefixed('secret-infracost-token', 'ico-', () => `${f.alnum(32)}`),
  prefixed('secret-prefect-token', 'pnu_', () => `${f.alnum(36)}`),
  prefixed(
    'secret-authress-key',
    'sc_',
    () => `${f.lowerAlnum(12)}.${f.lowerAlnum(5)}.acc_${f.lowerAlnum(20)}.${f.b64(60)}`,
    () => `sc_${f.lowerAlnum(12)}.${f.lowerAlnum(5)}.acc_${f.lowerAlnum(20)}.${f.sequential(60)}`,
  ),
  prefixed('secret-settlemint-token', 'sm_pat_', () => `${f.alnum(16)}`),
  // ---- SaaS ----
  named('secret-adafruit-api-key', 'ADAFRUIT_IO_KEY', () => f.urlsafe(32)),
  { id: 'secret-adobe-client-id', tp: () => `ADOBE_CLIENT_ID=${f.hex(32)}\n`, fp: () => `CLIENT_ID=${f.hex(32)}\n` },
  named('secret-airtable-api-key', 'AIRTABLE_API_KEY', () => f.lowerAlnum(17)),
  named('secret-algolia-api-key', 'ALGOLIA_ADMIN_KEY', () => f.lowerAlnum(32)),
  {
    id: 'secret-asana-client-id',
    tp: () => `ASANA_CLIENT_ID=${f.digits(16)}\n`,
    fp: () => `CLIENT_ID=${f.digits(16)}\n`,
  },
  named('secret-asana-client-secret', 'ASANA_CLIENT_SECRET', () => f.lowerAlnum(32)),
  named('secret-confluent-access-token', 'CONFLUENT_API_KEY', () => f.upperAlnum(16)),
  named('secret-confluent-secret-key', 'CONFLUENT_API_SECRET', () => f.alnum(64)),
  named('secret-contentful-token', 'CONTENTFUL_DELIVERY_TOKEN', () => f.urlsafe(43)),
  named('secret-dropbox-api-secret', 'DROPBOX_APP_SECRET', () => f.lowerAlnum(15)),
  named('secret-dropbox-token', 'DROPBOX_ACCESS_TOKEN', () => `sl.${f.urlsafe(135)}`),
  named('secret-etsy-token', 'ETSY_API_KEY', () => f.lowerAlnum(24)),
  named('secret-facebook-secret', 'FACEBOOK_APP_SECRET', () => f.hex(32)),
  named('secret-flickr-token', 'FLICKR_API_KEY', () => f.lowerAlnum(32)),
  named('secret-freshbooks-token', 'FRESHBOOKS_ACCESS_TOKEN', () => f.lowerAlnum(64)),
  named('secret-hubspot-api-key', 'HUBSPOT_ACCESS_TOKEN', () => `pat-na1-${f.uuid()}`),
  named('secret-linear-client-secret', 'LINEAR_CLIENT_SECRET', () => f.hex(32)),
  {
    id: 'secret-linkedin-client-id',
    tp: () => `LINKEDIN_CLIENT_ID=${f.lowerAlnum(14)}\n`,
    fp: () => `CLIENT_ID=${f.lowerAlnum(14)}\n`,
  },
  named('secret-linkedin-client-secret', 'LINKEDIN_CLIENT_SECRET', () => f.alnum(16)),
  named('secret-nytimes-token', 'NYTIMES_API_KEY', () => f.urlsafe(32)),
  named('secret-okta-token', 'OKTA_API_TOKEN', () => `00${f.urlsafe(40)}`),
  named('secret-rapidapi-token', 'RAPIDAPI_KEY', () => f.urlsafe(50)),
  named('secret-squarespace-token', 'SQUARESPACE_API_KEY', () => f.uuid()),
  named('secret-twitter-api-key', 'TWITTER_API_KEY', () => f.alnum(25)),
  named('secret-twitter-api-secret', 'TWITTER_API_SECRET', () => f.alnum(50)),
  named('secret-twitter-access-token', 'TWITTER_ACCESS_TOKEN', () => `${f.digits(19)}-${f.alnum(30)}`),
  named('secret-twitter-access-secret', 'TWITTER_ACCESS_SECRET', () => f.alnum(45)),
  named('secret-twitter-bearer-token', 'TWITTER_BEARER_TOKEN', () => `${'A'.repeat(22)}${f.alnum(90)}`),
  prefixed('secret-linear-api-key', 'lin_api_', () => `${f.alnum(40)}`),
  prefixed('secret-notion-token', 'ntn_', () => `${f.digits(11)}${f.alnum(35)}`),
  {
    id: 'secret-airtable-pat',
    tp: () => `AIRTABLE_TOKEN=pat${f.alnum(14)}.${f.hex(64)}\n`,
    fp: () => `AIRTABLE_TOKEN=pat${f.alnum(14)}.${'0'.repeat(64)}\n`,
  },
  prefixed('secret-typeform-token', 'tfp_', () => `${f.urlsafe(59)}`),
  prefixed('secret-figma-token', 'figd_', () => f.urlsafe(40)),
  prefixed('secret-postman-api-key', 'PMAK-', () => `${f.hex(24)}-${f.hex(34)}`),
  prefixed('secret-readme-api-key', 'rdme_', () => `${f.lowerAlnum(70)}`),
  prefixed('secret-frameio-token', 'fio-u-', () => `${f.urlsafe(64)}`),
  prefixed('secret-adobe-client-secret', 'p8e-', () => `${f.alnum(32)}`),
  prefixed('secret-intra42-client-secret', 's-s4t2ud-', () => `${f.hex(64)}`),
  prefixed(
    'secret-maxmind-license-key',
    '',
    () => `${f.alnum(6)}_${f.alnum(29)}_mmk`,
    () => `${f.alnum(6)}_${f.sequential(29)}_mmk`,
  ),
  prefixed(
    'secret-facebook-access-token',
    'EAAC',
    () => `${f.alnum(140)}`,
    () => `EAAC${f.repeated(140)}`,
  ),
  named('secret-facebook-app-token', 'FACEBOOK_ACCESS_TOKEN', () => `${f.digits(16)}|${f.urlsafe(32)}`),
  {
    id: 'secret-mapbox-token',
    tp: () => `MAPBOX_TOKEN=sk.${f.lowerAlnum(60)}.${f.lowerAlnum(22)}\n`,
    fp: () => `MAPBOX_TOKEN=sk.${sequentialLike(f.lowerAlnum(60))}.${sequentialLike(f.lowerAlnum(22))}\n`,
  },
  named('secret-sidekiq-secret', 'BUNDLE_ENTERPRISE__CONTRIBSYS__COM', () => `${f.hex(8)}:${f.hex(8)}`),
  named('secret-beamer-api-token', 'BEAMER_API_KEY', () => `b_${f.urlsafe(44)}`),
  {
    id: 'secret-sidekiq-url',
    tp: () => `source "https://${f.hex(8)}:${f.hex(8)}@gems.contribsys.com/"\n`,
    fp: () => 'source "https://gems.contribsys.com/"\n',
  },
  {
    id: 'secret-freemius-secret-key',
    path: '/var/www/plugin/freemius.php',
    tp: () => `<?php\n$config = array('secret_key' => 'sk_${f.alnum(29)}');\n`,
    fp: () => `<?php\n$config = array('secret_key' => 'sk_${'x'.repeat(29)}');\n`,
  },
  // ---- generic ----
  {
    id: 'secret-jwt',
    tp: () => `auth: ${f.jwt()}\n`,
    fp: () => `data: eyJ${f.alnum(20)}.eyJ${f.alnum(20)}.${f.alnum(20)}\n`,
  },
  {
    id: 'secret-jwt-base64',
    tp: () => `  token: ${Buffer.from(f.jwt()).toString('base64')}\n`,
    // base64 of something that starts like a JWT but is not one (no JSON header).
    fp: () => `  token: ${Buffer.from(`eyJ${f.alnum(20)}.eyJ${f.alnum(20)}.${f.alnum(20)}`).toString('base64')}\n`,
  },
  {
    id: 'secret-url-credentials',
    tp: () => `DATABASE_URL=postgres://app:${f.alnum(16)}@db.internal:5432/app\n`,
    fp: () => 'DATABASE_URL=postgres://user:password@localhost/db\n',
  },
  {
    id: 'secret-curl-basic-auth',
    tp: () => `curl -fsS -u deploy:${f.alnum(16)} https://repo.internal/x\n`,
    fp: () => 'curl -fsS -u "$USER:$PASS" https://repo.internal/x\ncurl -u <user:password> https://repo.internal/x\n',
  },
  {
    id: 'secret-authorization-header',
    tp: () => `-H "Authorization: Bearer ${f.urlsafe(40)}"\n`,
    fp: () => '-H "Authorization: Bearer <token>"\n-H "Authorization: Bearer $TOKEN"\n',
  },
  {
    id: 'secret-api-key-header',
    tp: () => `curl -H "X-API-Key: ${f.alnum(32)}" https://api.internal/x\n`,
    fp: () => 'curl -H "X-API-Key: <YOUR_API_KEY>" https://api.internal/x\n',
  },
  {
    id: 'secret-curl-header-token',
    tp: () => `curl -sS -H 'Token: ${f.alnum(40)}' https://api.example.org/v1/items\n`,
    // The same value as a YAML key's, and the header filled from a variable.
    fp: () => `token: ${f.alnum(40)}\ncurl -H "Token: $API_TOKEN" https://api.example.org/v1/items\n`,
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
