/**
 * Which OSV ecosystem and package name an inventory package is matched under: distributions by
 * their release (`Debian:12` from os-release's VERSION_ID, `Ubuntu:22.04:LTS`, `Alpine:v3.19`,
 * `Rocky Linux:9`) and by source package (Debian's advisories name dpkg's Source:, Alpine's the
 * origin), language packages by their registry. Undefined: nothing to match against.
 */
import type { OsInfo } from '../os/index.js';
import type { Package } from '../packages/index.js';

export interface MatchTarget {
  ecosystem: string;
  name: string;
  version: string;
}

const LANGUAGE: Partial<Record<Package['type'], string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
};

/** The OSV ecosystem of the distribution, or undefined when OSV has none for it (or the release is unknown). */
export function osEcosystem(os: OsInfo | null): string | undefined {
  if (!os?.id || !os.versionId) return undefined;
  const v = os.versionId;
  switch (os.id) {
    case 'debian':
      return `Debian:${v.split('.')[0]}`;
    case 'ubuntu':
      return `Ubuntu:${v}${/\bLTS\b/.test(os.prettyName ?? '') ? ':LTS' : ''}`;
    case 'alpine':
      return `Alpine:v${v.split('.').slice(0, 2).join('.')}`;
    case 'rocky':
      return `Rocky Linux:${v.split('.')[0]}`;
    case 'almalinux':
      return `AlmaLinux:${v.split('.')[0]}`;
    default:
      return undefined;
  }
}

/**
 * The OSV ecosystem whose version order a package's versions follow: its registry for a language
 * package; for an OS package its package manager's family (dpkg, apk, rpm orders), whatever the
 * release (the order is the same in every one).
 */
export function orderEcosystem(type: Package['type']): string | undefined {
  return LANGUAGE[type] ?? OS_ORDER[type];
}

const OS_ORDER: Partial<Record<Package['type'], string>> = { deb: 'Debian', apk: 'Alpine', rpm: 'Red Hat' };

export function matchTarget(p: Package, os: OsInfo | null): MatchTarget | undefined {
  if (p.osManaged) return undefined;
  const lang = LANGUAGE[p.type];
  if (lang) return { ecosystem: lang, name: p.name, version: p.version };
  const eco = osEcosystem(os);
  if (!eco) return undefined;
  if (p.type === 'deb') return { ecosystem: eco, name: p.source ?? p.name, version: p.sourceVersion ?? p.version };
  if (p.type === 'apk') return { ecosystem: eco, name: p.source ?? p.name, version: p.version };
  if (p.type === 'rpm') return { ecosystem: eco, name: p.name, version: p.version };
  return undefined;
}
