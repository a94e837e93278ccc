/**
 * CycloneDX 1.5 JSON SBOM of the package inventory: OS packages (dpkg, apk, rpm) and application
 * packages (npm, PyPI, Go, Maven, RubyGems, Composer, NuGet). Each component carries its purl
 * (made in findings/packages/purl.ts), the in-image paths it was found at as evidence
 * occurrences, and layerlens properties: the layer that introduced it (index and digest), the
 * layer that removed it, how it was found and its source package.
 */
import { randomUUID } from 'node:crypto';
import type { PackageInventory } from '../findings/packages/index.js';
import type { ReportImage } from './image-info.js';
import { TOOL_NAME, toolVersion } from './tool.js';
import { safeJson } from '../text/safe-json.js';

export interface SbomOptions {
  /** Fixed for reproducible output (tests); default now. */
  now?: Date;
  /** urn:uuid:… ; default a random one, as the spec asks for each new BOM. */
  serialNumber?: string;
}

const MANAGER = { deb: 'dpkg', apk: 'apk', rpm: 'rpm' } as Record<string, string | undefined>;

export function cycloneDxDocument(inv: PackageInventory, image: ReportImage, opts: SbomOptions = {}) {
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
  const digestOf = (i: number) =>
    image.layers.find((l) => l.index === i)?.digest ?? image.layers.find((l) => l.index === i)?.diffId ?? null;
  const seen = new Set<string>();
  for (const p of inv.packages) {
    if (seen.has(p.purl)) continue;
    seen.add(p.purl);
    const props: Array<{ name: string; value: string }> = [];
    const manager = MANAGER[p.type];
    if (manager) props.push({ name: `${TOOL_NAME}:package-manager`, value: manager });
    props.push({ name: `${TOOL_NAME}:found-by`, value: p.foundBy });
    props.push({ name: `${TOOL_NAME}:layer-index`, value: String(p.layer) });
    const digest = digestOf(p.layer);
    if (digest) props.push({ name: `${TOOL_NAME}:layer-digest`, value: digest });
    if (p.removedIn !== null) props.push({ name: `${TOOL_NAME}:removed-in-layer`, value: String(p.removedIn) });
    if (p.source)
      props.push({
        name: `${TOOL_NAME}:source-package`,
        value: p.source + (p.sourceVersion ? ` (${p.sourceVersion})` : ''),
      });
    if (p.osManaged) props.push({ name: `${TOOL_NAME}:os-managed`, value: 'true' });
    components.push({
      type: 'library',
      'bom-ref': p.purl,
      name: p.name,
      version: p.version,
      purl: p.purl,
      ...(p.license ? { licenses: [{ expression: p.license }] } : {}),
      evidence: { occurrences: p.paths.map((location) => ({ location })) },
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

export function toCycloneDx(inv: PackageInventory, image: ReportImage, opts: SbomOptions = {}): string {
  return safeJson(cycloneDxDocument(inv, image, opts)) + '\n';
}
