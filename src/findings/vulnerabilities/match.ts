/**
 * Whether an OSV record affects a version, per the OSV schema's evaluation: within each range,
 * events sorted by version, a version is affected from an `introduced` up to (not including) a
 * `fixed`, or up to and including a `last_affected`; `limit` caps the range; an explicit
 * `versions` list affects exactly those. Returns the fix that applies (the first `fixed` above
 * the version in the range that affects it), or null when none is published.
 *
 * A package is matched against all its records with one `Matcher`: the comparisons of its version
 * with each event's version are cached (a distribution's advisories for one package name the same
 * fixed versions over and over), and a range of the usual shape — introduced "0", then one fixed
 * or last_affected — needs no sort.
 */
import { orderFor, type Compare } from '../../versions/index.js';
import type { VulnRecord } from '../../vulndb/index.js';

export interface Affected {
  /** The version that fixes it, or null: no fix published yet. */
  fixed: string | null;
}

const ZERO = '0';

type Events = Array<[string, string]>;

export class Matcher {
  private readonly cmp: Compare;
  private readonly semver: Compare;
  private readonly cache = new Map<string, number>();
  private readonly semverCache = new Map<string, number>();
  /** Results by match part: records that share one (the index shares its objects) share the answer. */
  private readonly byPart = new Map<object, Affected | null>();

  constructor(
    ecosystem: string,
    private readonly version: string,
  ) {
    this.cmp = orderFor(ecosystem);
    this.semver = orderFor('npm');
  }

  /** The installed version against `x` in the range's order (cached; may throw on an unreadable version). */
  private vs(x: string, semver: boolean): number {
    const cache = semver ? this.semverCache : this.cache;
    let c = cache.get(x);
    if (c === undefined) cache.set(x, (c = Math.sign((semver ? this.semver : this.cmp)(this.version, x))));
    return c;
  }

  private range(events: Events, semver: boolean): Affected | undefined {
    const vs = (x: string) => this.vs(x, semver);
    // The usual shape: [introduced "0"] or [introduced "0", fixed X | last_affected X].
    if (events.length <= 2 && events[0]?.[0] === 'introduced' && events[0][1] === ZERO) {
      const end = events[1];
      if (!end) return { fixed: null };
      if (end[0] === 'fixed') return vs(end[1]) < 0 ? { fixed: end[1] } : undefined;
      if (end[0] === 'last_affected') return vs(end[1]) <= 0 ? { fixed: null } : undefined;
      if (end[0] === 'limit') return vs(end[1]) < 0 ? { fixed: null } : undefined;
    }
    const cmp = semver ? this.semver : this.cmp;
    // "0" as introduced means "from the beginning": it sorts first whatever the order says.
    const sorted = [...events].sort((a, b) => {
      if (a[1] === ZERO && a[0] === 'introduced') return -1;
      if (b[1] === ZERO && b[0] === 'introduced') return 1;
      return cmp(a[1], b[1]);
    });
    if (sorted.some((e) => e[0] === 'limit' && vs(e[1]) >= 0)) return undefined;
    let affected = false;
    for (const [kind, at] of sorted) {
      if (kind === 'introduced' && (at === ZERO || vs(at) >= 0)) affected = true;
      else if (kind === 'fixed' && vs(at) >= 0) affected = false;
      else if (kind === 'last_affected' && vs(at) > 0) affected = false;
    }
    if (!affected) return undefined;
    const fix = sorted.find((e) => e[0] === 'fixed' && vs(e[1]) < 0);
    return { fixed: fix ? fix[1] : null };
  }

  affects(rec: Pick<VulnRecord, 'ranges' | 'versions'>): Affected | undefined {
    const known = this.byPart.get(rec.ranges);
    if (known !== undefined) return known ?? undefined;
    const hit = this.evaluate(rec);
    this.byPart.set(rec.ranges, hit ?? null);
    return hit;
  }

  private evaluate(rec: Pick<VulnRecord, 'ranges' | 'versions'>): Affected | undefined {
    let hit: Affected | undefined;
    for (const r of rec.ranges) {
      let a: Affected | undefined;
      try {
        a = this.range(r.events, r.type === 'SEMVER');
      } catch {
        a = undefined; // a version this order cannot read: not a match, never a crash
      }
      if (a && (!hit || (hit.fixed === null && a.fixed !== null))) hit = a;
    }
    if (!hit && rec.versions?.includes(this.version)) hit = { fixed: null };
    return hit;
  }
}

export function affects(
  rec: Pick<VulnRecord, 'ranges' | 'versions'>,
  ecosystem: string,
  version: string,
): Affected | undefined {
  return new Matcher(ecosystem, version).affects(rec);
}
