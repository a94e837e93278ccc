/**
 * The `os` check: distribution and version from os-release, its end-of-life status from the
 * shipped table, and the OS package inventory (exported as a CycloneDX SBOM by the report layer).
 */
import type { ImageModel } from '../../engine/image.js';
import { inspected } from '../content.js';
import { layerDigestOf, makeFinding } from '../make.js';
import type { Finding } from '../types.js';
import { EOL_TABLE_DATE, eolEntry } from './eol.js';
import { osFileNodes } from './locate.js';
import { OS_BY_NAME_MAX } from './collector.js';
import type { OsPackage, PackageManager } from './packages.js';

export { EOL_TABLE, EOL_TABLE_DATE, eolEntry } from './eol.js';
export type { OsPackage, PackageManager, OsFileData } from './packages.js';
export { OS_BY_NAME_MAX, OsFileCollector, osFileKind } from './collector.js';
export { osFileNodes, type OsFileNodes } from './locate.js';

export interface OsInfo {
  id?: string;
  versionId?: string;
  name?: string;
  prettyName?: string;
  codename?: string;
  /** Where os-release was read: in-image path and layer. */
  path: string;
  layer: number;
}

export interface OsInventory {
  os: OsInfo | null;
  /** The package manager whose database was found (the first with packages). */
  manager: PackageManager | null;
  packages: OsPackage[];
  /** Facts the reader could not turn into packages ("rpm database present, inventory not read"). */
  notes: string[];
  /** Database files read: path and the layer that wrote the version read. */
  sources: Array<{ path: string; layer: number }>;
  /** Well-known paths that are links to a file whose bytes were not kept (os/locate.ts). */
  unread: Array<{ path: string; target: string }>;
}

/** What a program reads at each well-known path, for the finding on an unread one. */
const READ_FOR: Record<string, string> = {
  '/etc/passwd': "USER's uid (runc reads it to start the container)",
  '/etc/os-release': 'the distribution, its support dates and how its packages are matched',
  '/usr/lib/os-release': 'the distribution, its support dates and how its packages are matched',
};

/**
 * Read the inventory from the final image: the last live version of each OS file that counts
 * (os/locate.ts: at its well-known path, or where a link at one leads).
 */
export function osInventory(model: ImageModel): OsInventory {
  const top = model.tree.layerCount - 1;
  const inv: OsInventory = { os: null, manager: null, packages: [], notes: [], sources: [], unread: [] };
  const byManager = new Map<PackageManager, OsPackage[]>();
  const files = osFileNodes(model);
  // os-release(5): /etc/os-release first (usually a link to the other), then /usr/lib/os-release.
  const release = files.at.get('/etc/os-release') ?? files.at.get('/usr/lib/os-release');
  for (const node of files.counted) {
    const v = node.liveAt(top);
    const data = inspected(v)?.os;
    if (!v || !data) continue;
    const path = node.path;
    if (data.kind === 'os-release') {
      // Another os-release only when neither well-known path leads to one (as before links were followed).
      if (release ? node !== release : inv.os) continue;
      const f = data.fields;
      inv.os = {
        id: f.ID,
        versionId: f.VERSION_ID,
        name: f.NAME,
        prettyName: f.PRETTY_NAME,
        codename: f.VERSION_CODENAME,
        path,
        layer: v.layer,
      };
    } else if (data.kind === 'packages') {
      byManager.set(data.manager, [...(byManager.get(data.manager) ?? []), ...data.packages]);
      inv.sources.push({ path, layer: v.layer });
      if (data.truncated) inv.notes.push(`${path} was larger than the read limit: the inventory is incomplete`);
    } else if (data.kind === 'rpm-db') {
      inv.sources.push({ path, layer: v.layer });
      if (data.packages) byManager.set('rpm', [...(byManager.get('rpm') ?? []), ...data.packages]);
      if (data.note) inv.notes.push(`${path}: ${data.note}`);
    }
  }
  for (const [path, target] of files.unread) inv.unread.push({ path, target });
  for (const m of ['dpkg', 'apk', 'rpm'] as PackageManager[]) {
    const pk = byManager.get(m);
    if (pk && pk.length) {
      inv.manager ??= m;
      for (const p of pk) inv.packages.push(p); // (not push(...pk): more packages than a call has arguments)
    }
  }
  inv.packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
  inv.sources.sort((a, b) => (a.path < b.path ? -1 : 1));
  return inv;
}

const DAY = 86_400_000;

function days(from: Date, to: string): number {
  return Math.floor((Date.parse(to + 'T00:00:00Z') - from.getTime()) / DAY);
}

/** Findings for the distribution: end of life, support phase, inventory notes. */
export function osFindings(model: ImageModel, inv: OsInventory, now: Date): Finding[] {
  const out: Finding[] = [];
  const meta = model.meta;
  const os = inv.os;
  const pkgSummary = inv.manager ? `${inv.packages.length} ${inv.manager} packages` : 'no OS package database found';
  if (!os) {
    out.push(
      makeFinding({
        ruleId: 'os-unknown',
        category: 'os',
        severity: 'info',
        title: 'Distribution not identified',
        message: `No /etc/os-release or /usr/lib/os-release in the final image (scratch, distroless or a custom base); ${pkgSummary}.`,
        remediation:
          'Nothing to do if the image is built from scratch on purpose; otherwise vulnerability scanners need os-release to match packages.',
        properties: { packageCount: inv.packages.length, packageManager: inv.manager },
      }),
    );
  } else {
    const label = os.prettyName || [os.name, os.versionId].filter(Boolean).join(' ') || os.id || 'unknown';
    const entry = eolEntry(os.id, os.versionId);
    const base = {
      category: 'os' as const,
      path: os.path,
      layerIndex: os.layer,
      layerDigest: layerDigestOf(meta, os.layer),
    };
    const props = {
      os: os.id,
      version: os.versionId,
      codename: os.codename,
      packageCount: inv.packages.length,
      packageManager: inv.manager,
      eolTableDate: EOL_TABLE_DATE,
    };
    if (!entry) {
      out.push(
        makeFinding({
          ...base,
          ruleId: 'os-detected',
          severity: 'info',
          title: `Distribution: ${label}`,
          message: `${label}; ${pkgSummary}. Its end-of-life date is not in layerlens's table (dated ${EOL_TABLE_DATE}).`,
          remediation: "Check the distribution's support schedule.",
          properties: props,
        }),
      );
    } else {
      const toEol = days(now, entry.eol);
      const toExt = entry.extended ? days(now, entry.extended) : undefined;
      const p = { ...props, eol: entry.eol, extendedSupportEnd: entry.extended ?? null };
      if (toEol < 0 && (toExt === undefined || toExt < 0)) {
        out.push(
          makeFinding({
            ...base,
            ruleId: 'os-eol',
            severity: 'high',
            title: `End-of-life distribution: ${entry.name}`,
            message: `${label} stopped receiving security updates on ${entry.extended ?? entry.eol}${entry.extended ? ` (regular support ended ${entry.eol}, ${entry.extendedName} ${entry.extended})` : ''}: new vulnerabilities in its ${pkgSummary} will not be fixed.`,
            remediation: 'Rebuild on a supported release of the distribution.',
            properties: p,
          }),
        );
      } else if (toEol < 0) {
        const paid = /subscription/.test(entry.extendedName ?? '');
        out.push(
          makeFinding({
            ...base,
            ruleId: 'os-extended-support',
            severity: paid ? 'medium' : 'low',
            title: `Distribution past regular support: ${entry.name}`,
            message: `${label}: regular security support ended on ${entry.eol}; ${entry.extendedName} continues until ${entry.extended}${paid ? ' (security fixes only with a subscription)' : ''}. ${pkgSummary}.`,
            remediation: `Plan the move to a newer release before ${entry.extended}.`,
            properties: p,
          }),
        );
      } else if (toEol <= 90) {
        out.push(
          makeFinding({
            ...base,
            ruleId: 'os-eol-soon',
            severity: 'low',
            title: `Distribution reaches end of support soon: ${entry.name}`,
            message: `${label}: regular security support ends on ${entry.eol} (in ${toEol} days). ${pkgSummary}.`,
            remediation: 'Plan the move to a newer release.',
            properties: p,
          }),
        );
      } else {
        out.push(
          makeFinding({
            ...base,
            ruleId: 'os-detected',
            severity: 'info',
            title: `Distribution: ${label}`,
            message: `${label}, supported until ${entry.eol}${entry.extended ? ` (${entry.extendedName} until ${entry.extended})` : ''}; ${pkgSummary}.`,
            remediation: 'Nothing to do; export the package list with --sbom for a vulnerability scanner.',
            properties: p,
          }),
        );
      }
    }
  }
  for (const { path, target } of inv.unread) {
    const what = READ_FOR[path] ?? 'the OS package inventory, and with it the vulnerabilities of those packages';
    out.push(
      makeFinding({
        ruleId: 'os-file-unread',
        category: 'os',
        severity: 'medium',
        title: `${path} is a link to a file not read: ${target}`,
        message: `${path} is a link to ${target}. Programs in the container read that file through it, and it decides ${what}. layerlens keeps the bytes of files of the well-known names as the layers stream (and at most ${OS_BY_NAME_MAX} away from their paths); this one was not kept, so what it says is not in this report. Images rarely hold such a link: check the file.`,
        remediation: `Look at it (\`layerlens extract IMAGE ${target}\`); keep the real file at ${path}.`,
        path: target,
        discriminator: path,
        properties: { linkPath: path, target },
      }),
    );
  }
  for (const note of inv.notes) {
    out.push(
      makeFinding({
        ruleId: 'os-inventory-incomplete',
        category: 'os',
        severity: 'info',
        title: 'OS package inventory incomplete',
        message: note,
        remediation: 'Use a scanner that reads this database format for a complete package list.',
        discriminator: note,
      }),
    );
  }
  return out;
}
