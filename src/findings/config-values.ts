/**
 * Secrets in the rest of the image config, which whoever pulls the image reads (`docker inspect`):
 * the commands a container starts with (Entrypoint, Cmd, Shell, Healthcheck's test, ONBUILD
 * triggers: `CMD ["app", "--api-key", "…"]`) and every other string it holds (WorkingDir,
 * Volumes, StopSignal, the author, a history entry's comment, members of no field that a crafted
 * config carries). ENV, LABEL and the history's commands have their own checks (config.ts); the
 * old builder's container_config repeats them, so its Env, Labels and Cmd are left to those.
 *
 * Each string is judged as an ENV value is (config.ts judgeKeyValue), by the name it stands under:
 * its member's key, or for a command's argument the option before it (`--api-key`, `--token`);
 * and the rules' spans and the command-line patterns (`--password=…`) inside it. The explorer
 * and `inspect --json` mask exactly what this reports (redact.ts). The manifest's annotations,
 * which anyone who can pull the manifest reads, are judged the same way (annotation-secret).
 */
import type { ImageConfig, ImageMeta } from '../engine/types.js';
import { judgeKeyValue, runPatternMatches } from './config.js';
import { makeFinding } from './make.js';
import { maskSpans, type Span } from './secrets/mask.js';
import { scanString } from './secrets/scanner.js';
import { findSecretSpans } from './secrets/spans.js';
import { type Finding, type Severity, severityRank } from './types.js';

/** A string of the config, where it is and the name it is judged by. */
export interface ConfigString {
  /** `config.Cmd[2]`, `history[3].comment`, `config.Mystery.token`. */
  where: string;
  /** The name the value stands under: its member's key, or a command argument's option. */
  key: string;
  value: string;
  /** The strings of a command (Entrypoint, Cmd, Shell, Healthcheck.Test, OnBuild): its field. */
  command?: string;
  /** A command's arguments joined by spaces, and where this one starts in it. */
  line?: string;
  offset?: number;
}

/** The config's command fields: arrays of arguments (or trigger lines, for OnBuild). */
const COMMANDS = new Set(['Entrypoint', 'Cmd', 'Shell', 'OnBuild']);
/** Where other checks look (config.ts): left to them. */
const COVERED = new Set([
  'config.Env',
  'config.Labels',
  'container_config.Env',
  'container_config.Labels',
  'container_config.Cmd',
]);
/** Facts, not values anyone types a secret into (digests, dates, platform names). */
const FACTS = new Set([
  'rootfs',
  'created',
  'architecture',
  'os',
  'variant',
  'os.version',
  'os.features',
  'docker_version',
  'id',
  'parent',
  'container',
  'Image',
  'Size',
  'ExposedPorts',
]);

/** At most this many strings are judged (a crafted config may hold millions). */
const MAX_STRINGS = 20_000;

export function configStrings(config: ImageConfig): ConfigString[] {
  const out: ConfigString[] = [];
  const visit = (v: unknown, where: string, key: string, command: string | undefined, depth: number): void => {
    if (out.length >= MAX_STRINGS || depth > 32) return;
    if (typeof v === 'string') {
      if (v) out.push({ where, key, value: v, ...(command ? { command } : {}) });
      return;
    }
    if (Array.isArray(v)) {
      // A command line's patterns (`curl -u user:pass`) span its arguments: each is judged in it.
      const line = command && v.every((x) => typeof x === 'string') ? v.join(' ') : undefined;
      let offset = 0;
      v.forEach((el, i) => {
        // A command's argument stands under the option before it (`--api-key`, `-token`).
        const option =
          command && i > 0 && typeof v[i - 1] === 'string' ? /^--?([A-Za-z][\w.-]*)$/.exec(v[i - 1]) : null;
        const before = out.length;
        visit(el, `${where}[${i}]`, option ? option[1] : key, command, depth + 1);
        if (line !== undefined && out.length > before) Object.assign(out[before], { line, offset });
        if (typeof el === 'string') offset += el.length + 1;
      });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, child] of Object.entries(v)) {
      const at = where ? `${where}.${k}` : k;
      if (COVERED.has(at) || (depth <= 1 && FACTS.has(k))) continue;
      if (where === 'history' || /^history\[\d+\]$/.test(where)) {
        if (k === 'created_by' || k === 'created' || k === 'empty_layer') continue;
      }
      const isCommand = (where === 'config' || where === 'container_config') && COMMANDS.has(k);
      const isHealth = /^(?:container_)?config\.Healthcheck$/.test(where) && k === 'Test';
      // Volumes and ExposedPorts hold their values as keys.
      if (
        (where === 'config' || where === 'container_config') &&
        k === 'Volumes' &&
        child &&
        typeof child === 'object'
      ) {
        for (const vol of Object.keys(child)) visit(vol, `${at}[${JSON.stringify(vol)}]`, k, undefined, depth + 1);
        continue;
      }
      visit(child, at, k, isCommand || isHealth ? at : command, depth + 1);
    }
  };
  visit(config, '', '', undefined, 0);
  return out;
}

export interface Judged {
  severity: Severity;
  why: string;
  evidence: string;
  secretRule?: string;
  /** Where in the value the secret is (masked as shown); the whole value when judged by its name. */
  spans: Span[];
}

/** A config string judged: a secret by the rules, a command-line pattern, or its name. */
export function judgeConfigString(s: ConfigString, reveal = false): Judged | undefined {
  const spans: Span[] = [...findSecretSpans(s.value)];
  let patterns: ReturnType<typeof runPatternMatches> = [];
  if (s.command) {
    // The rules and the command-line patterns over the whole line, as a RUN command is read
    // (`curl -u user:pass` spans two arguments; a lone `--password=x` follows a space).
    const line = ` ${s.line ?? s.value}`;
    const from = 1 + (s.offset ?? 0);
    const lineSpans: Span[] = [...findSecretSpans(line)];
    patterns = runPatternMatches(line, reveal, lineSpans);
    const mine = lineSpans.filter(([a, b]) => a < from + s.value.length && b > from);
    if (!mine.length) patterns = [];
    else if (!patterns.length) {
      // A rule's match across arguments: judged as the rule judges it (its severity, its reason).
      const top = scanString(line, { reveal }).sort((x, y) => severityRank(y.severity) - severityRank(x.severity))[0];
      if (top)
        return {
          severity: top.severity,
          why: `the command line holds a ${top.title}`,
          evidence: top.evidence,
          spans: clip(mine, from, s.value.length),
        };
    }
    spans.push(...clip(mine, from, s.value.length));
  }
  const j = judgeKeyValue(s.key, s.value, reveal);
  if (j) return { ...j, spans: spans.length ? spans : [[0, s.value.length]] };
  if (patterns.length)
    return {
      severity: 'high',
      why: patterns[0].what,
      evidence: patterns[0].evidence || maskSpans(s.value, spans).text,
      spans,
    };
  return undefined;
}

/**
 * The config's strings that hold a secret, judged once per config (the explorer's early findings
 * run again as each layer arrives, and a crafted config may hold thousands of strings).
 */
function judgedStrings(config: ImageConfig, reveal: boolean): Array<{ s: ConfigString; j: Judged }> {
  const cache = reveal ? judgedRevealed : judgedMasked;
  let list = cache.get(config);
  if (!list) {
    list = [];
    for (const s of configStrings(config)) {
      const j = judgeConfigString(s, reveal);
      if (j) list.push({ s, j });
    }
    cache.set(config, list);
  }
  return list;
}

const judgedMasked = new WeakMap<ImageConfig, Array<{ s: ConfigString; j: Judged }>>();
const judgedRevealed = new WeakMap<ImageConfig, Array<{ s: ConfigString; j: Judged }>>();

export function configValueFindings(meta: ImageMeta, opts: { reveal?: boolean } = {}): Finding[] {
  const out: Finding[] = [];
  for (const { s, j } of judgedStrings(meta.config, !!opts.reveal)) {
    const inCommand = s.command ? ` (an argument of ${s.command.replace(/^(?:container_)?config\./, '')})` : '';
    out.push(
      makeFinding({
        ruleId: 'config-value-secret',
        category: 'config',
        severity: j.severity,
        title: `Secret in the image config: ${s.where}`,
        message: `The image config holds a credential at ${s.where}${inCommand}, readable by anyone who can pull the image (docker inspect): ${j.why}.`,
        remediation: s.command
          ? 'Rotate the credential and pass it at run time (docker run -e, a mounted secret) instead of on the command line the image starts with.'
          : 'Rotate the credential and rebuild without it: everything in the config ships with the image.',
        key: s.where,
        evidence: j.evidence,
        properties: { where: s.where, ...(j.secretRule ? { secretRule: j.secretRule } : {}) },
      }),
    );
  }
  out.push(...annotationFindings(meta, !!opts.reveal));
  return out;
}

/**
 * Secrets in the manifest's annotations (ImageMeta.annotations), which anyone who can pull the
 * manifest reads (`crane manifest`, `docker buildx imagetools inspect --raw`): judged as the
 * config's strings are, by their key and by the rules. A CI that annotates the image with its
 * clone URL (`org.opencontainers.image.source=https://ci-token:…@git.example.org/…`) ships the
 * job's token so.
 */
function annotationFindings(meta: ImageMeta, reveal: boolean): Finding[] {
  const out: Finding[] = [];
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    const where = `annotations[${JSON.stringify(key)}]`;
    const j = judgeConfigString({ where, key: key.slice(key.lastIndexOf('.') + 1), value }, reveal);
    if (!j) continue;
    out.push(
      makeFinding({
        ruleId: 'annotation-secret',
        category: 'config',
        severity: j.severity,
        title: `Secret in the image manifest: ${where}`,
        message: `The image manifest's annotation ${JSON.stringify(key)} holds a credential, readable by anyone who can pull the manifest (crane manifest, docker buildx imagetools inspect --raw): ${j.why}.`,
        remediation:
          'Rotate the credential and push the image again without it (annotations are set by the build: --annotation, the CI metadata step); a URL keeps no user or token.',
        key: where,
        evidence: j.evidence,
        properties: { annotation: key, ...(j.secretRule ? { secretRule: j.secretRule } : {}) },
      }),
    );
  }
  return out;
}

/**
 * The config with every string configValueFindings reports masked (first characters and the
 * length), unless `reveal`: what `inspect --json` and the explorer show of it.
 */
export function redactConfigStrings(config: ImageConfig, reveal: boolean): ImageConfig {
  if (reveal) return config;
  // (Once per config: the explorer shows it at every repaint.)
  let shown = redactedConfigs.get(config);
  if (!shown) redactedConfigs.set(config, (shown = redactConfig(config)));
  return shown;
}

const redactedConfigs = new WeakMap<ImageConfig, ImageConfig>();

function redactConfig(config: ImageConfig): ImageConfig {
  const masked = new Map<string, string>();
  for (const { s, j } of judgedStrings(config, false)) masked.set(s.where, maskSpans(s.value, j.spans).text);
  if (!masked.size) return config;
  const copy = (v: unknown, where: string): unknown => {
    if (typeof v === 'string') return masked.get(where) ?? v;
    if (Array.isArray(v)) return v.map((el, i) => copy(el, `${where}[${i}]`));
    if (typeof v !== 'object' || v === null) return v;
    const o: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      const at = where ? `${where}.${k}` : k;
      let value = copy(child, at);
      if (k === 'Volumes' && value && typeof value === 'object' && !Array.isArray(value))
        value = Object.fromEntries(
          Object.entries(value).map(([vol, x]) => [masked.get(`${at}[${JSON.stringify(vol)}]`) ?? vol, x]),
        );
      Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
    }
    return o;
  };
  return copy(config, '') as ImageConfig;
}

/** Spans of a command line, as spans of the argument at `from` (of `length` characters). */
function clip(spans: Span[], from: number, length: number): Span[] {
  return spans.map(([a, b]) => [Math.max(0, a - from), Math.min(length, b - from)]);
}

/** One string of the config or its history (`comment`, `author`) as shown: masked where judged a secret. */
export function redactConfigString(key: string, value: string, reveal = false): string {
  if (reveal || !value) return value;
  const j = judgeConfigString({ where: key, key, value });
  return j ? maskSpans(value, j.spans).text : value;
}
