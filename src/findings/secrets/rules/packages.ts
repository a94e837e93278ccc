/** Package and artifact registries: npm, PyPI, RubyGems, NuGet, crates.io, Clojars, JFrog, Docker Hub. */
import { checksumValid } from '../../../text/token-checksum.js';
import { downgrade } from '../precision.js';
import { decodeB64, macaroonV2Location } from '../structure.js';
import { keyed, token } from './build.js';
import type { SecretRule } from './types.js';

const p = 'package-registry' as const;

export const PACKAGE_RULES: SecretRule[] = [
  token(
    p,
    {
      id: 'secret-npm-token',
      title: 'npm access token',
      service: 'npm',
      severity: 'critical',
      keywords: ['npm_'],
      pattern: /\b(?<secret>npm_[A-Za-z0-9]{36})\b/g,
    },
    // The same CRC-32 tail as GitHub's tokens (src/text/token-checksum.ts).
    { check: (v) => (checksumValid(v, 4) ? undefined : downgrade('checksum', 'info', 'CRC-32 tail')) },
  ),
  token(
    p,
    {
      id: 'secret-pypi-token',
      title: 'PyPI API token',
      service: 'PyPI',
      severity: 'critical',
      keywords: ['pypi-ag'],
      pattern: /\b(?<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})(?![A-Za-z0-9_-])/g,
    },
    {
      prefixLength: 20,
      // A macaroon (v2 binary, base64url) issued by pypi.org or test.pypi.org.
      check: (v) => {
        const bytes = decodeB64(v.slice(5));
        const location = bytes && macaroonV2Location(bytes);
        if (location !== 'pypi.org' && location !== 'test.pypi.org')
          return downgrade('checksum', 'info', 'not a PyPI macaroon');
        return location === 'test.pypi.org' ? downgrade('test-mode', 'medium', 'TestPyPI') : undefined;
      },
    },
  ),
  token(p, {
    id: 'secret-rubygems-api-key',
    title: 'RubyGems API key',
    service: 'RubyGems',
    severity: 'critical',
    keywords: ['rubygems_'],
    pattern: /\b(?<secret>rubygems_[a-f0-9]{48})\b/g,
  }),
  token(
    p,
    {
      id: 'secret-nuget-api-key',
      title: 'NuGet.org API key',
      service: 'NuGet',
      severity: 'critical',
      keywords: ['oy2'],
      pattern: /\b(?<secret>oy2[a-z0-9]{43})\b/g,
    },
    { follows: { kind: 'run', chars: 'a-z0-9', min: 43 } },
  ),
  // (Found in a window that names a registry: "cio" alone is in every "-cion" and "-cious", and
  // cargo's credentials.toml calls it just `token`.)
  token(
    p,
    {
      id: 'secret-crates-io-token',
      title: 'crates.io API token',
      service: 'crates.io',
      severity: 'critical',
      keywords: ['registry]', 'registry_token'],
      pattern: /\b(?<secret>cio[A-Za-z0-9]{32})\b/g,
    },
    { scope: 'window', prefixLength: 3 },
  ),
  token(p, {
    id: 'secret-clojars-token',
    title: 'Clojars deploy token',
    service: 'Clojars',
    severity: 'critical',
    keywords: ['lojars_'],
    pattern: /\b(?<secret>CLOJARS_[a-z0-9]{60})\b/gi,
  }),
  token(
    p,
    {
      id: 'secret-docker-hub-token',
      title: 'Docker Hub personal or organization access token',
      service: 'Docker Hub',
      severity: 'critical',
      keywords: ['dckr_pat_', 'dckr_oat_'],
      pattern: /\b(?<secret>dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32})(?![A-Za-z0-9_-])/g,
    },
    { prefixLength: 9 },
  ),
  token(
    p,
    {
      id: 'secret-artifactory-api-key',
      title: 'JFrog Artifactory API key',
      service: 'JFrog',
      severity: 'high',
      keywords: ['akcp'],
      pattern: /\b(?<secret>AKCp[A-Za-z0-9]{69})\b/g,
    },
    { entropy: 4.5 },
  ),
  token(
    p,
    {
      id: 'secret-artifactory-reference-token',
      title: 'JFrog Artifactory reference token',
      service: 'JFrog',
      severity: 'high',
      keywords: ['cmvmdgtu'],
      pattern: /\b(?<secret>cmVmdGtu[A-Za-z0-9]{56})\b/g,
    },
    { entropy: 4.5 },
  ),
  keyed(p, {
    id: 'secret-jfrog-api-key',
    title: 'JFrog API key',
    service: 'JFrog',
    severity: 'high',
    names: ['artifactory', 'xray'],
    keywords: ['tifactory', 'xray'],
    value: '[a-z0-9]{73}',
  }),
  keyed(p, {
    id: 'secret-jfrog-identity-token',
    title: 'JFrog identity token',
    service: 'JFrog',
    severity: 'high',
    names: ['artifactory', 'xray'],
    keywords: ['tifactory', 'xray'],
    value: '[a-z0-9]{64}',
  }),
];
