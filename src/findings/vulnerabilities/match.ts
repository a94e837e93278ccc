/**
 * Whether an OSV record affects a version, per the OSV schema's evaluation: within each range,
 * events sorted by version, a version is affected from an `introduced` up to (not including) a
 * `fixed`, or up to and including a `last_affected`; `limit` caps the range; an explicit
 * `versions` list affects exactly those. Returns the fix that applies (the first `fixed` above
 * the version in the range that affects it), or null when none is published.
 */
import { orderFor, type Compare } from '../../versions/index.js';
import type { VulnRecord } from '../../vulndb/index.js';

export interface Affected {
  /** The version that fixes it, or null: no fix published yet. */
  fixed: string | null;
}

const ZERO = '0';

function rangeAffects(events: Array<[string, string]>, v: string, cmp: Compare): Affected | undefined {
  // "0" as introduced means "from the beginning": it sorts first whatever the order says.
  const key = (e: [string, string]) => e[1];
  const sorted = [...events].sort((a, b) => {
    if (key(a) === ZERO && a[0] === 'introduced') return -1;
    if (key(b) === ZERO && b[0] === 'introduced') return 1;
    return cmp(key(a), key(b));
  });
  const limit = sorted.filter((e) => e[0] === 'limit').map(key);
  if (limit.some((l) => cmp(v, l) >= 0)) return undefined;
  let affected = false;
  for (const [kind, at] of sorted) {
    if (kind === 'introduced' && (at === ZERO || cmp(v, at) >= 0)) affected = true;
    else if (kind === 'fixed' && cmp(v, at) >= 0) affected = false;
    else if (kind === 'last_affected' && cmp(v, at) > 0) affected = false;
  }
  if (!affected) return undefined;
  const fix = sorted.find((e) => e[0] === 'fixed' && cmp(e[1], v) > 0);
  return { fixed: fix ? fix[1] : null };
}

export function affects(rec: VulnRecord, ecosystem: string, version: string): Affected | undefined {
  const order = orderFor(ecosystem);
  let hit: Affected | undefined;
  for (const r of rec.ranges) {
    const cmp = r.type === 'SEMVER' ? orderFor('npm') : order;
    let a: Affected | undefined;
    try {
      a = rangeAffects(r.events, version, cmp);
    } catch {
      a = undefined; // a version this order cannot read: not a match, never a crash
    }
    if (a && (!hit || (hit.fixed === null && a.fixed !== null))) hit = a;
  }
  if (!hit && rec.versions?.includes(version)) hit = { fixed: null };
  return hit;
}
