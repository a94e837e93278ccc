/**
 * Infrastructure, hosting and secret managers: HashiCorp Vault and Terraform, Doppler,
 * 1Password, Pulumi, Kubernetes and OpenShift, Tailscale, Cloudflare, Fastly, Fly.io, Heroku,
 * Vercel, Netlify, Databricks, PlanetScale, ClickHouse, Aiven and other platform tokens.
 */
import { downgrade } from '../precision.js';
import { b64Json } from '../structure.js';
import { END, keyed, token, UUID } from './build.js';
import type { SecretRule } from './types.js';

const i = 'infrastructure' as const;

export const INFRA_RULES: SecretRule[] = [
  token(
    i,
    {
      id: 'secret-vault-token',
      title: 'HashiCorp Vault service or batch token',
      service: 'HashiCorp Vault',
      severity: 'critical',
      keywords: ['hvs.', 'hvb.', 'hvr.'],
      pattern: /\b(?<secret>hvs\.[\w-]{90,120}|hvb\.[\w-]{138,300}|hvr\.[\w-]{90,120})(?![\w-])/g,
    },
    { entropy: 3.5, follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 90 } },
  ),
  // Before Vault 1.10: `s.` and 24 characters, which member accesses in code spell too. So only
  // under a token's key name that says Vault (VAULT_TOKEN=, X-Vault-Token:) or is a login
  // response's `client_token`. (A keyword of its own, "vault", would put every "default"
  // through the prefilter's slow path: its bytes "aul".)
  keyed(
    i,
    {
      id: 'secret-vault-legacy-token',
      title: 'HashiCorp Vault service token (before Vault 1.10)',
      service: 'HashiCorp Vault',
      severity: 'critical',
      names: ['token'],
      value: 's\\.[a-z0-9]{24}',
      entropy: 3.5,
      prefixLength: 2,
    },
    { check: (_v, m) => (/vault|(?:^|[._-])client_token$/i.test(m.groups!.key) ? undefined : false) },
  ),
  token(
    i,
    {
      id: 'secret-terraform-cloud-token',
      title: 'HashiCorp Terraform Cloud / Enterprise API token',
      service: 'HashiCorp Terraform',
      severity: 'critical',
      keywords: ['.atlasv1.'],
      pattern: /\b(?<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])/g,
    },
    { entropy: 3.5, prefixLength: 0 },
  ),
  token(i, {
    id: 'secret-doppler-token',
    title: 'Doppler token',
    service: 'Doppler',
    severity: 'critical',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    pattern: /\b(?<secret>dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_.-]{40,64})(?![A-Za-z0-9_.-])/g,
  }),
  token(
    i,
    {
      id: 'secret-1password-service-account-token',
      title: '1Password service account token',
      service: '1Password',
      severity: 'critical',
      keywords: ['ops_eyj'],
      pattern: /\b(?<secret>ops_eyJ[A-Za-z0-9+/_-]{250,}={0,3})(?![A-Za-z0-9+/_=-])/g,
    },
    {
      // base64 of a JSON object with the account's sign-in address and secrets.
      check: (v) => (b64Json(v.slice(4)) ? undefined : downgrade('checksum', 'info', 'no token claims')),
      entropy: 4.0,
    },
  ),
  token(
    i,
    {
      id: 'secret-1password-secret-key',
      title: '1Password account secret key',
      service: '1Password',
      severity: 'critical',
      keywords: ['a3-'],
      pattern:
        /\b(?<secret>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b/g,
    },
    { follows: { kind: 'run', chars: 'A-Z0-9', min: 6 }, entropy: 3.5 },
  ),
  token(i, {
    id: 'secret-pulumi-token',
    title: 'Pulumi access token',
    service: 'Pulumi',
    severity: 'critical',
    keywords: ['pul-'],
    pattern: /\b(?<secret>pul-[a-f0-9]{40})\b/g,
  }),
  {
    id: 'secret-kubernetes-secret-manifest',
    title: 'Kubernetes Secret manifest with data',
    service: 'Kubernetes',
    family: i,
    severity: 'high',
    keywords: ['nd: secret', 'd:secret', 'nd: "secret"', "nd: 'secret'"],
    scope: 'window',
    pattern: /^kind:[ \t]*["']?Secret["']?[ \t]*$/gm,
    check: (_v, _m, ctx) => {
      // The manifest this kind line belongs to (between `---` separators) with data values.
      const from = Math.max(0, ctx.text.lastIndexOf('\n---', ctx.index) + 1);
      const next = ctx.text.indexOf('\n---', ctx.index);
      const doc = ctx.text.slice(from, next < 0 ? Math.min(ctx.text.length, ctx.index + 8192) : next);
      const data = /^(?:data|stringData):[ \t]*\n((?:[ \t]+.*\n?)+)/m.exec(doc);
      if (!data) return false; // no values: a template or an empty Secret
      for (const line of data[1].split('\n')) {
        const kv = /^[ \t]+([\w.-]+):[ \t]*["']?([^\s"'{}$]{8,})["']?[ \t]*$/.exec(line);
        if (kv) return { value: kv[2] };
      }
      return false;
    },
    remediation:
      'Keep Secret manifests out of images: apply them from a secret store (External Secrets, Sealed Secrets, SOPS), rotate the values, and rebuild.',
  },
  token(
    i,
    {
      id: 'secret-openshift-user-token',
      title: 'OpenShift user token',
      service: 'OpenShift',
      severity: 'critical',
      // (The end of the prefix: "sha" is in every hash function's name.)
      keywords: ['56~'],
      pattern: /\b(?<secret>sha256~[\w-]{43})(?![\w-])/g,
    },
    { entropy: 3.5, prefixLength: 7, follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 43 } },
  ),
  token(i, {
    id: 'secret-tailscale-key',
    title: 'Tailscale auth, API or OAuth client key',
    service: 'Tailscale',
    severity: 'critical',
    keywords: ['tskey-'],
    pattern: /\b(?<secret>tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{10,20}-[A-Za-z0-9]{20,60})\b/g,
  }),
  keyed(i, {
    id: 'secret-cloudflare-api-token',
    title: 'Cloudflare API token or global API key',
    service: 'Cloudflare',
    severity: 'critical',
    names: ['cloudflare', 'cf_api', 'cf_token'],
    keywords: ['dflare', 'cf_api', 'cf_token'],
    value: '[a-z0-9_-]{40}|[a-f0-9]{37}',
  }),
  token(
    i,
    {
      id: 'secret-cloudflare-origin-ca-key',
      title: 'Cloudflare Origin CA key',
      service: 'Cloudflare',
      severity: 'high',
      // ("v1.0-" would send every version string "1.0" through the prefilter's slow path.)
      keywords: ['dflare'],
      pattern: /\b(?<secret>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b/g,
    },
    { scope: 'window', prefixLength: 5 },
  ),
  token(
    i,
    {
      id: 'secret-cloudflare-api-token-v2',
      title: 'Cloudflare API token or global API key (prefixed)',
      service: 'Cloudflare',
      severity: 'critical',
      // Global key, user token, account token: the prefix, 40 characters and a checksum of 8.
      keywords: ['cfk_', 'cfut_', 'cfat_'],
      pattern: /(?<![A-Za-z0-9_])(?<secret>(?:cfk_|cfut_|cfat_)[A-Za-z0-9]{48})(?![A-Za-z0-9_])/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9', min: 48 }, entropy: 4.0 },
  ),
  keyed(i, {
    id: 'secret-cisco-meraki-api-key',
    title: 'Cisco Meraki Dashboard API key',
    service: 'Cisco Meraki',
    severity: 'high',
    names: ['meraki'],
    // ("mer" and "era" are in every "number" and "generate"; kraken's and akia's keywords have
    // put "rak" and "aki" in the prefilter's table already.)
    keywords: ['raki'],
    value: '[a-f0-9]{40}',
  }),
  keyed(i, {
    id: 'secret-fastly-api-token',
    title: 'Fastly API token',
    service: 'Fastly',
    severity: 'high',
    names: ['fastly'],
    keywords: ['stly'],
    value: '[a-z0-9=_-]{32}',
  }),
  token(
    i,
    {
      id: 'secret-flyio-token',
      title: 'Fly.io access token',
      service: 'Fly.io',
      severity: 'critical',
      keywords: ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
      pattern:
        /\b(?<secret>fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})(?![\w+/=-])/g,
    },
    { entropy: 4.0 },
  ),
  keyed(i, {
    id: 'secret-heroku-api-key',
    title: 'Heroku API key',
    service: 'Heroku',
    severity: 'critical',
    names: ['heroku'],
    keywords: ['roku'],
    value: UUID,
  }),
  token(
    i,
    {
      id: 'secret-heroku-api-key-v2',
      title: 'Heroku API key',
      service: 'Heroku',
      severity: 'critical',
      keywords: ['hrku-'],
      pattern: /\b(?<secret>HRKU-[A-Za-z0-9_-]{60})(?![A-Za-z0-9_-])/g,
    },
    { entropy: 4.0 },
  ),
  keyed(i, {
    id: 'secret-vercel-token',
    title: 'Vercel access token',
    service: 'Vercel',
    severity: 'critical',
    names: ['vercel'],
    keywords: ['ercel'],
    value: '[a-z0-9]{24}',
  }),
  token(
    i,
    {
      id: 'secret-vercel-token-v2',
      title: 'Vercel access, integration, app or AI Gateway token (prefixed)',
      service: 'Vercel',
      severity: 'critical',
      // Personal, integration, app access and refresh tokens, AI Gateway keys. (`vcr_` starts
      // Ruby's VCR helpers, joined by `_`: a run of letters and digits without one must follow.)
      keywords: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
      pattern: /(?<![A-Za-z0-9_])(?<secret>(?:vcp_|vci_|vca_|vcr_|vck_)[A-Za-z0-9]{24,60})(?![A-Za-z0-9_])/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9', min: 24 }, entropy: 4.0 },
  ),
  keyed(i, {
    id: 'secret-netlify-token',
    title: 'Netlify access token',
    service: 'Netlify',
    severity: 'critical',
    names: ['netlify'],
    keywords: ['etlify'],
    value: '(?:nfp_)?[a-z0-9=_-]{40,46}',
  }),
  token(
    i,
    {
      id: 'secret-databricks-token',
      title: 'Databricks API token',
      service: 'Databricks',
      severity: 'critical',
      keywords: ['dapi'],
      pattern: /\b(?<secret>dapi[a-f0-9]{32}(?:-\d)?)\b/g,
    },
    { follows: { kind: 'run', chars: 'a-f0-9', min: 32 } },
  ),
  token(i, {
    id: 'secret-planetscale-token',
    title: 'PlanetScale API token, OAuth token or password',
    service: 'PlanetScale',
    severity: 'critical',
    keywords: ['pscale_tkn_', 'pscale_oauth_', 'pscale_pw_'],
    pattern: /\b(?<secret>pscale_(?:tkn|oauth|pw)_[\w=.-]{32,64})(?![\w=.-])/g,
  }),
  token(i, {
    id: 'secret-scalingo-token',
    title: 'Scalingo API token',
    service: 'Scalingo',
    severity: 'high',
    keywords: ['tk-us-'],
    pattern: new RegExp(String.raw`\b(?<secret>tk-us-[\w-]{48})${END}`, 'g'),
  }),
  token(
    i,
    {
      id: 'secret-clickhouse-cloud-key',
      title: 'ClickHouse Cloud API secret key',
      service: 'ClickHouse',
      severity: 'high',
      keywords: ['4b1d'],
      pattern: /\b(?<secret>4b1d[A-Za-z0-9]{38})\b/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9', min: 38 }, entropy: 3.5 },
  ),
  token(i, {
    id: 'secret-defined-networking-token',
    title: 'Defined Networking API token',
    service: 'Defined Networking',
    severity: 'high',
    keywords: ['dnkey-'],
    pattern: /\b(?<secret>dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52})(?![a-z0-9=_-])/gi,
  }),
  token(
    i,
    {
      id: 'secret-aiven-service-password',
      title: 'Aiven service password',
      service: 'Aiven',
      severity: 'high',
      // (The password of a managed database or broker's service user: it opens that service.)
      keywords: ['avns_'],
      pattern: /(?<![\w-])(?<secret>AVNS_[A-Za-z0-9_-]{16,64})(?![\w-])/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 16 }, entropy: 3.5 },
  ),
  token(i, {
    id: 'secret-infracost-token',
    title: 'Infracost API token',
    service: 'Infracost',
    severity: 'medium',
    keywords: ['ico-'],
    pattern: /\b(?<secret>ico-[a-zA-Z0-9]{32})\b/g,
  }),
  token(i, {
    id: 'secret-prefect-token',
    title: 'Prefect API token',
    service: 'Prefect',
    severity: 'high',
    keywords: ['pnu_'],
    pattern: /\b(?<secret>pnu_[a-zA-Z0-9]{36})\b/g,
  }),
  token(i, {
    id: 'secret-authress-key',
    title: 'Authress service client access key',
    service: 'Authress',
    severity: 'high',
    // (The `.acc_` in the middle: "sc_" and "ext_" start too many identifiers.)
    keywords: ['.acc_', '.acc-'],
    pattern:
      /\b(?<secret>(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120})(?![a-z0-9+/_=-])/gi,
  }),
  token(i, {
    id: 'secret-settlemint-token',
    title: 'SettleMint access token',
    service: 'SettleMint',
    severity: 'high',
    keywords: ['sm_aat_', 'sm_pat_', 'sm_sat_'],
    pattern: /\b(?<secret>sm_[aps]at_[a-zA-Z0-9]{16})\b/g,
  }),
];
