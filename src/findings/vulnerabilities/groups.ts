/**
 * The vulnerability findings grouped by package, as the explorer's Vulnerabilities panel lists
 * them: each package once (its ecosystem, name, version, the layer that brought it in and that
 * layer's command, base image or own layers), its vulnerabilities most severe first, the counts
 * by severity, the version that fixes every fixable one, and where its files are in the image.
 * Made from the findings alone: the check decided everything; this only groups.
 */
import { orderFor } from '../../versions/index.js';
import { compareFindings } from '../order.js';
import type { Finding, Severity } from '../types.js';
import { SEVERITIES, severityRank } from '../types.js';

/** The facts a vulnerability finding carries in `properties` (docs/reports.md). */
export interface VulnerabilityProperties {
  package: string;
  ecosystem: string;
  installedVersion: string;
  fixedVersion: string | null;
  aliases: string[];
  severity: string;
  severitySource: string;
  cvssScore?: number;
  advisoryUrl: string;
  purl: string;
  binaryPackages?: string[];
  paths: string[];
  origin: 'base' | 'own' | 'unknown';
  layerCommand: string | null;
}

export interface VulnerablePackage {
  /** ecosystem, name and version: one package. */
  key: string;
  name: string;
  version: string;
  ecosystem: string;
  purl: string;
  layer: number | null;
  origin: VulnerabilityProperties['origin'];
  command: string | null;
  paths: string[];
  binaries: string[];
  /** Its vulnerabilities in the one order (most severe first). */
  vulns: Finding[];
  worst: Severity;
  counts: Partial<Record<Severity, number>>;
  /** The lowest version that fixes every vulnerability with a published fix; null when none has one. */
  fixedBy: string | null;
  /** How many of them have no published fix yet. */
  unfixed: number;
}

/** A vulnerability finding (not the summary or the database's own state)? */
export function isVulnerability(f: Finding): boolean {
  return f.category === 'vulnerability' && !f.ruleId.startsWith('vulnerability-') && !!f.properties?.package;
}

export function vulnProps(f: Finding): VulnerabilityProperties {
  return f.properties as unknown as VulnerabilityProperties;
}

const cache = new WeakMap<readonly Finding[], VulnerablePackage[]>();

/** Packages with known vulnerabilities: the most severe first, then the most vulnerabilities, then by name. */
export function vulnerablePackages(findings: readonly Finding[]): VulnerablePackage[] {
  const hit = cache.get(findings);
  if (hit) return hit;
  const byKey = new Map<string, VulnerablePackage>();
  for (const f of findings) {
    if (!isVulnerability(f)) continue;
    const p = vulnProps(f);
    const key = `${p.ecosystem}\0${p.package}\0${p.installedVersion}`;
    let g = byKey.get(key);
    if (!g) {
      g = {
        key,
        name: p.package,
        version: p.installedVersion,
        ecosystem: p.ecosystem,
        purl: p.purl,
        layer: f.layerIndex,
        origin: p.origin,
        command: p.layerCommand,
        paths: p.paths ?? [],
        binaries: p.binaryPackages ?? [],
        vulns: [],
        worst: f.severity,
        counts: {},
        fixedBy: null,
        unfixed: 0,
      };
      byKey.set(key, g);
    }
    g.vulns.push(f);
    g.counts[f.severity] = (g.counts[f.severity] ?? 0) + 1;
    if (severityRank(f.severity) > severityRank(g.worst)) g.worst = f.severity;
    if (p.fixedVersion === null) g.unfixed++;
    else if (g.fixedBy === null || orderFor(p.ecosystem)(p.fixedVersion, g.fixedBy) > 0) g.fixedBy = p.fixedVersion;
  }
  const out = [...byKey.values()];
  for (const g of out) g.vulns.sort(compareFindings);
  out.sort(
    (a, b) =>
      severityRank(b.worst) - severityRank(a.worst) ||
      b.vulns.length - a.vulns.length ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      (a.version < b.version ? -1 : a.version > b.version ? 1 : 0),
  );
  cache.set(findings, out);
  return out;
}

/** Vulnerabilities by severity over every package, in severity order: [['high', 3], …]. */
export function severityCounts(pkgs: readonly VulnerablePackage[]): Array<[Severity, number]> {
  const n: Partial<Record<Severity, number>> = {};
  for (const p of pkgs) for (const [s, c] of Object.entries(p.counts)) n[s as Severity] = (n[s as Severity] ?? 0) + c;
  return SEVERITIES.filter((s) => n[s]).map((s) => [s, n[s]!]);
}

/** The layers that brought vulnerable packages in, each with its worst vulnerability. */
export function vulnerableLayers(findings: readonly Finding[]): Map<number, Severity> {
  const out = new Map<number, Severity>();
  for (const p of vulnerablePackages(findings)) {
    if (p.layer === null) continue;
    const w = out.get(p.layer);
    if (!w || severityRank(p.worst) > severityRank(w)) out.set(p.layer, p.worst);
  }
  return out;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i > 0 ? p.slice(0, i) : '/';
}

/**
 * Where the package's files are, best first: a language package's own directory (node_modules/X,
 * X.dist-info), the archive a jar was found in, a distribution package's file list
 * (`/var/lib/dpkg/info/NAME[:ARCH].list`) and documentation directory, then the paths it was found
 * at (a database file, a binary).
 */
export function packageLocations(p: VulnerablePackage): string[] {
  const out: string[] = [];
  for (const path of p.paths) {
    const file = path.split('!/')[0];
    if (/\/node_modules\/(?:@[^/]+\/)?[^/]+\/package\.json$/.test(file)) out.push(dirname(file));
    else if (/\.(?:dist-info|egg-info)\/(?:METADATA|PKG-INFO)$/.test(file)) out.push(dirname(file));
    else if (file !== path) out.push(file);
  }
  if (p.purl.startsWith('pkg:deb/')) {
    const arch = /[?&]arch=([^&]+)/.exec(p.purl)?.[1];
    for (const b of new Set([...p.binaries, p.name])) {
      if (arch) out.push(`/var/lib/dpkg/info/${b}:${decodeURIComponent(arch)}.list`);
      out.push(`/var/lib/dpkg/info/${b}.list`, `/usr/share/doc/${b}`);
    }
  }
  for (const x of p.paths) out.push(x.split('!/')[0]); // (not push(...): paths are as many as files)
  return [...new Set(out)];
}
