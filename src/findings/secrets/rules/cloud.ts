/** Cloud providers: AWS (with Bedrock), Google Cloud, Azure, Alibaba, IBM, DigitalOcean, Yandex. */
import { downgrade } from '../precision.js';
import { pemKeyBody } from '../structure.js';
import { END, keyed, token, UUID } from './build.js';
import { pemBody } from './keys.js';
import type { RuleContext, SecretRule } from './types.js';

/** How far from a match its line is read for context: a connection string's or a URL's reach. */
const AROUND = 1024;

/**
 * The match's line, at most AROUND characters either side of the match: the whole line for every
 * match of a long line of them was quadratic (a line of thousands of `?sig=` values).
 */
function lineAround(ctx: RuleContext): string {
  const { text, index } = ctx;
  const from = Math.max(0, index - AROUND);
  const to = Math.min(text.length, index + AROUND);
  // (Searched within the cut: a search of the whole text would walk the whole line again.)
  const near = text.slice(from, to);
  const e = near.indexOf('\n', index - from);
  return near.slice(near.lastIndexOf('\n', index - from) + 1, e < 0 ? near.length : e);
}

const c = 'cloud' as const;

export const CLOUD_RULES: SecretRule[] = [
  token(
    c,
    {
      id: 'secret-aws-access-key-id',
      title: 'AWS access key ID',
      service: 'AWS',
      severity: 'high',
      keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
      pattern: /(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Z0-9])/g,
    },
    // (Upper case only: "Asia" and "Acca" in prose are not keys.)
    { follows: { kind: 'run', chars: 'A-Z0-9', min: 16 } },
  ),
  token(
    c,
    {
      id: 'secret-aws-secret-access-key',
      title: 'AWS secret access key',
      service: 'AWS',
      severity: 'critical',
      // (Every spelling the key alternatives allow: aws_?secret… and secret_?access_?key.)
      // (Parts of them whose pieces are rarer in text: "accessKey" alone is in every AWS SDK file.)
      keywords: ['aws_secret', 'awssecret', 't_access_key', 'taccesskey', 't_accesskey', 'taccess_key', 't-access-key'],
      // (The key's separator is `\s*[:=]\s*` or `\s+`, one way only: written `\s*(?:[:=]|\s)\s*`, a
      // key followed by 60 KB of blanks took seconds.)
      pattern:
        /(?<key>aws_?secret_?(?:access_?)?key|secret_?access_?key|secret-access-key|SecretAccessKey)["']?(?:\s*[:=]\s*|\s+)["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    },
    { entropy: 3.5, prefixLength: 0 },
  ),
  token(
    c,
    {
      id: 'secret-aws-session-token',
      title: 'AWS session token',
      service: 'AWS',
      severity: 'high',
      // (Every spelling the pattern allows, whole: "ntoken" alone is in every ContinuationToken of the AWS SDKs.)
      keywords: ['session_token', 'sessiontoken', 'security_token', 'securitytoken'],
      pattern:
        /(?<key>aws_?session_?token|aws_?security_?token|SessionToken)["']?(?:\s*[:=]\s*|\s+)["']?(?<secret>[A-Za-z0-9/+=]{100,})/gi,
    },
    { prefixLength: 0 },
  ),
  token(c, {
    id: 'secret-aws-mws-auth-token',
    title: 'Amazon Marketplace Web Service auth token',
    service: 'AWS',
    severity: 'high',
    keywords: ['amzn.mws.'],
    pattern: new RegExp(String.raw`\b(?<secret>amzn\.mws\.${UUID})${END}`, 'gi'),
  }),
  {
    id: 'secret-gcp-service-account-key',
    title: 'Google Cloud service account key (JSON)',
    service: 'Google Cloud',
    family: c,
    severity: 'critical',
    keywords: ['rvice_account'],
    pattern: /"type"\s*:\s*"service_account"/g,
    check: (_v, _m, ctx) => {
      const around = ctx.text.slice(Math.max(0, ctx.index - 4096), ctx.index + 8192);
      const key = /"private_key"\s*:\s*"(-----BEGIN[^"]*)"/.exec(around);
      if (!key) return false; // no key in it: the account's description, not a credential
      const id = around.match(/"private_key_id"\s*:\s*"([0-9a-f]{20,})"/);
      const value = id ? id[1] : 'service_account';
      const body = pemBody(key[1].replace(/^-----BEGIN[^-]*-----/, ''), 0);
      if (/\.\.\.|…/.test(body) || body.length < 64) return { ...downgrade('elided-key'), value };
      if (pemKeyBody(body) === 'elided') return { ...downgrade('elided-key'), value };
      return { value };
    },
    remediation:
      'Delete the key in the Google Cloud console (IAM → Service accounts → Keys), rebuild without it, and use workload identity or a mounted secret instead.',
  },
  token(
    c,
    {
      id: 'secret-gcp-api-key',
      title: 'Google API key',
      service: 'Google Cloud',
      severity: 'high',
      keywords: ['aiza'],
      pattern: /(?<![0-9A-Za-z_-])(?<secret>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g,
    },
    {
      entropy: 3.5,
      clientKey: true,
      // A Firebase web configuration ships its API key to every browser: public by design.
      check: (_v, _m, ctx) =>
        /firebaseapp\.com|authDomain|firebaseio\.com|measurementId/.test(
          ctx.text.slice(Math.max(0, ctx.index - 600), ctx.index + 600),
        )
          ? downgrade('public-by-design', 'low', 'Firebase web configuration')
          : undefined,
    },
  ),
  token(c, {
    id: 'secret-gcp-oauth-client-secret',
    title: 'Google OAuth client secret',
    service: 'Google Cloud',
    severity: 'high',
    keywords: ['cspx-'],
    pattern: /\b(?<secret>GOCSPX-[A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])/g,
  }),
  token(
    c,
    {
      id: 'secret-gcp-oauth-access-token',
      title: 'Google OAuth access token',
      service: 'Google Cloud',
      severity: 'high',
      keywords: ['ya29.'],
      pattern: /\b(?<secret>ya29\.[A-Za-z0-9_-]{30,})(?![A-Za-z0-9_-])/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 30 } },
  ),
  token(
    c,
    {
      id: 'secret-azure-storage-account-key',
      title: 'Azure storage account key',
      service: 'Azure',
      severity: 'critical',
      keywords: ['ntkey='],
      pattern: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/g,
    },
    {
      prefixLength: 0,
      // The storage emulator's (Azurite's) development account and key are published by Microsoft.
      check: (_v, _m, ctx) =>
        /AccountName=devstoreaccount1\b/.test(lineAround(ctx))
          ? downgrade('example-marker', 'info', "the storage emulator's published development key")
          : undefined,
    },
  ),
  token(
    c,
    {
      id: 'secret-azure-shared-access-key',
      title: 'Azure shared access key (Service Bus, Event Hubs, IoT Hub)',
      service: 'Azure',
      severity: 'critical',
      keywords: ['daccesskey='],
      pattern: /SharedAccessKey=(?<secret>[A-Za-z0-9+/]{42,43}=)/g,
    },
    { prefixLength: 0 },
  ),
  token(
    c,
    {
      id: 'secret-azure-sas-token',
      title: 'Azure shared access signature (SAS)',
      service: 'Azure',
      severity: 'high',
      keywords: ['sig='],
      pattern: /[?&;]sig=(?<secret>[A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})/g,
    },
    { prefixLength: 0, check: (_v, _m, ctx) => (/[?&;]sv=\d{4}-\d\d-\d\d/.test(lineAround(ctx)) ? undefined : false) },
  ),
  token(
    c,
    {
      id: 'secret-azure-client-secret',
      title: 'Azure AD (Entra ID) client secret',
      service: 'Azure',
      severity: 'high',
      // The digit before Q~ is part of the format: three-byte keywords (the prefilter's WebAssembly
      // loop needs every keyword to have three bytes).
      keywords: ['0q~', '1q~', '2q~', '3q~', '4q~', '5q~', '6q~', '7q~', '8q~', '9q~'],
      pattern: /(?<![A-Za-z0-9_~.-])(?<secret>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
    },
    { prefixLength: 6 },
  ),
  keyed(c, {
    id: 'secret-azure-devops-pat',
    title: 'Azure DevOps personal access token',
    service: 'Azure DevOps',
    severity: 'critical',
    names: ['azure_devops', 'azuredevops', 'azure-devops', 'ado_pat', 'azdo'],
    value: '[a-z2-7]{52}',
  }),
  token(c, {
    id: 'secret-digitalocean-token',
    title: 'DigitalOcean token (personal, OAuth or refresh)',
    service: 'DigitalOcean',
    severity: 'critical',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: /\b(?<secret>do[opr]_v1_[a-f0-9]{64})\b/g,
  }),
  token(
    c,
    {
      id: 'secret-alibaba-access-key-id',
      title: 'Alibaba Cloud AccessKey ID',
      service: 'Alibaba Cloud',
      severity: 'high',
      keywords: ['ltai'],
      pattern: /\b(?<secret>LTAI[A-Za-z0-9]{12,20})\b/g,
    },
    { entropy: 3.0 },
  ),
  keyed(c, {
    id: 'secret-alibaba-secret-key',
    title: 'Alibaba Cloud AccessKey secret',
    service: 'Alibaba Cloud',
    severity: 'critical',
    names: ['alibaba', 'aliyun'],
    keywords: ['ibaba', 'liyun'],
    value: '[a-z0-9]{30}',
  }),
  keyed(c, {
    id: 'secret-ibm-cloud-iam-key',
    title: 'IBM Cloud IAM API key',
    service: 'IBM Cloud',
    severity: 'critical',
    names: ['ibm_cloud', 'ibmcloud', 'ibm-cloud', 'ibm_iam', 'iam_api_key', 'iam_apikey'],
    keywords: ['ibm_cloud', 'bmcloud', 'ibm-cloud', 'ibm_iam', 'm_api_key', 'm_apikey'],
    value: '[a-z0-9_-]{44}',
  }),
  keyed(c, {
    id: 'secret-ibm-cos-hmac-secret',
    title: 'IBM Cloud Object Storage HMAC secret',
    service: 'IBM Cloud',
    severity: 'critical',
    names: ['ibm_cos', 'cos_hmac', 'hmac_secret'],
    keywords: ['ibm_cos', 's_hmac', 'ac_secret'],
    value: '[a-f0-9]{48}',
  }),
  keyed(c, {
    id: 'secret-softlayer-api-key',
    title: 'SoftLayer (IBM Classic Infrastructure) API key',
    service: 'IBM Cloud',
    severity: 'critical',
    names: ['softlayer', 'sl_api_key'],
    keywords: ['ftlayer', 'l_api_key'],
    value: '[a-z0-9]{64}',
  }),
  // Yandex's OAuth tokens (t1.…) and static keys (YC…) are known only by the key name "yandex",
  // whose pieces ("and", "dex") are in every other line of text: left to the generic rule.
  token(
    c,
    {
      id: 'secret-yandex-api-key',
      title: 'Yandex Cloud API key',
      service: 'Yandex Cloud',
      severity: 'high',
      keywords: ['aqvn'],
      pattern: /\b(?<secret>AQVN[A-Za-z0-9_-]{35,38})(?![A-Za-z0-9_-])/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 35 } },
  ),
  // `t1.` and two base64url parts, the second of 86 characters; found under a token's key name
  // (IAM_TOKEN=, "iamToken":). The prefix alone cannot be a keyword: a three-byte keyword puts every
  // "1." of a text (versions, decimals) through the prefilter's slow path. In an Authorization
  // header the header rule reports it. (The generic rule read such a token as a dotted name.)
  keyed(c, {
    id: 'secret-yandex-iam-token',
    title: 'Yandex Cloud IAM token',
    service: 'Yandex Cloud',
    // (It lives 12 hours at most: high, not critical.)
    severity: 'high',
    names: ['token'],
    value: 't1\\.[a-z0-9_-]{32,}={0,2}\\.[a-z0-9_-]{86}={0,2}',
    entropy: 4.0,
    prefixLength: 3,
  }),
  token(
    c,
    {
      id: 'secret-aws-bedrock-api-key',
      title: 'Amazon Bedrock API key',
      service: 'AWS',
      severity: 'critical',
      // Long-term keys are `ABSK` and base64; short-term ones a presigned URL, base64, after
      // `bedrock-api-key-` (whose first bytes encode the Bedrock host name). (A `=` before one is
      // an assignment: base64 pads only at its end.)
      keywords: ['absk', 'bedrock-api-key-'],
      pattern:
        /(?<![A-Za-z0-9+/])(?<secret>(?:ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-YmVkcm9jay[A-Za-z0-9+/]{100,}={0,2}))(?![A-Za-z0-9+/=])/g,
    },
    { entropy: 4.5 },
  ),
];
