/**
 * `.layerlensignore`: accepted findings, one per line:
 *
 *   RULE_ID [PATH_GLOB] [until=YYYY-MM-DD] # reason
 *
 * RULE_ID is a rule id (`secret-generic-assignment`, a vulnerability's `CVE-2021-23337` or any of
 * its aliases such as `GHSA-35jh-r3h4-6jhm`), `*` for any rule, or a finding id (its fingerprint). PATH_GLOB matches the finding's in-image path (`*` within a path segment, `**`
 * across segments, `?` one character); without it the entry matches any path. After `until` the
 * entry expires: layerlens warns and reports the finding again. The reason after `#` is required
 * (an entry without one still applies, with a warning), so reviews can see why.
 */
import { LayerlensError } from '../errors/index.js';
import type { Finding } from './types.js';

export interface IgnoreEntry {
  ruleId: string;
  glob?: string;
  /** Last day (UTC) the entry applies, YYYY-MM-DD. */
  until?: string;
  reason?: string;
  /** Where it came from, for messages: `FILE:LINE`. */
  origin: string;
}

/**
 * Rule ids that changed when every id became kebab-case (docs/reports.md, "Rule ids"): an ignore
 * file written for the old id still applies, with a warning naming the new one.
 */
export function renamedRuleId(id: string): string | undefined {
  if (id === 'provenance.unsigned') return 'provenance-unsigned';
  if (/^registry\.[a-z-]+$/.test(id)) return id.replace('.', '-');
  return undefined;
}

export interface IgnoreResult {
  kept: Finding[];
  ignored: Array<{ finding: Finding; entry: IgnoreEntry }>;
  warnings: string[];
}

export function parseIgnoreFile(
  text: string,
  source = '.layerlensignore',
): { entries: IgnoreEntry[]; warnings: string[] } {
  const entries: IgnoreEntry[] = [];
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const origin = `${source}:${i + 1}`;
    const hash = raw.search(/(?:^|\s)#/);
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    const reason =
      hash >= 0
        ? raw
            .slice(hash)
            .replace(/^\s*#\s*/, '')
            .trim()
        : '';
    if (!body) return;
    const words = body.split(/\s+/);
    const entry: IgnoreEntry = { ruleId: words[0], origin };
    if (!/^(?:\*|[A-Za-z0-9][\w.:-]*)$/.test(entry.ruleId))
      throw new LayerlensError(`${origin}: "${entry.ruleId}" is not a rule id`, 'USAGE');
    const renamed = renamedRuleId(entry.ruleId);
    if (renamed) {
      warnings.push(`${origin}: the rule ${entry.ruleId} is now called ${renamed}; the entry applies to it`);
      entry.ruleId = renamed;
    }
    for (const w of words.slice(1)) {
      const until = w.match(/^until=(.*)$/);
      if (until) {
        if (!/^\d{4}-\d\d-\d\d$/.test(until[1]) || Number.isNaN(Date.parse(until[1] + 'T00:00:00Z'))) {
          throw new LayerlensError(`${origin}: until= needs a date as YYYY-MM-DD, got "${until[1]}"`, 'USAGE');
        }
        entry.until = until[1];
      } else if (entry.glob === undefined) {
        entry.glob = w;
      } else {
        throw new LayerlensError(
          `${origin}: unexpected "${w}" (expected RULE_ID [PATH_GLOB] [until=YYYY-MM-DD] # reason)`,
          'USAGE',
        );
      }
    }
    if (reason) entry.reason = reason;
    else warnings.push(`${origin}: ignore entry for ${entry.ruleId} has no reason (add "# why")`);
    entries.push(entry);
  });
  return { entries, warnings };
}

/** Glob → RegExp over absolute in-image paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  const g = glob.startsWith('/') ? glob : '/' + glob;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        i++;
        if (g[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

function expired(entry: IgnoreEntry, now: Date): boolean {
  return !!entry.until && now.getTime() >= Date.parse(entry.until + 'T00:00:00Z') + 86_400_000;
}

/** A vulnerability is also known by its aliases (GHSA, DSA …): an entry may name any of them. */
function aliasOf(f: Finding, id: string): boolean {
  const aliases = f.properties?.aliases;
  return Array.isArray(aliases) && aliases.includes(id);
}

export function applyIgnore(findings: Finding[], entries: IgnoreEntry[], now = new Date()): IgnoreResult {
  const warnings: string[] = [];
  const active: Array<{ entry: IgnoreEntry; re?: RegExp; used: boolean }> = [];
  for (const entry of entries) {
    if (expired(entry, now)) {
      warnings.push(
        `${entry.origin}: ignore entry for ${entry.ruleId}${entry.glob ? ' ' + entry.glob : ''} expired on ${entry.until}; its findings are reported again`,
      );
      continue;
    }
    active.push({ entry, re: entry.glob ? globToRegExp(entry.glob) : undefined, used: false });
  }
  const kept: Finding[] = [];
  const ignored: IgnoreResult['ignored'] = [];
  for (const f of findings) {
    const hit = active.find(
      (a) =>
        (a.entry.ruleId === '*' ||
          a.entry.ruleId === f.ruleId ||
          a.entry.ruleId === f.id ||
          aliasOf(f, a.entry.ruleId)) &&
        (!a.re || (f.path !== null && a.re.test(f.path))),
    );
    if (hit) {
      hit.used = true;
      ignored.push({ finding: f, entry: hit.entry });
    } else kept.push(f);
  }
  return { kept, ignored, warnings };
}
