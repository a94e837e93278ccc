/**
 * The `vulnerability` check: the inventory's live packages matched against the OSV database's
 * records for exactly those packages. One finding per vulnerability per package (aliases merged:
 * a CVE and its GHSA/DSA/DLA/USN are one finding), at the layer that introduced the package, marked
 * as the base image's or the user's own; a summary ("N in the base image (layers 0–1), M in your
 * layers") naming the single change that fixes the most; and the database's own state (missing,
 * stale, without an ecosystem the image needs). Pure: the database look-ups are given.
 */
import { dockerfileLine } from '../../engine/history.js';
import type { ImageModel } from '../../engine/image.js';
import { orderFor } from '../../versions/index.js';
import { packageKey, type VulnDb, type VulnRecord } from '../../vulndb/index.js';
import { redactCommand } from '../config.js';
import { layerDigestOf, makeFinding } from '../make.js';
import { livePackages, type Package, type PackageInventory } from '../packages/index.js';
import type { Finding, Severity } from '../types.js';
import { severityRank } from '../types.js';
import { baseImageOf, type BaseImage } from './base.js';
import { matchTarget, type MatchTarget } from './ecosystem.js';
import { Matcher } from './match.js';

export { baseImageOf, type BaseImage } from './base.js';
export { affects, Matcher } from './match.js';
export { matchTarget, orderEcosystem, osEcosystem } from './ecosystem.js';
export {
  isVulnerability,
  packageLocations,
  severityCounts,
  vulnerableLayers,
  vulnerablePackages,
  vulnProps,
  type VulnerabilityProperties,
  type VulnerablePackage,
} from './groups.js';
export { overviewBlock, vulnerabilityOverview, type VulnerabilityOverview } from './overview.js';

export interface VulnerabilityContext {
  /** The opened database, or undefined when none was found. */
  db: VulnDb | undefined;
  /** Where it was looked for (for the "no database" message). */
  looked?: string[];
  /** Older than this many days: the report warns (default 7). */
  maxAgeDays?: number;
  /** Unmask build-arg values in the commands quoted (--reveal). */
  reveal?: boolean;
}

interface Group {
  target: MatchTarget;
  packages: Package[];
}

/** The look-up keys of an inventory's live packages (what to read from the database). */
export function lookupTargets(inv: PackageInventory): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const p of livePackages(inv)) {
    const t = matchTarget(p, inv.os);
    if (!t) continue;
    const id = `${packageKey(t.ecosystem, t.name)}\t${t.version}`;
    const g = groups.get(id);
    if (g) g.packages.push(p);
    else groups.set(id, { target: t, packages: [p] });
  }
  return groups;
}

export function lookupKeys(inv: PackageInventory): Set<string> {
  return new Set([...lookupTargets(inv).values()].map((g) => packageKey(g.target.ecosystem, g.target.name)));
}

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };

interface Merged {
  ids: Set<string>;
  records: Array<{ rec: VulnRecord; fixed: string | null }>;
}

/**
 * Records that name each other (id or alias), directly or through others, are one vulnerability:
 * the groups in the order of their first record, each with its records in their order. Found
 * with a map of names and union-find: comparing each record with every group so far was
 * quadratic (40,000 matching records of one package, as a database can hold, took 88 s).
 */
function mergeAliases(matches: Array<{ rec: VulnRecord; fixed: string | null }>): Merged[] {
  const parent = matches.map((_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r];
    while (parent[i] !== r) {
      const next = parent[i];
      parent[i] = r; // path compression
      i = next;
    }
    return r;
  };
  const names = (m: (typeof matches)[number]) => [m.rec.id, ...(m.rec.aliases ?? [])];
  const owner = new Map<string, number>();
  matches.forEach((m, i) => {
    for (const n of names(m)) {
      const o = owner.get(n);
      if (o === undefined) owner.set(n, i);
      else {
        const [a, b] = [find(o), find(i)];
        // The root is the earlier record: a group is where its first record is.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const groups = new Map<number, Merged>();
  matches.forEach((m, i) => {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { ids: new Set(), records: [] }));
    for (const n of names(m)) g.ids.add(n);
    g.records.push(m);
  });
  return [...groups.values()];
}

/** The id users search for: the CVE when there is one, else GHSA, else the first. */
function preferredId(ids: Set<string>, records: Merged['records']): string {
  const all = [...ids].sort();
  return all.find((i) => i.startsWith('CVE-')) ?? all.find((i) => i.startsWith('GHSA-')) ?? records[0].rec.id;
}

const DAY = 86_400_000;

export function vulnerabilityFindings(
  model: ImageModel,
  inv: PackageInventory,
  ctx: VulnerabilityContext,
  now: Date,
): Finding[] {
  const meta = model.meta;
  if (!meta) return [];
  const out: Finding[] = [];
  const groups = lookupTargets(inv);
  const db = ctx.db;
  if (!db) {
    out.push(
      makeFinding({
        ruleId: 'vulnerability-db-missing',
        category: 'vulnerability',
        severity: 'info',
        title: 'No vulnerability database',
        message: `No vulnerability database was found${ctx.looked?.length ? ` (looked in ${ctx.looked.join(', ')})` : ''}: the ${groups.size} packages found were not checked for known vulnerabilities. Every other check ran.`,
        remediation:
          'Run `layerlens db update` once (or scan with --db-update), or point --db at a directory holding one (osv-scanner’s offline cache works too).',
        properties: { packagesFound: groups.size },
      }),
    );
    return out;
  }
  // The database's age: its oldest archive among those the image needs.
  const needed = new Set([...groups.values()].map((g) => g.target.ecosystem.split(':')[0]));
  const missing = [...needed].filter((e) => !db.ecosystems[e]).sort();
  const dates = [...needed]
    .filter((e) => db.ecosystems[e])
    .map((e) => ({ e, t: Date.parse(db.ecosystems[e].fetched) }))
    .sort((a, b) => a.t - b.t);
  const maxAge = ctx.maxAgeDays ?? 7;
  const oldest = dates[0];
  if (oldest && now.getTime() - oldest.t > maxAge * DAY) {
    const days = Math.floor((now.getTime() - oldest.t) / DAY);
    out.push(
      makeFinding({
        ruleId: 'vulnerability-db-stale',
        category: 'vulnerability',
        severity: 'low',
        title: `Vulnerability database is ${days} days old`,
        message: `The vulnerability database's ${oldest.e} advisories were fetched on ${new Date(oldest.t).toISOString().slice(0, 10)}, ${days} days ago (more than ${maxAge}): vulnerabilities published since are not reported. A clean result from stale data is not evidence.`,
        remediation: 'Run `layerlens db update` (or scan with --db-update) before relying on the result.',
        properties: {
          ecosystem: oldest.e,
          fetched: new Date(oldest.t).toISOString(),
          ageDays: days,
          maxAgeDays: maxAge,
        },
      }),
    );
  }
  if (missing.length) {
    const count = [...groups.values()].filter((g) => missing.includes(g.target.ecosystem.split(':')[0])).length;
    out.push(
      makeFinding({
        ruleId: 'vulnerability-db-incomplete',
        category: 'vulnerability',
        severity: 'info',
        title: `Vulnerability database has no ${missing.join(', ')} advisories`,
        message: `The image holds ${count} packages of ${missing.join(', ')}, which the vulnerability database (${db.description}) has no advisories for: they were not checked.`,
        remediation: `Run \`layerlens db update --ecosystem ${missing.map((m) => (/\s/.test(m) ? `"${m}"` : m)).join(' --ecosystem ')}\`.`,
        properties: { ecosystems: missing, packages: count },
        discriminator: missing.join(','),
      }),
    );
  }
  const records = db.lookup(new Set([...groups.values()].map((g) => packageKey(g.target.ecosystem, g.target.name))));
  const base = baseImageOf(meta);
  const commands = layerCommands(model, ctx.reveal);
  const vulns: Finding[] = [];
  for (const g of groups.values()) {
    const { ecosystem, name, version } = g.target;
    const matches: Merged['records'] = [];
    // Only the records that match are parsed whole (most of a package's advisories do not).
    const matcher = new Matcher(ecosystem, version);
    for (const cand of records.get(packageKey(ecosystem, name)) ?? []) {
      const a = matcher.affects(cand);
      if (a) matches.push({ rec: cand.record(), fixed: a.fixed });
    }
    for (const m of mergeAliases(matches)) vulns.push(vulnFinding(model, g, m, base, commands));
  }
  // (Loops, not push(...list): an image can give more of them than a call has arguments.)
  for (const v of vulns) out.push(v);
  // Always a summary: a clean result says what was checked against which data, and how old.
  const database = {
    description: db.description,
    fetched: Object.fromEntries(dates.map((d) => [d.e, new Date(d.t).toISOString()])),
  };
  out.push(summaryFinding(vulns, base, { checked: groups.size, database }));
  return out;
}

/** A layer's command as the findings quote it (build args masked), once per layer. */
function layerCommands(model: ImageModel, reveal: boolean | undefined): (layer: number) => string | null {
  const cache = new Map<number, string | null>();
  return (layer) => {
    let c = cache.get(layer);
    if (c === undefined) {
      const step = model.meta?.history.find((h) => h.layerIndex === layer)?.createdBy;
      cache.set(layer, (c = step ? dockerfileLine(redactCommand(step, reveal)) : null));
    }
    return c;
  };
}

function vulnFinding(
  model: ImageModel,
  g: Group,
  m: Merged,
  base: BaseImage,
  commands: (layer: number) => string | null,
): Finding {
  const meta = model.meta!;
  const { ecosystem, name, version } = g.target;
  const order = orderFor(ecosystem);
  const id = preferredId(m.ids, m.records);
  const aliases = [...m.ids].filter((x) => x !== id).sort();
  const sev = m.records
    .map((r) => r.rec.severity)
    .reduce((a, b) =>
      RANK[b.level] > RANK[a.level] || (RANK[b.level] === RANK[a.level] && (b.score ?? 0) > (a.score ?? 0)) ? b : a,
    );
  const fixes = m.records.map((r) => r.fixed).filter((f): f is string => f !== null);
  // Every record's fix must be installed: the highest of them.
  const fixed = fixes.length ? fixes.reduce((a, b) => (order(b, a) > 0 ? b : a)) : null;
  const pkgs = [...g.packages].sort((a, b) => a.layer - b.layer);
  const layer = pkgs[0].layer;
  const origin = base.how === 'none' ? 'unknown' : layer < base.layers ? 'base' : 'own';
  const command = commands(layer);
  const summary = m.records.find((r) => r.rec.summary)?.rec.summary;
  const binaries = [...new Set(pkgs.map((p) => p.name))].filter((n) => n !== name);
  const url = m.records.find((r) => r.rec.id === id)?.rec.url ?? m.records[0].rec.url;
  const sevText =
    sev.level === 'unknown'
      ? 'severity unknown (no advisory gives a score or rating)'
      : `${sev.level}${sev.score !== undefined ? ` (CVSS ${sev.score})` : ''}`;
  const where = origin === 'base' ? 'the base image' : origin === 'own' ? 'your layers' : 'a layer';
  const paths = [...new Set(pkgs.flatMap((p) => p.paths))];
  const fixText = fixed ? `Fixed in ${fixed}.` : 'No fix available yet.';
  const upgrade =
    fixed === null
      ? `No fixed version of ${name} is published yet: remove the package if the image does not need it, or accept the risk in .layerlensignore (${id} until=YYYY-MM-DD # why) and check again later.`
      : origin === 'base' && /^(deb|apk|rpm)$/.test(pkgs[0].type)
        ? `Rebuild on an updated base image${base.name ? ` (${base.name})` : ''}, or upgrade ${name} to ${fixed} in your Dockerfile (apt-get upgrade / apk upgrade).`
        : `Upgrade ${name} to ${fixed} or later${pkgs[0].foundBy === 'lockfile' ? ' in the lockfile' : ''}.`;
  return makeFinding({
    ruleId: id,
    category: 'vulnerability',
    severity: sev.level satisfies Severity,
    title: `${name} ${version}: ${summary ?? id}`,
    message: `${name} ${version} (${ecosystem}${binaries.length ? `; binary packages ${binaries.join(', ')}` : ''}) is affected by ${id}${aliases.length ? ` (${aliases.join(', ')})` : ''}, ${sevText}. ${fixText} Introduced in layer ${layer}${command ? ` (${command})` : ''}, in ${where}.`,
    remediation: upgrade,
    path: paths[0] ?? null,
    layerIndex: layer,
    layerDigest: layerDigestOf(meta, layer),
    key: name,
    properties: {
      package: name,
      ecosystem,
      installedVersion: version,
      fixedVersion: fixed,
      aliases,
      severity: sev.level,
      severitySource: sev.source,
      ...(sev.score !== undefined ? { cvssScore: sev.score } : {}),
      ...(sev.vector ? { cvssVector: sev.vector } : {}),
      advisoryUrl: url,
      purl: pkgs[0].purl,
      ...(binaries.length ? { binaryPackages: binaries } : {}),
      paths,
      origin,
      layerCommand: command,
    },
    discriminator: `${ecosystem}\0${name}\0${version}`,
  });
}

/** The change that fixes the most vulnerabilities: one package upgrade, or a rebuild on a newer base. */
function bestFix(vulns: Finding[], base: BaseImage): { text: string; fixes: number } | undefined {
  const byPkg = new Map<string, { name: string; to: string; fixes: number; eco: string; worst: number }>();
  let baseFixes = 0;
  for (const f of vulns) {
    const p = f.properties as { package: string; ecosystem: string; fixedVersion: string | null; origin: string };
    if (!p.fixedVersion) continue;
    if (p.origin === 'base' && !/^(npm|PyPI|Go|Maven|RubyGems|Packagist|NuGet)$/.test(p.ecosystem)) baseFixes++;
    const k = `${p.ecosystem}\0${p.package}`;
    const e = byPkg.get(k);
    const rank = severityRank(f.severity);
    if (!e) byPkg.set(k, { name: p.package, to: p.fixedVersion, fixes: 1, eco: p.ecosystem, worst: rank });
    else {
      e.fixes++;
      e.worst = Math.max(e.worst, rank);
      if (orderFor(p.ecosystem)(p.fixedVersion, e.to) > 0) e.to = p.fixedVersion;
    }
  }
  // The most fixes; on a tie, the one that fixes the most severe; then by name (a stable answer).
  const top = [...byPkg.values()].sort(
    (a, b) => b.fixes - a.fixes || b.worst - a.worst || (a.name < b.name ? -1 : 1),
  )[0];
  if (baseFixes > (top?.fixes ?? 0))
    return {
      text: `rebuild on an updated base image${base.name ? ` (${base.name})` : ''}: fixes ${baseFixes}`,
      fixes: baseFixes,
    };
  return top ? { text: `upgrade ${top.name} to ${top.to}: fixes ${top.fixes}`, fixes: top.fixes } : undefined;
}

/** "9 in the base image (layers 0–1, debian:bookworm), 3 in your layers", or why there is no split. */
function originSplit(base: BaseImage, origins: { base: number; own: number }): string {
  if (base.how === 'none')
    return base.name
      ? `the image is built on ${base.name} (its ${base.namedBy === 'label' ? 'label' : 'OCI annotation'} says so), but nothing in the history marks where that base's layers end, so the base image could not be told apart from your layers`
      : 'the base image could not be told apart from your layers (no base-image annotation, and no CMD/ENTRYPOINT step or pause in the history marks where it ends)';
  const range = base.layers === 1 ? 'layer 0' : `layers 0–${base.layers - 1}`;
  return `${origins.base} in the base image (${range}${base.name ? `, ${base.name}` : ''}), ${origins.own} in your layers`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const known = (n: number) => `${n} known vulnerabilit${n === 1 ? 'y' : 'ies'}`;

interface Checked {
  /** Packages matched against the database. */
  checked: number;
  /** The database: what it is, and when each archive the image needed was fetched. */
  database: { description: string; fetched: Record<string, string> };
}

function summaryFinding(vulns: Finding[], base: BaseImage, c: Checked): Finding {
  const dates = Object.entries(c.database.fetched)
    .map(([e, t]) => `${e} ${t.slice(0, 10)}`)
    .join(', ');
  if (!vulns.length)
    return makeFinding({
      ruleId: 'vulnerability-summary',
      category: 'vulnerability',
      severity: 'info',
      title: `No known vulnerabilities in ${plural(c.checked, 'package')}`,
      message: `No known vulnerabilities in the ${plural(c.checked, 'package')} checked${dates ? ` (advisories fetched: ${dates})` : ''}.`,
      remediation: 'Nothing to fix; run `layerlens db update` now and then, so a clean result stays evidence.',
      properties: {
        vulnerabilities: 0,
        packages: 0,
        packagesChecked: c.checked,
        bySeverity: {},
        database: c.database,
      },
    });
  const origins = { base: 0, own: 0, unknown: 0 };
  const bySeverity: Record<string, number> = {};
  for (const f of vulns) {
    const p = f.properties as { origin: keyof typeof origins; severity: string };
    origins[p.origin]++;
    bySeverity[p.severity] = (bySeverity[p.severity] ?? 0) + 1;
  }
  const packages = new Set(vulns.map((f) => (f.properties as { purl: string }).purl)).size;
  const split = originSplit(base, origins);
  const fix = bestFix(vulns, base);
  const counts = ['critical', 'high', 'medium', 'low', 'unknown']
    .filter((s) => bySeverity[s])
    .map((s) => `${bySeverity[s]} ${s}`)
    .join(', ');
  return makeFinding({
    ruleId: 'vulnerability-summary',
    category: 'vulnerability',
    severity: 'info',
    // The split is in the title too: the table and the explorer show titles.
    title: `${known(vulns.length)} in ${plural(packages, 'package')}${base.how === 'none' ? '' : `: ${split}`}`,
    message: `${known(vulns.length)} (${counts}) in ${plural(packages, 'package')}: ${split}.${fix ? ` The single change that fixes the most: ${fix.text}.` : ' None has a published fix yet.'}`,
    remediation: fix
      ? `${fix.text[0].toUpperCase()}${fix.text.slice(1)}.`
      : 'Watch the advisories for fixes; remove packages the image does not need.',
    properties: {
      vulnerabilities: vulns.length,
      packages,
      bySeverity,
      baseImage: {
        layers: base.layers,
        how: base.how,
        name: base.name ?? null,
        digest: base.digest ?? null,
        namedBy: base.namedBy ?? null,
        vulnerabilities: origins.base,
      },
      ownLayers: origins.own,
      ...(fix ? { bestFix: fix.text, bestFixCount: fix.fixes } : {}),
      packagesChecked: c.checked,
      database: c.database,
    },
  });
}
