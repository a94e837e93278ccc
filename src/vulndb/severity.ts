/**
 * An advisory's severity, worked out once when the index is built: a distribution's own priority
 * for its packages (Debian's urgency, Ubuntu's priority), else the CVSS base score of the newest
 * vector (v4, v3, v2; computed by ae-cvss-calculator), else GHSA's reviewed rating; otherwise
 * `unknown` — never a silent "low".
 */
import { createRequire } from 'node:module';
import type { RecordSeverity, SeverityLevel } from './record.js';

type Calc = {
  Cvss4P0: new (v: string) => { calculateScores(): { base?: number; overall?: number } };
  Cvss3P1: new (v: string) => { calculateScores(): { base?: number; overall?: number } };
  Cvss3P0: new (v: string) => { calculateScores(): { base?: number; overall?: number } };
  Cvss2: new (v: string) => { calculateScores(): { base?: number; overall?: number } };
};

let calc: Calc | undefined;

/** Loads the CVSS calculator (~0.1 s): only `db update` needs it. */
export async function loadCvss(): Promise<void> {
  if (calc) return;
  // (A CommonJS package, required: the built CLI is one CommonJS-shaped script, cli/code-cache.ts.)
  const mod = createRequire(import.meta.url)('ae-cvss-calculator') as { default?: Calc } & Calc;
  calc = mod.default ?? mod;
}

export function cvssScore(vector: string): number | undefined {
  if (!calc) throw new Error('loadCvss() first');
  try {
    const v = vector.trim();
    const C = v.startsWith('CVSS:4.0/')
      ? calc.Cvss4P0
      : v.startsWith('CVSS:3.1/')
        ? calc.Cvss3P1
        : v.startsWith('CVSS:3.0/')
          ? calc.Cvss3P0
          : /^\(?AV:[LAN]/.test(v)
            ? calc.Cvss2
            : undefined;
    if (!C) return undefined;
    const s = new C(v).calculateScores();
    const score = s.base ?? s.overall;
    return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
  } catch {
    return undefined;
  }
}

/** CVSS qualitative rating (FIRST): 9.0+ critical, 7.0+ high, 4.0+ medium, otherwise low. */
export function levelOfScore(score: number): SeverityLevel {
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
}

const WORDS: Record<string, SeverityLevel> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
};

function word(s: unknown): SeverityLevel | undefined {
  return typeof s === 'string'
    ? WORDS[
        s
          .toLowerCase()
          .replace(/(?<!\*)\*+$/, '')
          .trim()
      ]
    : undefined;
}

interface OsvSeverity {
  type?: string;
  score?: string;
}

export interface SeverityInput {
  ecosystem: string;
  severity?: OsvSeverity[];
  affectedSeverity?: OsvSeverity[];
  databaseSpecific?: Record<string, unknown>;
  ecosystemSpecific?: Record<string, unknown>;
}

export function severityOf(a: SeverityInput): RecordSeverity {
  const base = a.ecosystem.split(':')[0];
  const all = [...(a.affectedSeverity ?? []), ...(a.severity ?? [])];
  if (base === 'Debian') {
    const u = word(a.ecosystemSpecific?.urgency);
    if (u) return { level: u, source: 'Debian urgency' };
  }
  if (base === 'Ubuntu') {
    const u = word(all.find((s) => s.type === 'Ubuntu')?.score);
    if (u) return { level: u, source: 'Ubuntu priority' };
  }
  for (const type of ['CVSS_V4', 'CVSS_V3', 'CVSS_V2']) {
    const s = all.find((x) => x.type === type && typeof x.score === 'string');
    if (!s) continue;
    const score = cvssScore(s.score!);
    if (score !== undefined) return { level: levelOfScore(score), score, vector: s.score, source: type };
  }
  const ghsa = word(a.databaseSpecific?.severity);
  if (ghsa) return { level: ghsa, source: 'GHSA' };
  return { level: 'unknown', source: 'none' };
}
