/**
 * The package inventory of a loaded image: every package the content inspector found, in every
 * ecosystem, with the layer that introduced it at its version and the layer that removed it. Read
 * from the results left on file versions while the layers streamed (no second pass): each file's
 * versions are walked oldest first, and a package "runs" from the first version that lists it to
 * the first that does not (or the file's removal).
 */
import type { ImageModel } from '../../engine/image.js';
import type { TreeNode } from '../../engine/tree.js';
import { inspected, nodeIndex } from '../content.js';
import { osFileNodes, osInventory, type OsInfo, type OsPackage } from '../os/index.js';
import { purlOf } from './purl.js';
import type { FoundPackage, Package, PackageFileData, PackageType } from './types.js';
import { sameVersion } from '../../engine/version-store.js';

export interface PackageInventory {
  os: OsInfo | null;
  packages: Package[];
  /** Files that could not be read in full ("app.jar: larger than the read limit"). */
  notes: string[];
}

type Found = Omit<Package, 'purl' | 'paths' | 'layer' | 'removedIn'>;

interface Run {
  pkg: Found;
  path: string;
  from: number;
  to: number | null;
}

const OS_TYPE = { dpkg: 'deb', apk: 'apk', rpm: 'rpm' } as const;

/** What one version of a file says: packages keyed by identity (its OS data only when `os`: see locate.ts). */
function packagesOf(node: TreeNode, i: number, os: boolean): Map<string, { pkg: Found; inner?: string }> | undefined {
  const c = inspected(node.versions[i]);
  if (!c) return undefined;
  const out = new Map<string, { pkg: Found; inner?: string }>();
  if (os && c.os && (c.os.kind === 'packages' || c.os.kind === 'rpm-db')) {
    for (const p of c.os.packages ?? []) out.set(`${p.name}\0${p.version}\0${p.arch ?? ''}`, { pkg: fromOs(p) });
  }
  if (c.packages) {
    for (const f of c.packages.found)
      out.set(`${f.type}\0${f.name}\0${f.version}\0${f.inner ?? ''}`, { pkg: fromFile(f, c.packages), inner: f.inner });
  }
  return out;
}

function fromOs(p: OsPackage): Found {
  const pkg: Found = { type: OS_TYPE[p.manager], name: p.name, version: p.version, foundBy: 'os-database' };
  if (p.source) pkg.source = p.source;
  if (p.sourceVersion) pkg.sourceVersion = p.sourceVersion;
  if (p.arch) pkg.arch = p.arch;
  if (p.license) pkg.license = p.license;
  return pkg;
}

function fromFile(f: FoundPackage, data: PackageFileData): Found {
  const foundBy: Package['foundBy'] =
    data.from === 'elf'
      ? 'binary'
      : data.from === 'java-archive'
        ? 'archive'
        : data.from === 'npm-lockfile' || data.from === 'yarn-lock' || data.from === 'pnpm-lock'
          ? 'lockfile'
          : 'installed';
  return { type: f.type, name: f.name, version: f.version, foundBy };
}

/** Runs of each package along one file's versions. */
function runsOf(node: TreeNode, os: boolean, out: Run[]): void {
  const path = node.path;
  const open = new Map<string, Run>();
  const versions = node.versions;
  for (let i = 0; i < versions.length; i++) {
    const now = packagesOf(node, i, os) ?? new Map();
    for (const [key, run] of open) {
      if (!now.has(key)) {
        run.to = versions[i].layer;
        open.delete(key);
      }
    }
    for (const [key, { pkg, inner }] of now) {
      if (open.has(key)) continue;
      const run: Run = { pkg, path: inner ? `${path}!/${inner}` : path, from: versions[i].layer, to: null };
      open.set(key, run);
      out.push(run);
    }
  }
}

/** A lockfile counts where its project has no installed node_modules in the final image. */
function lockfileShadowed(node: TreeNode, top: number): boolean {
  const dir = node.parent;
  const nm = dir?.children?.get('node_modules');
  return !!nm?.liveAt(top);
}

/** Language packages under /usr/lib/python…: installed by the distribution's package manager. */
function osManagedPath(path: string): boolean {
  return /^\/usr\/lib(?:64)?\/python[0-9.]*\/(?:dist|site)-packages\//.test(path);
}

const cache = new WeakMap<object, { edits: number; inv: PackageInventory }>();

/** The inventory of the layers applied so far (computed once per state of the tree: FileTree.edits, as nodeIndex). */
export function packageInventory(model: ImageModel): PackageInventory {
  const hit = cache.get(model.tree);
  if (hit && hit.edits === model.tree.edits) return hit.inv;
  const inv = computeInventory(model);
  cache.set(model.tree, { edits: model.tree.edits, inv });
  return inv;
}

function computeInventory(model: ImageModel): PackageInventory {
  const top = model.tree.layerCount - 1;
  const os = osInventory(model);
  const osFiles = osFileNodes(model).counted;
  const runs: Run[] = [];
  const notes: string[] = [];
  for (const node of nodeIndex(model.tree).inspected) {
    const versions = node.versions;
    let relevant = false;
    const countOs = osFiles.has(node);
    for (const v of versions) {
      const c = inspected(v);
      if (c?.packages || (countOs && c?.os && c.os.kind !== 'os-release' && c.os.kind !== 'passwd')) relevant = true;
      if (c?.packages?.note && sameVersion(v, node.liveAt(top))) notes.push(`${node.path}: ${c.packages.note}`);
    }
    if (!relevant) continue;
    const live = inspected(node.liveAt(top))?.packages;
    if (live && live.from !== 'npm-package' && /lock/.test(live.from) && lockfileShadowed(node, top)) continue;
    runsOf(node, countOs, runs);
  }
  // One package per type, name and version: its paths; introduced by the earliest of its live
  // copies (or of all, when none is live), removed by the last removal when none is live.
  const byId = new Map<string, { runs: Run[] }>();
  for (const r of runs) {
    const id = `${r.pkg.type}\0${r.pkg.name}\0${r.pkg.version}`;
    const entry = byId.get(id);
    if (entry) entry.runs.push(r);
    else byId.set(id, { runs: [r] });
  }
  const hasOsDb = !!os.manager;
  const list: Package[] = [];
  for (const { runs: rs } of byId.values()) {
    const live = rs.filter((r) => r.to === null);
    const counted = live.length ? live : rs;
    const first = counted.reduce((a, b) => (b.from < a.from ? b : a));
    const p: Package = {
      ...first.pkg,
      purl: purlOf(first.pkg, os.os),
      paths: [...new Set(rs.map((r) => r.path))].sort(),
      layer: first.from,
      // (A loop, not Math.max(...runs): a package can have more runs than a call has arguments.)
      removedIn: live.length ? null : rs.reduce((at, r) => Math.max(at, r.to!), -1),
    };
    if (p.type === 'pypi' && hasOsDb && p.paths.every(osManagedPath)) p.osManaged = true;
    list.push(p);
  }
  const packages = list.sort((a, b) => cmp(a.type, b.type) || cmp(a.name, b.name) || cmp(a.version, b.version));
  return { os: os.os, packages, notes: [...os.notes, ...notes] };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The packages still in the final image. */
export function livePackages(inv: PackageInventory): Package[] {
  return inv.packages.filter((p) => p.removedIn === null);
}

export type { PackageType };
