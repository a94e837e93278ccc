/** Version control and CI/CD: GitHub, GitLab, Bitbucket, Atlassian, CI services, code search. */
import { checksumValid } from '../../../text/token-checksum.js';
import { downgrade } from '../precision.js';
import { END, keyed, token, UUID } from './build.js';
import type { CheckResult, SecretRule } from './types.js';

const v = 'vcs-ci' as const;

/** GitHub's 40-character tokens end in the CRC-32 of their random part (src/text/token-checksum.ts). */
const githubChecksum = (value: string): CheckResult =>
  value.length !== 40 || checksumValid(value, 4) ? undefined : downgrade('checksum', 'info', 'CRC-32 tail');

function github(id: string, title: string, prefix: string, severity: 'critical' | 'high', max = 36): SecretRule {
  return token(
    v,
    {
      id,
      title,
      service: 'GitHub',
      severity,
      keywords: [`${prefix}_`],
      pattern: new RegExp(String.raw`\b(?<secret>${prefix}_[A-Za-z0-9]{36${max > 36 ? `,${max}` : ''}})\b`, 'g'),
    },
    { check: githubChecksum },
  );
}

/** GitLab's tokens: a prefix and 20 characters; the routable form adds `.<version><crc>`. */
function gitlab(id: string, title: string, prefix: string, body: string, severity: 'critical' | 'high'): SecretRule {
  return token(v, {
    id,
    title,
    service: 'GitLab',
    severity,
    keywords: [prefix.toLowerCase()],
    pattern: new RegExp(
      String.raw`\b(?<secret>${prefix.replace(/\./g, '\\.')}${body}(?:\.[0-9a-z]{2}[0-9a-z]{7})?)(?![A-Za-z0-9_-])`,
      'g',
    ),
  });
}

export const VCS_RULES: SecretRule[] = [
  github('secret-github-pat', 'GitHub personal access token (classic)', 'ghp', 'critical'),
  github('secret-github-oauth-token', 'GitHub OAuth access token', 'gho', 'high'),
  github('secret-github-user-token', 'GitHub user-to-server token', 'ghu', 'high'),
  github('secret-github-app-token', 'GitHub server-to-server (app installation) token', 'ghs', 'high'),
  github('secret-github-refresh-token', 'GitHub refresh token', 'ghr', 'high', 76),
  token(v, {
    id: 'secret-github-fine-grained-pat',
    title: 'GitHub fine-grained personal access token',
    service: 'GitHub',
    severity: 'critical',
    keywords: ['ub_pat_'],
    pattern: /\b(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
  }),
  // GitLab personal, project and group access tokens; routable tokens (GitLab 17.x+) are longer.
  gitlab('secret-gitlab-pat', 'GitLab personal access token', 'glpat-', '[A-Za-z0-9_-]{20,300}', 'critical'),
  gitlab('secret-gitlab-runner-token', 'GitLab runner authentication token', 'glrt-', '[A-Za-z0-9_-]{20,300}', 'high'),
  gitlab('secret-gitlab-deploy-token', 'GitLab deploy token', 'gldt-', '[A-Za-z0-9_-]{20}', 'high'),
  gitlab(
    'secret-gitlab-cicd-job-token',
    'GitLab CI/CD job token',
    'glcbt-',
    '[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}',
    'high',
  ),
  gitlab(
    'secret-gitlab-feature-flag-token',
    'GitLab feature flag client token',
    'glffct-',
    '[A-Za-z0-9_-]{20}',
    'high',
  ),
  gitlab('secret-gitlab-feed-token', 'GitLab feed token', 'glft-', '[A-Za-z0-9_-]{20}', 'high'),
  gitlab('secret-gitlab-incoming-mail-token', 'GitLab incoming mail token', 'glimt-', '[A-Za-z0-9_-]{25}', 'high'),
  gitlab('secret-gitlab-agent-token', 'GitLab Kubernetes agent token', 'glagent-', '[A-Za-z0-9_-]{50}', 'critical'),
  gitlab('secret-gitlab-oauth-app-secret', 'GitLab OAuth application secret', 'gloas-', '[A-Za-z0-9_-]{64}', 'high'),
  gitlab('secret-gitlab-pipeline-trigger-token', 'GitLab pipeline trigger token', 'glptt-', '[0-9a-f]{40}', 'high'),
  gitlab('secret-gitlab-scim-token', 'GitLab SCIM OAuth token', 'glsoat-', '[A-Za-z0-9_-]{20}', 'critical'),
  gitlab(
    'secret-gitlab-runner-registration-token',
    'GitLab runner registration token',
    'GR1348941',
    '[A-Za-z0-9_-]{20}',
    'high',
  ),
  token(
    v,
    {
      id: 'secret-gitlab-session-cookie',
      title: 'GitLab session cookie',
      service: 'GitLab',
      severity: 'high',
      keywords: ['ab_session='],
      pattern: /_gitlab_session=(?<secret>[0-9a-z]{32})\b/g,
    },
    { prefixLength: 0 },
  ),
  keyed(v, {
    id: 'secret-bitbucket-client-id',
    title: 'Bitbucket OAuth client ID',
    service: 'Bitbucket',
    severity: 'low',
    names: ['bitbucket'],
    keywords: ['itbucket'],
    value: '[a-z0-9]{32}',
    identifier: true,
  }),
  keyed(v, {
    id: 'secret-bitbucket-client-secret',
    title: 'Bitbucket OAuth client secret',
    service: 'Bitbucket',
    severity: 'high',
    names: ['bitbucket'],
    keywords: ['itbucket'],
    value: '[a-z0-9=_-]{64}',
  }),
  token(v, {
    id: 'secret-atlassian-api-token',
    title: 'Atlassian API token',
    service: 'Atlassian',
    severity: 'high',
    keywords: ['tt3'],
    pattern: /\b(?<secret>ATATT3[A-Za-z0-9_=-]{186})(?![A-Za-z0-9_=-])/g,
  }),
  keyed(v, {
    id: 'secret-atlassian-legacy-api-token',
    title: 'Atlassian (Jira, Confluence) API token',
    service: 'Atlassian',
    severity: 'high',
    names: ['atlassian', 'confluence', 'jira'],
    keywords: ['atlassian', 'nfluen', 'jira'],
    value: '[a-z0-9]{20}[a-f0-9]{4}',
    entropy: 3.5,
  }),
  token(v, {
    id: 'secret-bitbucket-app-password',
    title: 'Bitbucket app password',
    service: 'Bitbucket',
    severity: 'high',
    keywords: ['atbb'],
    pattern: /\b(?<secret>ATBB[A-Za-z0-9_=.-]{32})(?![A-Za-z0-9_=.-])/g,
  }),
  keyed(v, {
    id: 'secret-travisci-token',
    title: 'Travis CI access token',
    service: 'Travis CI',
    severity: 'high',
    names: ['travis'],
    keywords: ['ravis'],
    value: '[a-z0-9]{22}',
  }),
  token(v, {
    id: 'secret-buildkite-token',
    title: 'Buildkite API access token',
    service: 'Buildkite',
    severity: 'high',
    keywords: ['bkua_'],
    pattern: /\b(?<secret>bkua_[a-f0-9]{40})\b/g,
  }),
  keyed(v, {
    id: 'secret-snyk-token',
    title: 'Snyk API token',
    service: 'Snyk',
    severity: 'high',
    names: ['snyk'],
    value: UUID,
  }),
  token(v, {
    id: 'secret-sonarqube-token',
    title: 'SonarQube token (prefixed)',
    service: 'Sonar',
    severity: 'high',
    keywords: ['sqp_', 'sqa_', 'squ_'],
    pattern: /\b(?<secret>sq[apu]_[a-f0-9]{40})\b/g,
  }),
  // sonar.login is SonarScanner's property for a user token (sonar.token since 10.x: the generic rule).
  keyed(v, {
    id: 'secret-sonar-login-token',
    title: 'SonarQube / SonarCloud token (sonar.login)',
    service: 'Sonar',
    severity: 'high',
    names: ['sonar.login', 'sonar_login', 'sonar-login', 'sonarlogin'],
    // The parts of each spelling whose three-byte pieces are rarest in text ("_lo" is in every
    // "_local" and "_lock", "log" in every "log").
    keywords: ['r.login', 'nar_login', 'r-login', 'arlogin'],
    value: '[a-z0-9=_-]{40}',
  }),
  token(
    v,
    {
      id: 'secret-harness-api-key',
      title: 'Harness personal or service account token',
      service: 'Harness',
      // (Account-wide API access to pipelines, deployments and the secrets they use, as a GitLab PAT.)
      severity: 'critical',
      keywords: ['pat.', 'sat.'],
      // pat|sat . account ID . token ID . secret
      pattern: /\b(?<secret>(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})(?![A-Za-z0-9_-])/g,
    },
    // ("pat." and "sat." end many words: only a run of 22 ID characters after them goes on.)
    { follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 22 }, prefixLength: 4 },
  ),
  token(
    v,
    {
      id: 'secret-sourcegraph-token',
      title: 'Sourcegraph access token',
      service: 'Sourcegraph',
      severity: 'high',
      keywords: ['sgp_'],
      pattern: /\b(?<secret>sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40})\b/g,
    },
    { prefixLength: 4 },
  ),
  token(
    v,
    {
      id: 'secret-octopus-deploy-api-key',
      title: 'Octopus Deploy API key',
      service: 'Octopus Deploy',
      severity: 'high',
      keywords: ['api-'],
      pattern: new RegExp(String.raw`\b(?<secret>API-[A-Z0-9]{26})${END}`, 'g'),
    },
    // ("api-key", "api-version" … are not keys: 26 upper-case characters must follow.)
    { follows: { kind: 'run', chars: 'A-Z0-9', min: 26 } },
  ),
];
