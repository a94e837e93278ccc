/** Monitoring and observability: Datadog, New Relic, Sentry, Grafana, Dynatrace, Sumo Logic, LaunchDarkly. */
import { downgrade } from '../precision.js';
import { b64Json } from '../structure.js';
import { keyed, token } from './build.js';
import type { SecretRule } from './types.js';

const o = 'observability' as const;

export const OBSERVABILITY_RULES: SecretRule[] = [
  keyed(o, {
    id: 'secret-datadog-api-key',
    title: 'Datadog API or application key',
    service: 'Datadog',
    severity: 'high',
    names: ['datadog', 'dd_api_key', 'dd_app_key', 'dd_application_key'],
    keywords: ['adog', 'd_api_key', 'pp_key', 'd_application_key'],
    value: '[a-f0-9]{32}|[a-z0-9]{40}',
  }),
  token(o, {
    id: 'secret-new-relic-key',
    title: 'New Relic user API, insert or browser key',
    service: 'New Relic',
    severity: 'high',
    keywords: ['nrak-', 'nrii-', 'nrjs-'],
    pattern: /\b(?<secret>NRAK-[A-Z0-9]{27}|NRII-[a-zA-Z0-9-]{32}|NRJS-[a-f0-9]{19})\b/g,
  }),
  keyed(o, {
    id: 'secret-new-relic-user-api-id',
    title: 'New Relic user API ID',
    service: 'New Relic',
    severity: 'medium',
    names: ['new-relic', 'newrelic', 'new_relic'],
    keywords: ['ew-relic', 'ewrelic', 'ew_relic'],
    value: '[a-z0-9]{64}',
    // (A 64-character key, whatever its name says.)
    identifier: true,
  }),
  token(
    o,
    {
      id: 'secret-sentry-user-token',
      title: 'Sentry user auth token',
      service: 'Sentry',
      severity: 'high',
      keywords: ['ryu_'],
      pattern: /\b(?<secret>sntryu_[a-f0-9]{64})\b/g,
    },
    { entropy: 3.5 },
  ),
  token(
    o,
    {
      id: 'secret-sentry-org-token',
      title: 'Sentry organization auth token',
      service: 'Sentry',
      severity: 'high',
      keywords: ['rys_'],
      pattern: /\b(?<secret>sntrys_eyJ[A-Za-z0-9+/]{10,400}={0,2}_[A-Za-z0-9+/]{43})(?![A-Za-z0-9+/])/g,
    },
    {
      // base64 JSON with the issue time and the region URL, then `_` and the secret.
      check: (v) => {
        const claims = b64Json(v.slice(7, v.lastIndexOf('_')));
        return claims && 'iat' in claims && ('region_url' in claims || 'url' in claims)
          ? undefined
          : downgrade('checksum', 'info', 'no Sentry claims');
      },
      prefixLength: 0,
    },
  ),
  token(
    o,
    {
      id: 'secret-grafana-service-account-token',
      title: 'Grafana service account token',
      service: 'Grafana',
      severity: 'high',
      keywords: ['glsa_'],
      pattern: /\b(?<secret>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b/g,
    },
    { prefixLength: 5 },
  ),
  token(
    o,
    {
      id: 'secret-grafana-cloud-token',
      title: 'Grafana Cloud access policy or API token',
      service: 'Grafana',
      severity: 'high',
      keywords: ['glc_'],
      pattern: /\b(?<secret>glc_[A-Za-z0-9+/]{32,400}={0,3})(?![A-Za-z0-9+/=])/g,
    },
    {
      // base64 of a JSON object naming the org and the token ("o", "n", "k").
      check: (v) => (b64Json(v.slice(4)) ? undefined : downgrade('checksum', 'info', 'no token claims')),
    },
  ),
  token(
    o,
    {
      id: 'secret-grafana-api-key',
      title: 'Grafana API key (legacy)',
      service: 'Grafana',
      severity: 'high',
      keywords: ['eyjrijoi'],
      pattern: /\b(?<secret>eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?![A-Za-z0-9=])/g,
    },
    {
      check: (v) => {
        const j = b64Json(v);
        return j && typeof j.k === 'string' ? undefined : downgrade('checksum', 'info', 'no key claims');
      },
      prefixLength: 0,
    },
  ),
  token(
    o,
    {
      id: 'secret-dynatrace-token',
      title: 'Dynatrace API token',
      service: 'Dynatrace',
      severity: 'high',
      keywords: ['dt0c01.'],
      pattern: /\b(?<secret>dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})\b/g,
    },
    { entropy: 4.0 },
  ),
  keyed(o, {
    id: 'secret-sumologic-access-id',
    title: 'Sumo Logic access ID',
    service: 'Sumo Logic',
    severity: 'low',
    names: ['sumologic', 'sumo_access', 'sumo_key'],
    keywords: ['umologic', 'umo_access', 'umo_key'],
    value: 'su[a-z0-9]{12}',
    identifier: true,
  }),
  keyed(o, {
    id: 'secret-sumologic-access-key',
    title: 'Sumo Logic access key',
    service: 'Sumo Logic',
    severity: 'high',
    names: ['sumologic', 'sumo_access', 'sumo_key'],
    keywords: ['umologic', 'umo_access', 'umo_key'],
    value: '[a-z0-9]{64}',
  }),
  keyed(o, {
    id: 'secret-launchdarkly-token',
    title: 'LaunchDarkly access token',
    service: 'LaunchDarkly',
    severity: 'high',
    names: ['launchdarkly', 'launch_darkly'],
    keywords: ['rkly'],
    value: '[a-z0-9=_-]{40}',
  }),
];
