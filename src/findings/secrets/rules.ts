/**
 * The secret rules: one entry per kind of credential, each with the literal keywords that must
 * appear before its pattern runs (a single pass over the text finds the keywords; patterns only
 * run on the lines that hold one). The secret itself is the named group `secret`.
 *
 * Severity: critical for credentials that give broad or write access on their own (unencrypted
 * private keys, cloud secret keys, package-publishing and VCS tokens, live payment keys); high for
 * other service tokens and webhooks; medium for encrypted keys, JWTs and the generic rule.
 */
import { keyNamesNoSecret } from '../key-names.js';
import type { Severity } from '../types.js';
import { charClasses, shannonEntropy } from './entropy.js';
import { looksLikeCode, placeholderReason } from './placeholder.js';

export interface RuleContext {
  /** The whole text window the match was found in (for multi-line formats). */
  text: string;
  /** Offset of the match in `text`. */
  index: number;
}

/**
 * See SecretRule.follows. Classes are written as the body of a regex character class, over
 * bytes (latin1), case-sensitive.
 */
export type Follow =
  /** At least `min` bytes of the class `chars`. */
  | { kind: 'run'; chars: string; min: number }
  /**
   * An assignment: the rest of a key name (bytes of [A-Za-z0-9_.-]; more than 48 of them pass
   * unjudged), an optional quote, spaces or tabs, then ':' or '='.
   */
  | { kind: 'assignment' }
  /** An optional quote, whitespace, then ':' (a header, maybe quoted). */
  | { kind: 'colon' }
  /** URL user info: an '@' within 193 bytes, before any whitespace, '/', quote or angle bracket. */
  | { kind: 'userinfo' }
  /** `text` (two bytes) later on the same line. */
  | { kind: 'on-line'; text: string };

/** What a rule's check decides: drop the match, or adjust its severity with a reason. */
export type CheckResult =
  | false
  | undefined
  | { severity?: Severity; reason?: string; encrypted?: boolean; value?: string };

export interface SecretRule {
  id: string;
  title: string;
  /** Who issued the credential (for messages and SARIF help). */
  service: string;
  severity: Severity;
  /** Lower-case literals; one must occur (in the line, or the window for scope 'window'). */
  keywords: string[];
  pattern: RegExp;
  scope?: 'line' | 'window';
  /**
   * What comes right after a keyword wherever the pattern matches (line-scoped rules). The
   * prefilter drops keyword hits without it (follow.ts, and in WebAssembly keyword-scan.wat),
   * so keyword-dense text that cannot match (prose about passwords, URLs without credentials,
   * words like "Asia") never reaches the rule. Every match of the pattern holds one of the
   * rule's keywords followed by this: test/findings/secret-rules.test.ts checks it on random lines.
   */
  follows?: Follow;
  /** Extra validation of the value; may drop or downgrade. */
  check?: (value: string, m: RegExpExecArray, ctx: RuleContext) => CheckResult;
  remediation: string;
}

const ROTATE =
  'Revoke or rotate it now, rebuild the image without it (a later `rm` does not remove it from earlier layers), and pass it at build time with `RUN --mount=type=secret` or at run time from a secret store.';
const KEY_REMEDIATION =
  'Treat the key as compromised: replace it, rebuild without it (a later `rm` does not remove it from earlier layers), and mount it at run time or at build time with `RUN --mount=type=secret`.';

function token(
  id: string,
  title: string,
  service: string,
  severity: Severity,
  keywords: string[],
  pattern: RegExp,
  extra: Partial<SecretRule> = {},
): SecretRule {
  return { id, title, service, severity, keywords, pattern, remediation: ROTATE, ...extra };
}

/** Random-looking enough to be a real token (used by rules whose format alone is weak). */
function randomEnough(min: number): (v: string) => CheckResult {
  return (v) => (shannonEntropy(v) < min ? false : undefined);
}

function pemBody(text: string, from: number): string {
  const end = text.indexOf('-----END', from);
  const stop = end < 0 ? Math.min(text.length, from + 8192) : Math.min(end, from + 16384);
  return text.slice(from, stop).replace(/\\n|\\r|[\s"',]/g, '');
}

/** The cipher an OpenSSH private key is protected with: 'none' means unencrypted. */
export function opensshCipher(body: string): string | null {
  try {
    const buf = Buffer.from(body.slice(0, 200), 'base64');
    const magic = 'openssh-key-v1\0';
    if (buf.toString('latin1', 0, magic.length) !== magic) return null;
    const len = buf.readUInt32BE(magic.length);
    if (len > 64) return null;
    return buf.toString('latin1', magic.length + 4, magic.length + 4 + len);
  } catch {
    return null;
  }
}

function b64urlJson(part: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// Key names whose last part says the value is not the secret itself (DB_PASSWORD_FILE): one list,
// in src/findings/key-names.ts.
export { keyNamesNoSecret };

export const SECRET_RULES: SecretRule[] = [
  // ---- private keys ----
  {
    id: 'secret-private-key',
    title: 'Private key (PEM)',
    service: 'PKI',
    severity: 'critical',
    keywords: ['private key-----'],
    pattern: /-----BEGIN (?<kind>(?:RSA |EC |DSA |ENCRYPTED |ANY |)PRIVATE KEY)-----/g,
    check: (_v, m, ctx) => {
      const from = ctx.index + m[0].length;
      const body = pemBody(ctx.text, from);
      if (body.length < 64) return false; // a header in documentation or code, no key
      const encrypted = m.groups!.kind.startsWith('ENCRYPTED') || /^Proc-Type:4,ENCRYPTED/.test(body);
      return encrypted
        ? { severity: 'medium', reason: 'the key is encrypted with a passphrase', encrypted: true, value: body }
        : { value: body };
    },
    remediation: KEY_REMEDIATION,
  },
  {
    id: 'secret-openssh-private-key',
    title: 'OpenSSH private key',
    service: 'SSH',
    severity: 'critical',
    keywords: ['begin openssh private key'],
    pattern: /-----BEGIN OPENSSH PRIVATE KEY-----/g,
    check: (_v, m, ctx) => {
      const body = pemBody(ctx.text, ctx.index + m[0].length);
      if (body.length < 64) return false;
      const cipher = opensshCipher(body);
      if (cipher && cipher !== 'none')
        return { severity: 'medium', reason: `the key is encrypted (${cipher})`, encrypted: true, value: body };
      return { value: body };
    },
    remediation: KEY_REMEDIATION,
  },
  {
    id: 'secret-pgp-private-key',
    title: 'PGP private key block',
    service: 'OpenPGP',
    severity: 'high',
    keywords: ['begin pgp private key block'],
    pattern: /-----BEGIN PGP PRIVATE KEY BLOCK-----/g,
    check: (_v, m, ctx) => {
      const body = pemBody(ctx.text, ctx.index + m[0].length).replace(
        /^(?:[A-Za-z-]+:[\s\S]*?)?(?=[A-Za-z0-9+/]{40})/,
        '',
      );
      if (body.length < 64) return false;
      return { value: body };
    },
    remediation: KEY_REMEDIATION,
  },
  {
    id: 'secret-putty-private-key',
    title: 'PuTTY private key',
    service: 'SSH',
    severity: 'critical',
    keywords: ['putty-user-key-file-'],
    scope: 'window',
    pattern: /PuTTY-User-Key-File-[23]: (?<alg>\S+)\r?\nEncryption: (?<enc>\S+)/g,
    check: (_v, m, ctx) => {
      const rest = ctx.text.slice(ctx.index, ctx.index + 8192);
      const priv = rest.match(/Private-Lines: \d+\r?\n([A-Za-z0-9+/=\r\n]+)/);
      if (!priv) return false;
      const value = priv[1].replace(/\s/g, '');
      if (m.groups!.enc !== 'none')
        return { severity: 'medium', reason: `the key is encrypted (${m.groups!.enc})`, encrypted: true, value };
      return { value };
    },
    remediation: KEY_REMEDIATION,
  },

  // ---- cloud providers ----
  token(
    'secret-aws-access-key-id',
    'AWS access key ID',
    'AWS',
    'high',
    ['akia', 'asia', 'abia', 'acca', 'a3t'],
    /(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Z0-9])/g,
    {
      // (Upper case only: "Asia" and "Acca" in prose are not keys.)
      follows: { kind: 'run', chars: 'A-Z0-9', min: 16 },
    },
  ),
  token(
    'secret-aws-secret-access-key',
    'AWS secret access key',
    'AWS',
    'critical',
    // (Every spelling the key alternatives allow: aws_?secret… and secret_?access_?key.)
    [
      'aws_secret',
      'awssecret',
      'secret_access_key',
      'secretaccesskey',
      'secret_accesskey',
      'secretaccess_key',
      'secret-access-key',
    ],
    /(?<key>aws_?secret_?(?:access_?)?key|secret_?access_?key|secret-access-key|SecretAccessKey)["']?\s*(?:[:=]|\s)\s*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    { check: randomEnough(3.5) },
  ),
  token(
    'secret-aws-session-token',
    'AWS session token',
    'AWS',
    'high',
    ['session_token', 'sessiontoken', 'security_token', 'securitytoken'],
    /(?<key>aws_?session_?token|aws_?security_?token|SessionToken)["']?\s*(?:[:=]|\s)\s*["']?(?<secret>[A-Za-z0-9/+=]{100,})/gi,
  ),
  {
    id: 'secret-gcp-service-account-key',
    title: 'Google Cloud service account key (JSON)',
    service: 'Google Cloud',
    severity: 'critical',
    keywords: ['service_account'],
    pattern: /"type"\s*:\s*"service_account"/g,
    check: (_v, _m, ctx) => {
      const around = ctx.text.slice(Math.max(0, ctx.index - 4096), ctx.index + 8192);
      if (!/"private_key"\s*:\s*"-----BEGIN/.test(around)) return false;
      const id = around.match(/"private_key_id"\s*:\s*"([0-9a-f]{20,})"/);
      return { value: id ? id[1] : 'service_account' };
    },
    remediation:
      'Delete the key in the Google Cloud console (IAM → Service accounts → Keys), rebuild without it, and use workload identity or a mounted secret instead.',
  },
  token(
    'secret-gcp-api-key',
    'Google API key',
    'Google Cloud',
    'high',
    ['aiza'],
    /(?<![0-9A-Za-z_-])(?<secret>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g,
  ),
  token(
    'secret-azure-storage-account-key',
    'Azure storage account key',
    'Azure',
    'critical',
    ['accountkey='],
    /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/g,
  ),
  token(
    'secret-azure-sas-token',
    'Azure shared access signature (SAS)',
    'Azure',
    'high',
    ['sig='],
    /[?&;]sig=(?<secret>[A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})/g,
    { check: (_v, _m, ctx) => (/[?&;]sv=\d{4}-\d\d-\d\d/.test(lineAround(ctx)) ? undefined : false) },
  ),
  token(
    'secret-azure-client-secret',
    'Azure AD (Entra ID) client secret',
    'Azure',
    'high',
    // The digit before Q~ is part of the format: three-byte keywords (the prefilter's WebAssembly
    // loop needs every keyword to have three bytes).
    ['0q~', '1q~', '2q~', '3q~', '4q~', '5q~', '6q~', '7q~', '8q~', '9q~'],
    /(?<![A-Za-z0-9_~.-])(?<secret>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
  ),
  token(
    'secret-digitalocean-token',
    'DigitalOcean token',
    'DigitalOcean',
    'high',
    ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    /\b(?<secret>do[opr]_v1_[a-f0-9]{64})\b/g,
  ),
  token(
    'secret-alibaba-access-key-id',
    'Alibaba Cloud AccessKey ID',
    'Alibaba Cloud',
    'high',
    ['ltai'],
    /\b(?<secret>LTAI[A-Za-z0-9]{12,20})\b/g,
    {
      check: randomEnough(3.0),
    },
  ),

  // ---- VCS and package registries ----
  token(
    'secret-github-pat',
    'GitHub personal access token (classic)',
    'GitHub',
    'critical',
    ['ghp_'],
    /\b(?<secret>ghp_[A-Za-z0-9]{36})\b/g,
  ),
  token(
    'secret-github-oauth-token',
    'GitHub OAuth access token',
    'GitHub',
    'high',
    ['gho_'],
    /\b(?<secret>gho_[A-Za-z0-9]{36})\b/g,
  ),
  token(
    'secret-github-user-token',
    'GitHub user-to-server token',
    'GitHub',
    'high',
    ['ghu_'],
    /\b(?<secret>ghu_[A-Za-z0-9]{36})\b/g,
  ),
  token(
    'secret-github-app-token',
    'GitHub server-to-server (app installation) token',
    'GitHub',
    'high',
    ['ghs_'],
    /\b(?<secret>ghs_[A-Za-z0-9]{36})\b/g,
  ),
  token(
    'secret-github-refresh-token',
    'GitHub refresh token',
    'GitHub',
    'high',
    ['ghr_'],
    /\b(?<secret>ghr_[A-Za-z0-9]{36,76})\b/g,
  ),
  token(
    'secret-github-fine-grained-pat',
    'GitHub fine-grained personal access token',
    'GitHub',
    'critical',
    ['github_pat_'],
    /\b(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
  ),
  token(
    'secret-gitlab-pat',
    'GitLab personal access token',
    'GitLab',
    'critical',
    ['glpat-'],
    /\b(?<secret>glpat-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/g,
  ),
  token(
    'secret-gitlab-runner-token',
    'GitLab runner authentication token',
    'GitLab',
    'high',
    ['glrt-'],
    /\b(?<secret>glrt-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/g,
  ),
  token(
    'secret-gitlab-deploy-token',
    'GitLab deploy token',
    'GitLab',
    'high',
    ['gldt-'],
    /\b(?<secret>gldt-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/g,
  ),
  token('secret-npm-token', 'npm access token', 'npm', 'critical', ['npm_'], /\b(?<secret>npm_[A-Za-z0-9]{36})\b/g, {
    check: randomEnough(3.5),
  }),
  token(
    'secret-pypi-token',
    'PyPI API token',
    'PyPI',
    'critical',
    ['pypi-ag'],
    /\b(?<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})(?![A-Za-z0-9_-])/g,
  ),
  token(
    'secret-rubygems-api-key',
    'RubyGems API key',
    'RubyGems',
    'critical',
    ['rubygems_'],
    /\b(?<secret>rubygems_[a-f0-9]{48})\b/g,
  ),
  token(
    'secret-artifactory-api-key',
    'JFrog Artifactory API key',
    'JFrog',
    'high',
    ['akcp'],
    /\b(?<secret>AKCp[A-Za-z0-9]{69})\b/g,
  ),
  token(
    'secret-artifactory-reference-token',
    'JFrog Artifactory reference token',
    'JFrog',
    'high',
    ['cmvmdgtu'],
    /\b(?<secret>cmVmdGtu[A-Za-z0-9]{56})\b/g,
  ),

  // ---- chat ----
  token(
    'secret-slack-token',
    'Slack token',
    'Slack',
    'high',
    ['xox', 'xapp-'],
    /\b(?<secret>xox[abposr]-(?:\d+-)+[0-9A-Za-z]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{20,})\b/g,
  ),
  token(
    'secret-slack-webhook',
    'Slack incoming webhook URL',
    'Slack',
    'high',
    ['hooks.slack.com'],
    /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9+/_-]{20,})/g,
  ),
  token(
    'secret-teams-webhook',
    'Microsoft Teams incoming webhook URL',
    'Microsoft Teams',
    'high',
    ['webhook.office.com'],
    /https:\/\/[a-z0-9-]+\.webhook\.office\.com\/webhookb2\/(?<secret>[a-f0-9-]{36}@[a-f0-9-]{36}\/IncomingWebhook\/[a-f0-9]{32}\/[a-f0-9-]{36}(?:\/[A-Za-z0-9_-]+)?)/g,
  ),
  token(
    'secret-discord-webhook',
    'Discord webhook URL',
    'Discord',
    'high',
    ['discord'],
    /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/(?<secret>[\w-]{60,68})/g,
  ),
  token(
    'secret-discord-bot-token',
    'Discord bot token',
    'Discord',
    'high',
    ['discord'],
    /(?<![\w.-])(?<secret>[MNO][A-Za-z\d_-]{23,27}\.[\w-]{6}\.[\w-]{27,40})(?![\w.-])/g,
    {
      scope: 'window',
      check: randomEnough(4.0),
    },
  ),
  token(
    'secret-telegram-bot-token',
    'Telegram bot token',
    'Telegram',
    'high',
    [':aa'],
    /(?<![\w:])(?<secret>\d{8,10}:AA[0-9A-Za-z_-]{33})(?![\w-])/g,
    {
      follows: { kind: 'run', chars: '0-9A-Za-z_-', min: 33 },
    },
  ),

  // ---- payment and commerce ----
  token(
    'secret-stripe-live-key',
    'Stripe live secret or restricted key',
    'Stripe',
    'critical',
    ['_live_'],
    /\b(?<secret>(?:sk|rk)_live_[0-9a-zA-Z]{24,99})\b/g,
  ),
  token(
    'secret-square-access-token',
    'Square access token',
    'Square',
    'high',
    ['eaaa', 'sq0atp-'],
    /(?<![0-9A-Za-z_-])(?<secret>EAAA[0-9A-Za-z_-]{60}|sq0atp-[0-9A-Za-z_-]{22})(?![0-9A-Za-z_-])/g,
    {
      follows: { kind: 'run', chars: '0-9A-Za-z_-', min: 22 },
      check: randomEnough(3.5),
    },
  ),
  token(
    'secret-square-oauth-secret',
    'Square OAuth application secret',
    'Square',
    'high',
    ['sq0csp-'],
    /\b(?<secret>sq0csp-[0-9A-Za-z_-]{43})(?![0-9A-Za-z_-])/g,
  ),
  token(
    'secret-shopify-token',
    'Shopify access token or shared secret',
    'Shopify',
    'high',
    ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    /\b(?<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b/g,
  ),

  // ---- AI ----
  token(
    'secret-openai-api-key',
    'OpenAI API key',
    'OpenAI',
    'high',
    ['t3blbkfj'],
    /\b(?<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,})(?![A-Za-z0-9_-])/g,
  ),
  token(
    'secret-anthropic-api-key',
    'Anthropic API key',
    'Anthropic',
    'high',
    ['sk-ant-'],
    /\b(?<secret>sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{80,100}AA)(?![A-Za-z0-9_-])/g,
  ),
  token(
    'secret-huggingface-token',
    'Hugging Face access token',
    'Hugging Face',
    'high',
    ['hf_'],
    /\b(?<secret>hf_[A-Za-z]{34})\b/g,
    { check: randomEnough(3.8) },
  ),

  // ---- messaging / email ----
  token(
    'secret-sendgrid-api-key',
    'SendGrid API key',
    'SendGrid',
    'high',
    ['sg.'],
    /\b(?<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    {
      follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 22 }, // ("msg.foo" is not a key)
    },
  ),
  token('secret-twilio-api-key', 'Twilio API key', 'Twilio', 'high', ['twilio'], /\b(?<secret>SK[0-9a-f]{32})\b/g, {
    scope: 'window',
    check: randomEnough(3.0),
  }),

  // ---- generic formats ----
  token(
    'secret-jwt',
    'JSON Web Token',
    'JWT',
    'medium',
    ['eyj'],
    /\b(?<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})/g,
    {
      follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 8 },
      check: (v) => {
        const [h, p] = v.split('.');
        const header = b64urlJson(h);
        if (!header || typeof header.alg !== 'string' || !b64urlJson(p)) return false;
        return undefined;
      },
      remediation:
        'Revoke the token (or rotate the signing key if it does not expire), rebuild without it, and issue tokens at run time.',
    },
  ),
  token(
    'secret-url-credentials',
    'Credentials in a URL',
    'URL',
    'high',
    ['://'],
    /\b(?<scheme>[a-z][a-z0-9+.-]{1,20}):\/\/(?<user>[^\s:@/"'<>{}$]{1,64}):(?<secret>[^\s@/"'<>]{3,128})@(?<host>[A-Za-z0-9][A-Za-z0-9.-]*)/gi,
    {
      // (The user info has no whitespace, '/', quote or angle bracket and ends at the '@'.)
      follows: { kind: 'userinfo' },
      check: (v, m) => {
        const user = m.groups!.user;
        if (placeholderReason(v) || placeholderReason(user) === 'template variable or placeholder') return false;
        if (v === user) return false; // postgres:postgres@ — a default, not a leaked credential
        if (/^\$|^%|^\{/.test(v) || /\$\{|\$\(/.test(v)) return false;
        if (/^(?:pass|pw|pwd|secret|passwd|password\d*|p@ssw0rd|mypass\w*|yourpass\w*)$/i.test(v)) return false;
        const host = m.groups!.host.toLowerCase();
        if (/(?:^|\.)example\.(?:com|org|net)$|^(?:host|hostname|server|domain)$/.test(host))
          return { severity: 'info', reason: 'documentation example host' };
        return undefined;
      },
      remediation:
        'Rotate the password, rebuild without it, and pass credentials at run time (environment from a secret store, or a mounted file).',
    },
  ),
  token(
    'secret-curl-basic-auth',
    'Credentials on a curl command line (-u user:password)',
    'HTTP',
    'high',
    ['curl'],
    /\bcurl\b[^\n]*?\s(?:-u|--user)(?:\s+|=)["']?(?<user>[^\s:"']+):(?<secret>[^\s"']+)/g,
    {
      // ('--user' holds '-u' too.) Lines that mention curl without it cost the most regex time
      // on a Debian image (long documentation lines).
      follows: { kind: 'on-line', text: '-u' },
      check: (v) => (placeholderReason(v) || /^\$/.test(v) || /\$\{|\$\(/.test(v) ? false : undefined),
      remediation:
        'Rotate the password; read it at run time from a file (`curl -u user:$(cat /run/secrets/x)`) or a netrc mounted with `RUN --mount=type=secret`.',
    },
  ),
  token(
    'secret-authorization-header',
    'Credentials in an HTTP Authorization header',
    'HTTP',
    'high',
    ['authorization'],
    // (Quoted too, as in JSON and code: "Authorization": "Bearer …".)
    /\bAuthorization["']?\s*:\s*["']?(?<scheme>Basic|Bearer|token|Token)\s+(?<secret>[A-Za-z0-9._~+/=-]{16,})/gi,
    { follows: { kind: 'colon' }, check: (v) => (placeholderReason(v) || shannonEntropy(v) < 3.0 ? false : undefined) },
  ),
  {
    id: 'secret-generic-assignment',
    title: 'Password, secret or token assigned a literal value',
    service: 'generic',
    severity: 'medium',
    // 'passw', not 'pass': Python's `pass` statement would send every other line through the pattern.
    // (Every spelling the pattern's key alternatives allow: a test checks each one is found.)
    keywords: [
      'passw',
      'pwd',
      'secret',
      'token',
      'api_key',
      'apikey',
      'api-key',
      'access_key',
      'accesskey',
      'access-key',
      'auth_key',
      'authkey',
      'auth-key',
      'private_key',
      'privatekey',
      'private-key',
      'credential',
    ],
    follows: { kind: 'assignment' }, // the key name's rest, then the operator (:=, =>, : or =)
    pattern:
      /(?<![A-Za-z0-9_.-])(?<key>[A-Za-z0-9_.-]{0,40}?(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]{0,40})["']?[ \t]*(?::=|=>|[:=])[ \t]*(?<q>["']?)(?<secret>[^\s"'`]{8,200})\k<q>/gi,
    check: (v, m, ctx) => {
      const key = m.groups!.key;
      if (keyNamesNoSecret(key)) return false;
      // Unquoted values must end the statement: `x = a + b(c)` is an expression, not a literal.
      if (!m.groups!.q) {
        const lineEnd = ctx.text.indexOf('\n', ctx.index);
        const rest = ctx.text.slice(ctx.index + m[0].length, lineEnd < 0 ? undefined : lineEnd);
        if (!/^\s*(?:$|[#;,]|\/\/)/.test(rest)) return false;
      }
      if (placeholderReason(v) || looksLikeCode(v)) return false;
      if (/^(?:https?|ftp|file):\/\//i.test(v)) return false; // a URL (credentials in URLs have their own rule)
      if (/^\$(?:1|2[abxy]?|5|6|y|argon2\w*|pbkdf2[\w-]*|scrypt)\$/.test(v)) return false; // a password hash, not a password
      if (shannonEntropy(v) < 3.0 || charClasses(v) < 2) return false;
      return undefined;
    },
    remediation:
      'If this is a real credential: rotate it, rebuild without it, and read it at run time from the environment or a mounted secret. If it is not, add it to .layerlensignore with the reason.',
  },
];

function lineAround(ctx: RuleContext): string {
  const s = ctx.text.lastIndexOf('\n', ctx.index) + 1;
  let e = ctx.text.indexOf('\n', ctx.index);
  if (e < 0) e = ctx.text.length;
  return ctx.text.slice(s, e);
}

export const RULES_BY_ID = new Map(SECRET_RULES.map((r) => [r.id, r]));
