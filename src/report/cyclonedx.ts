/**
 * CycloneDX 1.5 JSON SBOM of the OS package inventory (dpkg, apk, rpm), for vulnerability
 * scanners. Each package carries a purl (pkg:deb / pkg:apk / pkg:rpm with arch and distro
 * qualifiers) so scanners can match it to their advisories.
 */
import { randomUUID } from 'node:crypto';
import type { OsInventory, OsPackage } from '../findings/os/index.js';
import type { ReportImage } from './image-info.js';
import { TOOL_NAME, toolVersion } from './tool.js';

export interface SbomOptions {
  /** Fixed for reproducible output (tests); default now. */
  now?: Date;
  /** urn:uuid:… ; default a random one, as the spec asks for each new BOM. */
  serialNumber?: string;
}

const PURL_TYPE = { dpkg: 'deb', apk: 'apk', rpm: 'rpm' } as const;

function namespaceFor(osId: string | undefined, manager: OsPackage['manager']): string {
  if (osId === 'rhel') return 'redhat';
  if (osId) return osId;
  return manager === 'dpkg' ? 'debian' : manager === 'apk' ? 'alpine' : 'rpm';
}

/** Package URL per the purl spec: type/namespace/name@version?qualifiers (sorted keys). */
export function purlFor(pkg: OsPackage, inv: OsInventory): string {
  const type = PURL_TYPE[pkg.manager];
  const ns = namespaceFor(inv.os?.id, pkg.manager);
  let version = pkg.version;
  const q: Record<string, string> = {};
  if (pkg.arch) q.arch = pkg.arch;
  if (pkg.manager === 'rpm') {
    const m = version.match(/^(\d+):(.*)$/);
    if (m) {
      q.epoch = m[1];
      version = m[2];
    }
  }
  if (inv.os?.id && inv.os.versionId)
    q.distro = pkg.manager === 'apk' ? inv.os.versionId : `${inv.os.id}-${inv.os.versionId}`;
  if (pkg.source && pkg.manager === 'dpkg')
    q.upstream = pkg.source + (pkg.sourceVersion ? `@${pkg.sourceVersion}` : '');
  const qs = Object.keys(q)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(q[k])}`)
    .join('&');
  return `pkg:${type}/${encodeURIComponent(ns)}/${encodeURIComponent(pkg.name)}@${encodeURIComponent(version)}${qs ? '?' + qs : ''}`;
}

export function cycloneDxDocument(inv: OsInventory, image: ReportImage, opts: SbomOptions = {}) {
  const components: Array<Record<string, unknown>> = [];
  if (inv.os) {
    components.push({
      type: 'operating-system',
      'bom-ref': `os:${inv.os.id ?? 'unknown'}@${inv.os.versionId ?? ''}`,
      name: inv.os.id ?? 'unknown',
      ...(inv.os.versionId ? { version: inv.os.versionId } : {}),
      ...(inv.os.prettyName ? { description: inv.os.prettyName } : {}),
    });
  }
  const seen = new Set<string>();
  for (const p of inv.packages) {
    const purl = purlFor(p, inv);
    if (seen.has(purl)) continue;
    seen.add(purl);
    const props: Array<{ name: string; value: string }> = [{ name: `${TOOL_NAME}:package-manager`, value: p.manager }];
    if (p.source)
      props.push({
        name: `${TOOL_NAME}:source-package`,
        value: p.source + (p.sourceVersion ? ` (${p.sourceVersion})` : ''),
      });
    components.push({
      type: 'library',
      'bom-ref': purl,
      name: p.name,
      version: p.version,
      purl,
      ...(p.license ? { licenses: [{ expression: p.license }] } : {}),
      properties: props,
    });
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: opts.serialNumber ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: (opts.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: toolVersion() }] },
      component: {
        type: 'container',
        'bom-ref': 'image',
        name: image.reference || 'image',
        ...(image.digest ? { version: image.digest } : {}),
        properties: [
          ...(image.platform ? [{ name: `${TOOL_NAME}:platform`, value: image.platform }] : []),
          ...(image.configDigest ? [{ name: `${TOOL_NAME}:config-digest`, value: image.configDigest }] : []),
          ...inv.notes.map((n) => ({ name: `${TOOL_NAME}:note`, value: n })),
        ],
      },
    },
    components,
  };
}

export function toCycloneDx(inv: OsInventory, image: ReportImage, opts: SbomOptions = {}): string {
  return JSON.stringify(cycloneDxDocument(inv, image, opts), null, 2) + '\n';
}
