/**
 * Packages of two images compared: added, removed, upgraded, downgraded. This is the seam where
 * an inventory plugs in: anything that lists `PackageRecord`s (the package inventory of every
 * ecosystem: src/findings/packages) and, per ecosystem, a version order (src/versions, as the
 * vulnerability check orders them). Without an order for an ecosystem a different version is
 * reported as `changed`, never guessed.
 */
import { orderFor } from '../../versions/index.js';
import { livePackages, type PackageInventory, type PackageType } from '../packages/index.js';
import { orderEcosystem } from '../vulnerabilities/index.js';
import type { PackageChange, PackageComparison, PackageRecord } from './types.js';

/** -1, 0, 1 for two versions of a package of `ecosystem`; undefined when that order is not known. */
export type VersionOrder = (ecosystem: string, a: string, b: string) => number | undefined;

/** The inventory's packages in the final image as records: the purl type is the ecosystem. */
export function inventoryRecords(inv: PackageInventory): PackageRecord[] {
  return livePackages(inv).map((p) => ({
    ecosystem: p.type,
    name: p.name,
    version: p.version,
    ...(p.arch ? { arch: p.arch } : {}),
    purl: p.purl,
  }));
}

/** Versions ordered as each package type's ecosystem orders them (a version no order can read: undefined). */
export const packageVersionOrder: VersionOrder = (ecosystem, a, b) => {
  const eco = orderEcosystem(ecosystem as PackageType);
  if (!eco) return undefined;
  try {
    return Math.sign(orderFor(eco)(a, b));
  } catch {
    return undefined;
  }
};

const keyOf = (p: PackageRecord) => `${p.ecosystem}\u0000${p.name}\u0000${p.arch ?? ''}`;

function byKey(list: PackageRecord[]): Map<string, PackageRecord[]> {
  const m = new Map<string, PackageRecord[]>();
  for (const p of list) {
    const k = keyOf(p);
    const l = m.get(k);
    if (l) l.push(p);
    else m.set(k, [p]);
  }
  return m;
}

const byName = (
  x: { ecosystem: string; name: string; arch?: string },
  y: { ecosystem: string; name: string; arch?: string },
) =>
  x.ecosystem < y.ecosystem
    ? -1
    : x.ecosystem > y.ecosystem
      ? 1
      : x.name < y.name
        ? -1
        : x.name > y.name
          ? 1
          : (x.arch ?? '') < (y.arch ?? '')
            ? -1
            : 1;

export function comparePackages(a: PackageRecord[], b: PackageRecord[], order?: VersionOrder): PackageComparison {
  const out: PackageComparison = {
    compared: a.length > 0 || b.length > 0,
    added: [],
    removed: [],
    upgraded: [],
    downgraded: [],
    changed: [],
    unchanged: 0,
  };
  const A = byKey(a);
  const B = byKey(b);
  for (const [k, olds] of A) {
    const news = B.get(k) ?? [];
    const nv = new Set(news.map((p) => p.version));
    const ov = new Set(olds.map((p) => p.version));
    const gone = olds.filter((p) => !nv.has(p.version));
    const come = news.filter((p) => !ov.has(p.version));
    out.unchanged += olds.length - gone.length;
    // One version each side that differs: an upgrade, a downgrade, or a change of unknown order.
    if (gone.length === 1 && come.length === 1) {
      const o = gone[0];
      const c: PackageChange = {
        ecosystem: o.ecosystem,
        name: o.name,
        ...(o.arch ? { arch: o.arch } : {}),
        old: o.version,
        new: come[0].version,
      };
      const cmp = order?.(o.ecosystem, o.version, come[0].version);
      if (cmp === undefined || Number.isNaN(cmp)) out.changed.push(c);
      else if (cmp < 0) out.upgraded.push(c);
      else if (cmp > 0) out.downgraded.push(c);
      else out.changed.push(c); // equal in order, different in text (1.0 vs 1.0.0)
      continue;
    }
    // (Loops, not push(...): a package can have more versions than a call has arguments.)
    for (const v of gone) out.removed.push(v);
    for (const v of come) out.added.push(v);
  }
  for (const [k, news] of B) if (!A.has(k)) for (const v of news) out.added.push(v);
  out.added.sort(byName);
  out.removed.sort(byName);
  for (const l of [out.upgraded, out.downgraded, out.changed]) l.sort(byName);
  return out;
}

/** Whether anything differs. */
export function packagesChanged(p: PackageComparison): boolean {
  return p.added.length + p.removed.length + p.upgraded.length + p.downgraded.length + p.changed.length > 0;
}
