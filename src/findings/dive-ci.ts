/**
 * dive's CI gate, for the pipelines that already have one: its three rules, read from a `.dive-ci`
 * file (`rules:` with `lowestEfficiency`, `highestWastedBytes`, `highestUserWastedPercent`) or
 * from flags of the same names, with dive's value syntax (a ratio 0–1, a byte size such as `20MB`
 * or `1.5GiB`, or `disabled` / `off` / `false` / empty), dive's defaults (0.9, disabled, 0.1) and
 * dive's precedence (a flag given on the command line, then the file, then the default). Rules are
 * evaluated on the image's figures computed as dive computes them (efficiency.ts `dive`), so a
 * threshold written for dive means the same here.
 */
import { LayerlensError } from '../errors/index.js';
import type { DiveEfficiency } from './efficiency.js';

export type DiveRule = 'lowestEfficiency' | 'highestWastedBytes' | 'highestUserWastedPercent';
export const DIVE_RULES: readonly DiveRule[] = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent'];

/** dive's defaults when neither a flag nor the file sets a rule. */
export const DIVE_DEFAULTS: Readonly<Record<DiveRule, string>> = {
  lowestEfficiency: '0.9',
  highestWastedBytes: 'disabled',
  highestUserWastedPercent: '0.1',
};

/** A rule's value as written (`0.95`, `20MB`, `disabled`), and where it came from. */
export interface RuleSetting {
  value: string;
  from: 'flag' | 'file' | 'default';
}

export type GateConfig = Record<DiveRule, RuleSetting>;

export function isDisabled(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === '' || v === 'disabled' || v === 'off' || v === 'false';
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  p: 1e15,
  pb: 1e15,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
  pi: 2 ** 50,
  pib: 2 ** 50,
};

/** A byte size as dive takes it: `20MB` (decimal), `1.5 GiB` (binary), `1000` (bytes); any case. */
export function parseByteSize(text: string): number | undefined {
  // (Trimmed first: blanks on both sides of an empty unit could be split in many ways.)
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.floor(Number(m[1]) * unit);
}

/** A ratio 0–1 as dive takes it (`0.95`); undefined when it is not one. */
export function parseRatio(text: string): number | undefined {
  if (!/^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/.test(text)) return undefined;
  const v = Number(text);
  return v >= 0 && v <= 1 ? v : undefined;
}

/** Check a rule's value; a one-line usage error naming `where` when dive would refuse it too. */
export function checkRuleValue(rule: DiveRule, value: string, where: string): void {
  if (isDisabled(value)) return;
  if (rule === 'highestWastedBytes') {
    if (parseByteSize(value) === undefined)
      throw new LayerlensError(
        `${where}: ${rule} "${value}" is not a byte size (e.g. 20MB, 512KiB, 1000) or disabled`,
        'USAGE',
      );
    return;
  }
  if (parseRatio(value) === undefined)
    throw new LayerlensError(
      `${where}: ${rule} "${value}" is not a ratio between 0 and 1 (e.g. 0.9) or disabled`,
      'USAGE',
    );
}

/**
 * The rules of a `.dive-ci` file: YAML with a `rules:` map (the part of YAML dive's files use:
 * block mappings, comments, quoted or plain scalars). Unknown keys under `rules` are refused, as
 * dive refuses them; other top-level keys are ignored.
 */
export function parseDiveCi(text: string, file: string): Partial<Record<DiveRule, string>> {
  const out: Partial<Record<DiveRule, string>> = {};
  let inRules = false;
  let rulesIndent = -1;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = stripComment(raw);
    if (!line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    // (The value is what follows the colon and a blank, trimmed after the match: the pattern
    // `:(?:\s+(.*?))?\s*$` could split a line's blanks three ways and hung on a long one.)
    const m = /^\s*("?)([A-Za-z_][\w-]*)\1\s*:(.*)$/s.exec(line);
    const rest = m?.[3] ?? '';
    if (!m || (rest.trim() !== '' && !/^\s/.test(rest)))
      throw new LayerlensError(`${file}:${i + 1}: not a "key: value" line`, 'USAGE');
    const key = m[2];
    const value = unquote(rest);
    if (indent === 0) {
      inRules = key === 'rules';
      rulesIndent = -1;
      if (inRules && value && value !== '{}')
        throw new LayerlensError(`${file}:${i + 1}: write the rules one per line under "rules:"`, 'USAGE');
      continue;
    }
    if (!inRules) continue;
    if (rulesIndent < 0) rulesIndent = indent;
    if (indent !== rulesIndent) throw new LayerlensError(`${file}:${i + 1}: unexpected indentation`, 'USAGE');
    if (!(DIVE_RULES as readonly string[]).includes(key))
      throw new LayerlensError(
        `${file}:${i + 1}: unknown rule "${key}" (dive's rules: ${DIVE_RULES.join(', ')})`,
        'USAGE',
      );
    checkRuleValue(key as DiveRule, value, `${file}:${i + 1}`);
    out[key as DiveRule] = value;
  }
  return out;
}

function stripComment(line: string): string {
  // A # starts a comment at the line start or after a space, outside quotes.
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

/** Flags over the file over dive's defaults. */
export function gateConfig(
  flags: Partial<Record<DiveRule, string>>,
  file: Partial<Record<DiveRule, string>> = {},
): GateConfig {
  const out = {} as GateConfig;
  for (const r of DIVE_RULES) {
    if (flags[r] !== undefined) {
      checkRuleValue(r, flags[r]!, `--${r}`);
      out[r] = { value: flags[r]!, from: 'flag' };
    } else if (file[r] !== undefined) out[r] = { value: file[r]!, from: 'file' };
    else out[r] = { value: DIVE_DEFAULTS[r], from: 'default' };
  }
  return out;
}

export type RuleStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface RuleResult {
  rule: DiveRule;
  status: RuleStatus;
  /** The value as configured. */
  threshold: string;
  /** dive's words: the configured value on a pass, why on a failure, "disabled" when skipped. */
  message: string;
}

export interface GateResult {
  pass: boolean;
  /** By rule name, as dive sorts them. */
  results: RuleResult[];
}

/** dive's %2.2f. */
const f2 = (n: number) => n.toFixed(2);

export function evaluateGate(cfg: GateConfig, d: DiveEfficiency): GateResult {
  const results: RuleResult[] = [];
  for (const rule of DIVE_RULES) {
    const { value } = cfg[rule];
    if (isDisabled(value)) {
      results.push({ rule, status: 'SKIP', threshold: value, message: 'disabled' });
      continue;
    }
    let fail: string | undefined;
    if (rule === 'lowestEfficiency') {
      const t = parseRatio(value)!;
      if (t > d.score) fail = `image efficiency is too low (efficiency=${f2(d.score)} < threshold=${value})`;
    } else if (rule === 'highestWastedBytes') {
      const t = parseByteSize(value)!;
      if (d.wastedBytes > t) fail = `too many bytes wasted (wasted-bytes=${d.wastedBytes} > threshold=${t})`;
    } else {
      const t = parseRatio(value)!;
      if (d.userWastedPercent > t)
        fail = `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${f2(d.userWastedPercent)} > threshold=${value})`;
    }
    results.push({ rule, status: fail ? 'FAIL' : 'PASS', threshold: value, message: fail ?? value });
  }
  results.sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { pass: results.every((r) => r.status !== 'FAIL'), results };
}
