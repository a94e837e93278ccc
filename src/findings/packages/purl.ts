/**
 * Package URLs (the purl spec: pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS), one place for every
 * ecosystem: the inventory, the SBOM and the vulnerability findings all use these.
 */
import type { OsInfo } from '../os/index.js';
import type { PackageType } from './types.js';

const enc = (s: string) => encodeURIComponent(s);

/** The namespace of an OS package: the distribution (os-release ID), by the purl spec's names. */
export function osNamespace(type: 'deb' | 'apk' | 'rpm', osId: string | undefined): string {
  if (osId === 'rhel') return 'redhat';
  if (osId) return osId;
  return type === 'deb' ? 'debian' : type === 'apk' ? 'alpine' : 'rpm';
}

export interface PurlInput {
  type: PackageType;
  name: string;
  version: string;
  arch?: string;
  source?: string;
  sourceVersion?: string;
}

export function purlOf(p: PurlInput, os?: Pick<OsInfo, 'id' | 'versionId'> | null): string {
  let path: string;
  let version = p.version;
  const q: Record<string, string> = {};
  switch (p.type) {
    case 'deb':
    case 'apk':
    case 'rpm': {
      path = `${enc(osNamespace(p.type, os?.id))}/${enc(p.name)}`;
      if (p.arch) q.arch = p.arch;
      if (p.type === 'rpm') {
        const m = version.match(/^(\d+):(.*)$/);
        if (m) {
          q.epoch = m[1];
          version = m[2];
        }
      }
      if (os?.id && os.versionId) q.distro = p.type === 'apk' ? os.versionId : `${os.id}-${os.versionId}`;
      if (p.source && p.type === 'deb') q.upstream = p.source + (p.sourceVersion ? `@${p.sourceVersion}` : '');
      break;
    }
    case 'npm':
      // @scope/name: the scope is the namespace, its @ percent-encoded.
      path = p.name.split('/').map(enc).join('/');
      break;
    case 'maven':
    case 'composer':
      path = p.name
        .split(p.type === 'maven' ? ':' : '/')
        .map(enc)
        .join('/');
      break;
    case 'golang':
      path = p.name.split('/').map(enc).join('/');
      break;
    default:
      path = enc(p.name);
  }
  const qs = Object.keys(q)
    .sort()
    .map((k) => `${k}=${enc(q[k])}`)
    .join('&');
  return `pkg:${p.type}/${path}@${enc(version)}${qs ? '?' + qs : ''}`;
}
